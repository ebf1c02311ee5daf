"""portfolio_kit: private-equity portfolio monitoring for Jupyter.

``connect()`` opens the database; everything else hangs off the subpackages
(``analytics``, ``frames``, ``excel``, ``pdf``, ``widgets``, ``charts``).
"""

from __future__ import annotations

__version__ = "0.1.0"

from portfolio_kit.db import Database, connect

__all__ = ["Database", "__version__", "connect"]
