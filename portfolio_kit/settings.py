"""Configuration from the environment (``PORTFOLIO_KIT_*``), read once per process.

pydantic-settings does the parsing; ``load_settings`` turns its validation
error into a ``ConfigurationError`` that names the environment variable, so a
typo in a deployment fails at start with a sentence instead of a traceback.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from portfolio_kit.errors import ConfigurationError

ENV_PREFIX = "PORTFOLIO_KIT_"

DEFAULT_CLIENT_TIMEOUT_SECONDS = 30.0
"""How long a dashboard connection may sit idle or spend sending its headers
or body unless set: the settings, ``serve``'s options and the server share it."""

DEFAULT_PAGE_CACHE_SECONDS = 300.0
"""How long a drawn dashboard page is shared unless set (the settings,
``serve``'s options and the page store share it): a data change is seen
within this, whatever the audit log says (``server/page_cache.py``)."""


def default_data_dir() -> Path:
    """Where the embedded database and stored documents live by default.

    The platform's per-user data directory (``~/.local/share/portfolio_kit`` on
    Linux), so that notebooks opened from any folder find the same portfolio.
    """
    return Path(platformdirs.user_data_dir("portfolio_kit", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: an SQLite file in data_dir. "
        "PostgreSQL: postgresql+psycopg://user:password@host/dbname",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the embedded database and stored documents.",
    )
    user: str | None = Field(
        default=None,
        description="E-mail of the acting user in a single-user JupyterLab; "
        "forms attribute saves to this account when nobody signs in.",
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement.")
    session_max_age_hours: float = Field(
        default=12.0, gt=0, description="How long a dashboard sign-in stays valid."
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Sign-in attempts one e-mail address may make within "
        "login_window_seconds before it is locked; a successful sign-in starts again.",
    )
    login_max_failures_per_address: int = Field(
        default=50,
        ge=1,
        description="Sign-in attempts one client address may make within "
        "login_window_seconds, whatever the e-mail, before it is locked (higher than "
        "the per-account limit: an office may sign in from one address).",
    )
    login_window_seconds: float = Field(
        default=900.0,
        gt=0,
        description="Seconds over which failed sign-in attempts are counted.",
    )
    login_lockout_seconds: float = Field(
        default=900.0,
        gt=0,
        description="Seconds a locked e-mail address or client address is refused "
        "without its password being checked.",
    )
    dashboard_port: int = Field(default=8866, ge=1, le=65535)
    dashboard_pool_size: int = Field(
        default=2,
        ge=0,
        le=64,
        description="Preheated kernels kept ready per dashboard. Two, so that a "
        "partner's second view a few seconds after the first finds a kernel waiting "
        "while the first one's replacement starts; each idle kernel holds about "
        "120 MiB (light warm-up) or 240 MiB (full), so three dashboards at two each "
        "take under 1.5 GiB.",
    )
    dashboard_pool_sizes: dict[str, int] = Field(
        default_factory=dict,
        description="Per-dashboard pool sizes overriding dashboard_pool_size, as JSON: "
        '{"fund_overview": 8} before a quarter-end LP meeting.',
    )
    dashboard_cull_idle_seconds: int = Field(
        default=900,
        ge=10,
        description="A kernel whose page has been idle this long is shut down.",
    )
    dashboard_max_renders: int | None = Field(
        default=None,
        ge=1,
        description="Page views rendered at the same time; the rest wait in line. "
        "Default: no limit (at 2, some concurrent browser views never drew in the load "
        "benchmark; see docs/dashboards.md).",
    )
    dashboard_queue_length: int = Field(
        default=200,
        ge=0,
        description="Page views that may wait for a render slot; the next one gets a "
        "'busy, retrying' page (HTTP 503, Retry-After).",
    )
    dashboard_client_timeout_seconds: float = Field(
        default=DEFAULT_CLIENT_TIMEOUT_SECONDS,
        ge=1,
        description="How long a dashboard connection may sit idle or spend sending its "
        "headers or body before the server hangs up (slow or stalled clients).",
    )
    dashboard_max_kernels: int | None = Field(
        default=None,
        ge=1,
        description="Dashboard kernels alive at once (preheated ones included); a view "
        "that would start one more gets the busy page. Default: what 60% of the "
        "machine's memory holds at 400 MiB a kernel.",
    )
    dashboard_page_cache_seconds: float = Field(
        default=DEFAULT_PAGE_CACHE_SECONDS,
        ge=0,
        description="How long a drawn dashboard page is handed to every viewer who "
        "would see the same page (same dashboard, funds, role, link and data), without a "
        "kernel; any change to the data draws it afresh. 0: every view is drawn live.",
    )
    dashboard_warm_up: Literal["light", "full"] = Field(
        default="light",
        description="What a preheated dashboard kernel does before its request. "
        "light: the database connection and the sign-in checks only (about 120 MiB idle; "
        "pandas, Altair and the chart engine load after the request, so a page's first "
        "view takes about twice as long; later views of it are shared pages); full: also "
        "pandas and Altair (about 242 MiB idle, the faster first view).",
    )
    template_signing_key: SecretStr | None = Field(
        default=None,
        description="Key (at least 32 characters) that signs the hidden metadata of KPI "
        "templates, so an edited company, period or row layout is refused on import. "
        "Default: a random key generated on first use and kept in "
        "<data_dir>/keys/template_signing_key (mode 0600). Set it when templates are "
        "exported and imported on different machines; changing it invalidates "
        "templates already sent out.",
    )
    xlsx_max_uncompressed_mb: int = Field(
        default=256,
        ge=1,
        description="An uploaded .xlsx (KPI template, edited model) whose members together "
        "unpack to more than this many MB is refused before it is opened. A template "
        "of 100,000 KPI rows unpacks to about 30 MB.",
    )
    xlsx_max_compression_ratio: float = Field(
        default=200,
        gt=1,
        description="An uploaded .xlsx member over 1 MiB that inflates more than this many "
        "times is refused as a decompression bomb. Workbooks the toolkit and LibreOffice "
        "write inflate 7 to 12 times; a run of zeros about 1,030 times.",
    )
    pdf_max_page_content_mib: int = Field(
        default=64,
        ge=1,
        description="A PDF page whose content streams (forms counted as often as the page "
        "draws them) inflate to more than this many MiB is refused as a decompression bomb "
        "before it is parsed. The densest statement pages in the corpus carry under 1 MiB.",
    )

    @field_validator("template_signing_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        if len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (a random string)")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError(
                "must start with sqlite:// or postgresql+psycopg:// "
                f"(got {value.split(':', 1)[0]!r})"
            )
        return value

    @field_validator("dashboard_pool_sizes")
    @classmethod
    def _pool_sizes_in_range(cls, value: dict[str, int]) -> dict[str, int]:
        for name, size in value.items():
            if not 0 <= size <= 64:
                raise ValueError(f"pool size for dashboard {name!r} must be 0 to 64 (got {size})")
        return value

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def template_signing_key_path(self) -> Path:
        """Where the generated template signing key lives when none is set."""
        return self.data_dir / "keys" / "template_signing_key"

    @property
    def default_database_path(self) -> Path:
        return self.data_dir / "portfolio_kit.db"


def load_settings() -> Settings:
    """Read the environment now, turning a bad value into a named error."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            problems.append(f"{ENV_PREFIX}{field.upper()}: {error['msg']}")
        raise ConfigurationError("invalid setting: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after
    changing the environment."""
    return load_settings()
