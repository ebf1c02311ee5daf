"""Who the forms act as: a sign-in widget, or the configured user of a single-user lab.

Every save is attributed in the audit trail to the acting user, and a
partner (or nobody) can save nothing. ``ActingUser`` holds that identity and
tells the forms sharing it when it changes; ``SignIn`` is the widget that
checks an e-mail and password against the users table. In a JupyterLab of
one person, ``PORTFOLIO_KIT_USER`` names the account instead, so the analyst
is not asked for a password at every kernel start.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from portfolio_kit.audit import Actor
from portfolio_kit.db import Database
from portfolio_kit.errors import NotFoundError, ValidationError
from portfolio_kit.models import Role
from portfolio_kit.security import actor_for, authenticate, find_user
from portfolio_kit.settings import ENV_PREFIX, get_settings
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import error_html

Listener = Callable[["ActingUser"], None]


class ActingUser:
    """The identity shared by the forms of a notebook.

    ``actor`` is None until someone signs in (or the configured user is
    found); ``explanation`` says in a sentence why saving is not possible, or
    is empty when it is.
    """

    def __init__(self, actor: Actor | None = None, *, note: str = "") -> None:
        self._actor = actor
        self._note = note
        self._listeners: list[Listener] = []

    @classmethod
    def from_settings(cls, db: Database) -> ActingUser:
        """The account named by ``PORTFOLIO_KIT_USER``, if it exists and is active.

        An unknown or deactivated account yields nobody, with a note that
        names the variable, so the forms say why they cannot save.
        """
        email = get_settings().user
        if not email:
            return cls(
                None, note=f"nobody is signed in: sign in, or set {ENV_PREFIX}USER to your e-mail"
            )
        try:
            with db.session() as session:
                user = find_user(session, email)
                actor = actor_for(user)
                active = user.active
        except (NotFoundError, ValidationError):
            return cls(
                None,
                note=f"{ENV_PREFIX}USER={email!r} is not a user of this database: sign in instead",
            )
        if not active:
            return cls(
                None,
                note=f"{ENV_PREFIX}USER={email!r} is deactivated: sign in with another account",
            )
        return cls(actor)

    @property
    def actor(self) -> Actor | None:
        return self._actor

    @property
    def can_write(self) -> bool:
        return self._actor is not None and self._actor.can_write

    @property
    def is_admin(self) -> bool:
        return self._actor is not None and self._actor.role is Role.ADMIN

    @property
    def explanation(self) -> str:
        """Why nothing can be saved right now ("" when saving is allowed)."""
        if self._actor is None:
            return self._note or "nobody is signed in"
        if not self._actor.can_write:
            actor = self._actor
            return f"{actor.email} is a {actor.role.value}: read-only, nothing can be saved"
        return ""

    def describe(self) -> str:
        if self._actor is None:
            return "Not signed in"
        return f"Signed in as {self._actor.email} ({self._actor.role.value})"

    def set(self, actor: Actor | None, *, note: str = "") -> None:
        self._actor = actor
        self._note = note
        for listener in list(self._listeners):
            listener(self)

    def observe(self, listener: Listener) -> None:
        """Call ``listener(self)`` whenever the acting user changes."""
        self._listeners.append(listener)

    def unobserve(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)


class SignIn(WidgetDisplay):
    """E-mail and password checked against the users table.

    A wrong password and an unknown e-mail get the same answer, so the form
    does not reveal which accounts exist. Signing out falls back to nobody
    (not to the configured user), so a shared screen is left read-only.
    """

    def __init__(self, db: Database, user: ActingUser | None = None) -> None:
        self.db = db
        self.user = user if user is not None else ActingUser.from_settings(db)
        self.email = widgets.Text(description="E-mail", placeholder="you@example.com")
        self.password = widgets.Password(description="Password")
        self.sign_in_button = widgets.Button(description="Sign in", button_style="primary")
        self.sign_out_button = widgets.Button(description="Sign out")
        self.status = widgets.HTML()
        self.sign_in_button.on_click(lambda _button: self.sign_in())
        self.sign_out_button.on_click(lambda _button: self.sign_out())
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.email, self.password]),
                widgets.HBox([self.sign_in_button, self.sign_out_button]),
                self.status,
            ]
        )
        self.user.observe(lambda _user: self._show())
        self._show()

    def sign_in(self) -> bool:
        """Check the typed credentials; on success the shared user changes."""
        email, password = self.email.value.strip(), self.password.value
        self.password.value = ""
        if not email or not password:
            self._error("type your e-mail and password")
            return False
        with self.db.session() as session:
            user = authenticate(session, email, password)
            actor = actor_for(user) if user is not None else None
        if actor is None:
            self._error("e-mail or password is wrong, or the account is deactivated")
            return False
        self.user.set(actor)
        return True

    def sign_out(self) -> None:
        self.user.set(None, note="signed out: sign in to save")

    def _error(self, message: str) -> None:
        self.status.value = error_html(message)

    def _show(self) -> None:
        text = self.user.describe()
        if self.user.actor is not None and not self.user.can_write:
            text += ": read-only"
        self.status.value = text
        self.sign_out_button.disabled = self.user.actor is None

    def _plain_text(self) -> str:
        return "SignIn: e-mail and password"
