"""Errors a person can act on.

Every error raised for bad input names the field (or file, sheet and cell) and
says what is wrong, so that forms, the CLI and notebooks can show it as is.
"""

from __future__ import annotations


class PortfolioKitError(Exception):
    """Base class: the message is written for the person who caused it."""


class ValidationError(PortfolioKitError, ValueError):
    """A value was refused before anything was written.

    ``field`` is the attribute or input that was wrong, so a form can show the
    message next to that field.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class ConflictError(PortfolioKitError):
    """Somebody else saved the record after it was loaded; nothing was overwritten."""


class NotFoundError(PortfolioKitError, LookupError):
    """A record named by the user does not exist (or is not visible to them)."""


class PermissionDeniedError(PortfolioKitError, PermissionError):
    """The acting user's role or grants do not allow this."""


class ConfigurationError(PortfolioKitError):
    """A setting is missing or malformed; the message names the variable."""
