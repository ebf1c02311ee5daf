"""Operations that span models: bulk imports, record edits, documents, reviews.

Widgets, the CLI and notebooks call these; they hold the rules (who may do
what, what is checked first) so that every entry point behaves the same.
"""
