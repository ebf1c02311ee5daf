"""Session listeners: validation, permissions, soft delete and the audit trail.

Installed on the session factory by ``portfolio_kit.db``. Every write through
a package session is checked against the actor's role and written to
``AuditLog``, attributed to the session's actor, whichever way it is made:

- objects flushed by the ORM: one row per insert, update and delete with
  field-level changes (``flush``);
- rows the database removes or nulls itself (``ON DELETE CASCADE`` / ``SET
  NULL``) when a parent goes: one row each, read before the parent's delete
  (``cascade``);
- ``insert()``, ``update()`` and ``delete()`` statements through
  ``session.execute``, on models or bare tables, and ``bulk_*_mappings``: one
  row per row written, with old and new values (``statements``);
- bulk imports that declare their tables with ``caller_audited``: one row per
  import (``guard``).

Any other write on a session's connection (``session.connection().execute``,
driver SQL, text SQL) is refused before it reaches the database
(``guard``). See docs/storage.md, "Audit trail".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from portfolio_kit.audit.actor import SYSTEM, SYSTEM_ACTOR, Actor, actor_of, require_writer
from portfolio_kit.audit.changes import IGNORED_FIELDS, SECRET_FIELDS, entity_id
from portfolio_kit.audit.flush import _after_flush, _before_flush
from portfolio_kit.audit.guard import (
    AuditedSession,
    CallerAudited,
    UnauditedWriteError,
    begin_caller_audited,
    caller_audited,
    install_guard,
)
from portfolio_kit.audit.statements import do_orm_execute

__all__ = [
    "IGNORED_FIELDS",
    "SECRET_FIELDS",
    "SYSTEM",
    "SYSTEM_ACTOR",
    "Actor",
    "AuditedSession",
    "CallerAudited",
    "UnauditedWriteError",
    "actor_of",
    "begin_caller_audited",
    "caller_audited",
    "entity_id",
    "install",
    "require_writer",
]


def install(session_factory: Any) -> None:
    """Attach the listeners to a ``sessionmaker`` of ``AuditedSession`` (idempotent per factory).

    The mark lives on the factory itself: ``event.contains`` keys its registry
    by ``id()``, so a new factory that reuses a collected one's address looked
    "already installed" and got no validation, permission check or audit.
    The session class must be ``AuditedSession``: its flush holds the write
    permit the connection guard looks for.
    """
    if getattr(session_factory, _INSTALLED, False):
        return
    if not issubclass(session_factory.class_, AuditedSession):
        raise TypeError("audit.install needs sessionmaker(class_=AuditedSession, ...)")
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "do_orm_execute", do_orm_execute)
    install_guard(session_factory)
    setattr(session_factory, _INSTALLED, True)


_INSTALLED = "_portfolio_kit_listeners_installed"
