"""The message line under every form, and the one place errors become sentences.

A widget callback that raises prints a traceback into the notebook (and into
a Voila page even with tracebacks switched off). Every button of the
workspace therefore runs its action through ``StatusBar.run``, which turns
the package's errors into a sentence, offers "Reload" when the database
moved on (a stale version, a constraint, a vanished record), and reports
anything unexpected as a bug in one line while logging the traceback.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as widgets
from sqlalchemy.exc import SQLAlchemyError

from portfolio_kit.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PortfolioKitError,
    ValidationError,
)
from portfolio_kit.widgets._fields import _strip_tags

logger = logging.getLogger(__name__)

T = TypeVar("T")

_COLOURS = {"ok": "#1b5e20", "error": "#b00020", "info": "#37474f"}


class StatusBar:
    """A message area plus a Reload button shown when reloading would help.

    ``on_field_error(field, message)`` lets a form also put a refusal next
    to the field it names (the status line always carries the sentence).
    """

    def __init__(self, on_reload: Callable[[], None] | None = None) -> None:
        self.message = widgets.HTML(value="")
        self.reload_button = widgets.Button(
            description="Reload", icon="refresh", tooltip="Load the stored values again"
        )
        self.reload_button.layout.display = "none"
        self._on_reload = on_reload
        self.reload_button.on_click(lambda _button: self._reload())
        self.widget = widgets.HBox([self.message, self.reload_button])
        self.kind = "info"

    @property
    def text(self) -> str:
        """The current message as plain text."""
        return html.unescape(_strip_tags(self.message.value))

    @property
    def reload_offered(self) -> bool:
        return self.reload_button.layout.display != "none"

    def show(self, text: str, kind: str = "info", *, offer_reload: bool = False) -> None:
        self.kind = kind
        colour = _COLOURS.get(kind, _COLOURS["info"])
        self.message.value = (
            f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""
        )
        self.reload_button.layout.display = "" if offer_reload and self._on_reload else "none"

    def clear(self) -> None:
        self.show("")

    def _reload(self) -> None:
        if self._on_reload is not None:
            self.run("reload", self._on_reload)

    def run(
        self,
        what: str,
        action: Callable[[], T],
        *,
        on_field_error: Callable[[str, str], None] | None = None,
    ) -> T | None:
        """Run ``action``; on failure show why and return None.

        ``what`` completes "Could not <what>: ..." in the message.
        """
        try:
            return action()
        except ValidationError as exc:
            if on_field_error is not None:
                on_field_error(exc.field, exc.reason)
            database_refusal = exc.field == "record"
            detail = exc.reason if database_refusal else str(exc)
            self.show(f"Could not {what}: {detail}", "error", offer_reload=database_refusal)
        except ConflictError as exc:
            self.show(f"Could not {what}: {exc}", "error", offer_reload=True)
        except NotFoundError as exc:
            self.show(f"Could not {what}: {exc}", "error", offer_reload=True)
        except PermissionDeniedError as exc:
            self.show(f"Not allowed: {exc}", "error")
        except PortfolioKitError as exc:
            self.show(f"Could not {what}: {exc}", "error")
        except SQLAlchemyError as exc:
            first_line = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            self.show(
                f"Could not {what}: the database refused it ({first_line})",
                "error",
                offer_reload=True,
            )
        except Exception as exc:
            logger.exception("unexpected error while trying to %s", what)
            self.show(
                f"Could not {what}: unexpected {type(exc).__name__}: {exc} "
                "(a bug: please report it)",
                "error",
            )
        return None


def run_quietly(action: Callable[[], Any]) -> None:
    """Run a refresh that must never break the form drawing it."""
    try:
        action()
    except Exception:
        logger.exception("refresh failed")
