"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 23:24:33.078398
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import portfolio_kit.models.base

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('funds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('vintage_year', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('strategy', sa.Enum('buyout', 'growth', 'venture', 'credit', 'infrastructure', 'real_estate', 'secondaries', 'other', name='fund_strategy', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('fundraising', 'investing', 'harvesting', 'liquidated', name='fund_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('target_size', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('total_commitments', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('first_close_date', sa.Date(), nullable=True),
    sa.Column('final_close_date', sa.Date(), nullable=True),
    sa.Column('management_fee_rate', sa.Numeric(precision=12, scale=8), nullable=True),
    sa.Column('carried_interest_rate', sa.Numeric(precision=12, scale=8), nullable=True),
    sa.Column('hurdle_rate', sa.Numeric(precision=12, scale=8), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('target_size IS NULL OR target_size > 0', name=op.f('ck_funds_target_size_positive')),
    sa.CheckConstraint('total_commitments >= 0', name=op.f('ck_funds_commitments_not_negative')),
    sa.CheckConstraint('vintage_year BETWEEN 1950 AND 2100', name=op.f('ck_funds_vintage_year_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds')),
    sa.UniqueConstraint('name', name=op.f('uq_funds_name'))
    )
    op.create_table('market_indices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_indices')),
    sa.UniqueConstraint('name', name=op.f('uq_market_indices_name'))
    )
    op.create_table('portfolio_companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=100), nullable=False),
    sa.Column('geography', sa.String(length=100), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.Enum('pipeline', 'diligence', 'invested', 'realized', 'written_off', name='company_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('fiscal_year_end_month', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('deleted_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('fiscal_year_end_month BETWEEN 1 AND 12', name=op.f('ck_portfolio_companies_fiscal_year_end_month_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_companies')),
    sa.UniqueConstraint('name', name=op.f('uq_portfolio_companies_name'))
    )
    with op.batch_alter_table('portfolio_companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_companies_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_portfolio_companies_geography'), ['geography'], unique=False)
        batch_op.create_index(batch_op.f('ix_portfolio_companies_sector'), ['sector'], unique=False)
        batch_op.create_index(batch_op.f('ix_portfolio_companies_status'), ['status'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'analyst', 'partner', name='user_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('action', sa.Enum('insert', 'update', 'delete', 'import', name='audit_action', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_user_id'), ['user_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('storage_path', sa.String(length=1000), nullable=False),
    sa.Column('kind', sa.Enum('annual_report', 'quarterly_report', 'board_pack', 'kpi_template', 'model', 'other', name='document_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('uploaded', 'extracted', 'reviewed', 'committed', 'failed', name='document_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'failed' OR error IS NOT NULL", name=op.f('ck_documents_failed_has_error')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_documents_size_not_negative')),
    sa.ForeignKeyConstraint(['company_id'], ['portfolio_companies.id'], name=op.f('fk_documents_company_id_portfolio_companies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_documents_fund_id_funds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_documents_content_hash'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_fund_id'), ['fund_id'], unique=False)

    op.create_table('due_diligence_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('commercial', 'financial', 'legal', 'tax', 'operational', 'technology', 'hr', 'esg', name='diligence_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'complete', 'waived', name='diligence_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('risk_level', sa.Enum('low', 'medium', 'high', 'critical', name='risk_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['portfolio_companies.id'], name=op.f('fk_due_diligence_items_company_id_portfolio_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_due_diligence_items'))
    )
    with op.batch_alter_table('due_diligence_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_due_diligence_items_company_id'), ['company_id'], unique=False)

    op.create_table('fund_cash_flows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('capital_call', 'management_fee', 'expense', 'distribution', 'recallable_distribution', name='cash_flow_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_fund_cash_flows_amount_positive')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_fund_cash_flows_fund_id_funds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_cash_flows'))
    )
    with op.batch_alter_table('fund_cash_flows', schema=None) as batch_op:
        batch_op.create_index('ix_fund_cash_flows_fund_date', ['fund_id', 'date'], unique=False)

    op.create_table('fund_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_fund_grants_fund_id_funds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fund_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_grants')),
    sa.UniqueConstraint('user_id', 'fund_id', name=op.f('uq_fund_grants_user_id_fund_id'))
    )
    with op.batch_alter_table('fund_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_grants_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_grants_user_id'), ['user_id'], unique=False)

    op.create_table('fund_navs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('nav', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('nav >= 0', name=op.f('ck_fund_navs_nav_not_negative')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_fund_navs_fund_id_funds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_navs')),
    sa.UniqueConstraint('fund_id', 'as_of', name=op.f('uq_fund_navs_fund_id_as_of'))
    )
    op.create_table('index_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('index_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('level', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.CheckConstraint('level > 0', name=op.f('ck_index_levels_level_positive')),
    sa.ForeignKeyConstraint(['index_id'], ['market_indices.id'], name=op.f('fk_index_levels_index_id_market_indices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_levels')),
    sa.UniqueConstraint('index_id', 'date', name=op.f('uq_index_levels_index_id_date'))
    )
    op.create_table('investments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('entry_enterprise_value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('entry_ebitda', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('entry_revenue', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('entry_net_debt', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('equity_invested', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('ownership', sa.Numeric(precision=12, scale=8), nullable=False),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('exit_proceeds', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('equity_invested >= 0', name=op.f('ck_investments_equity_invested_not_negative')),
    sa.CheckConstraint('exit_date IS NULL OR exit_date >= entry_date', name=op.f('ck_investments_exit_after_entry')),
    sa.CheckConstraint('exit_proceeds IS NULL OR exit_proceeds >= 0', name=op.f('ck_investments_exit_proceeds_not_negative')),
    sa.CheckConstraint('ownership > 0 AND ownership <= 1', name=op.f('ck_investments_ownership_fraction')),
    sa.ForeignKeyConstraint(['company_id'], ['portfolio_companies.id'], name=op.f('fk_investments_company_id_portfolio_companies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_investments_fund_id_funds'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investments')),
    sa.UniqueConstraint('fund_id', 'company_id', name=op.f('uq_investments_fund_id_company_id'))
    )
    with op.batch_alter_table('investments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investments_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_investments_fund_id'), ['fund_id'], unique=False)

    op.create_table('value_creation_initiatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('lever', sa.Enum('revenue_growth', 'margin', 'multiple', 'cash_deleveraging', name='value_lever', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('target_impact', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'completed', 'cancelled', name='initiative_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('progress', sa.Numeric(precision=12, scale=8), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress >= 0 AND progress <= 1', name=op.f('ck_value_creation_initiatives_progress_fraction')),
    sa.CheckConstraint('target_date IS NULL OR start_date IS NULL OR target_date >= start_date', name=op.f('ck_value_creation_initiatives_dates_ordered')),
    sa.ForeignKeyConstraint(['company_id'], ['portfolio_companies.id'], name=op.f('fk_value_creation_initiatives_company_id_portfolio_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_value_creation_initiatives'))
    )
    with op.batch_alter_table('value_creation_initiatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_value_creation_initiatives_company_id'), ['company_id'], unique=False)

    op.create_table('company_kpis',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('kpi', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_type', sa.Enum('month', 'quarter', 'year', 'ltm', name='period_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('scenario', sa.Enum('actual', 'budget', 'forecast', name='scenario', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('value', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('source', sa.Enum('manual', 'pdf', 'excel', name='metric_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('source_label', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['portfolio_companies.id'], name=op.f('fk_company_kpis_company_id_portfolio_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_company_kpis_document_id_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_kpis')),
    sa.UniqueConstraint('company_id', 'period_end', 'period_type', 'scenario', 'kpi', name=op.f('uq_company_kpis_company_id_period_end_period_type_scenario_kpi'))
    )
    op.create_table('extracted_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=32), nullable=False),
    sa.Column('line_item', sa.String(length=64), nullable=True),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('corrected_value', sa.Numeric(precision=24, scale=6), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('bbox', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('review_status', sa.Enum('pending', 'accepted', 'rejected', name='review_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('flags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('confidence >= 0 AND confidence <= 1', name=op.f('ck_extracted_lines_confidence_fraction')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_extracted_lines_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_extracted_lines_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extracted_lines'))
    )
    with op.batch_alter_table('extracted_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extracted_lines_document_id'), ['document_id'], unique=False)

    op.create_table('financial_metrics',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('line_item', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_type', sa.Enum('month', 'quarter', 'year', 'ltm', name='period_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('scenario', sa.Enum('actual', 'budget', 'forecast', name='scenario', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('value', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('source', sa.Enum('manual', 'pdf', 'excel', name='metric_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('source_label', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['portfolio_companies.id'], name=op.f('fk_financial_metrics_company_id_portfolio_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_financial_metrics_document_id_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_financial_metrics')),
    sa.UniqueConstraint('company_id', 'period_end', 'period_type', 'scenario', 'line_item', name=op.f('uq_financial_metrics_company_id_period_end_period_type_scenario_line_item'))
    )
    with op.batch_alter_table('financial_metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financial_metrics_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_financial_metrics_item_period', ['line_item', 'period_type', 'period_end'], unique=False)

    op.create_table('investment_cash_flows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('investment_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('investment', 'follow_on', 'transaction_cost', 'dividend', 'interest', 'partial_exit', 'exit_proceeds', name='deal_cash_flow_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_investment_cash_flows_amount_positive')),
    sa.ForeignKeyConstraint(['investment_id'], ['investments.id'], name=op.f('fk_investment_cash_flows_investment_id_investments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investment_cash_flows'))
    )
    with op.batch_alter_table('investment_cash_flows', schema=None) as batch_op:
        batch_op.create_index('ix_investment_cash_flows_investment_date', ['investment_id', 'date'], unique=False)

    op.create_table('valuations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('valuation_date', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('dcf', 'lbo', 'trading_comparables', 'precedent_transactions', 'last_round', 'nav', name='valuation_method', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('enterprise_value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('equity_value', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('implied_multiple', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('is_mark', sa.Boolean(), nullable=False),
    sa.Column('assumptions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portfolio_kit.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['portfolio_companies.id'], name=op.f('fk_valuations_company_id_portfolio_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_valuations_document_id_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_valuations'))
    )
    with op.batch_alter_table('valuations', schema=None) as batch_op:
        batch_op.create_index('ix_valuations_company_date', ['company_id', 'valuation_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('valuations', schema=None) as batch_op:
        batch_op.drop_index('ix_valuations_company_date')

    op.drop_table('valuations')
    with op.batch_alter_table('investment_cash_flows', schema=None) as batch_op:
        batch_op.drop_index('ix_investment_cash_flows_investment_date')

    op.drop_table('investment_cash_flows')
    with op.batch_alter_table('financial_metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_financial_metrics_item_period')
        batch_op.drop_index(batch_op.f('ix_financial_metrics_document_id'))

    op.drop_table('financial_metrics')
    with op.batch_alter_table('extracted_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extracted_lines_document_id'))

    op.drop_table('extracted_lines')
    op.drop_table('company_kpis')
    with op.batch_alter_table('value_creation_initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_value_creation_initiatives_company_id'))

    op.drop_table('value_creation_initiatives')
    with op.batch_alter_table('investments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investments_fund_id'))
        batch_op.drop_index(batch_op.f('ix_investments_company_id'))

    op.drop_table('investments')
    op.drop_table('index_levels')
    op.drop_table('fund_navs')
    with op.batch_alter_table('fund_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_grants_user_id'))
        batch_op.drop_index(batch_op.f('ix_fund_grants_fund_id'))

    op.drop_table('fund_grants')
    with op.batch_alter_table('fund_cash_flows', schema=None) as batch_op:
        batch_op.drop_index('ix_fund_cash_flows_fund_date')

    op.drop_table('fund_cash_flows')
    with op.batch_alter_table('due_diligence_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_diligence_items_company_id'))

    op.drop_table('due_diligence_items')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_fund_id'))
        batch_op.drop_index(batch_op.f('ix_documents_company_id'))

    op.drop_table('documents')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_user_id'))
        batch_op.drop_index('ix_audit_log_entity')
        batch_op.drop_index('ix_audit_log_at')

    op.drop_table('audit_log')
    op.drop_table('users')
    with op.batch_alter_table('portfolio_companies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_companies_status'))
        batch_op.drop_index(batch_op.f('ix_portfolio_companies_sector'))
        batch_op.drop_index(batch_op.f('ix_portfolio_companies_geography'))
        batch_op.drop_index(batch_op.f('ix_portfolio_companies_deleted_at'))

    op.drop_table('portfolio_companies')
    op.drop_table('market_indices')
    op.drop_table('funds')
