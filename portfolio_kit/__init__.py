"""portfolio_kit: private-equity portfolio monitoring for Jupyter.

``connect()`` opens the database; everything else hangs off the subpackages
(``analytics``, ``frames``, ``excel``, ``pdf``, ``widgets``, ``charts``).

``connect`` and ``Database`` are resolved lazily so that importing a pure
subpackage such as ``portfolio_kit.analytics`` does not pull in SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from portfolio_kit.db import Database, connect

__all__ = ["Database", "__version__", "connect"]


def __getattr__(name: str) -> Any:
    if name in ("Database", "connect"):
        from portfolio_kit import db

        return getattr(db, name)
    raise AttributeError(f"module 'portfolio_kit' has no attribute {name!r}")
