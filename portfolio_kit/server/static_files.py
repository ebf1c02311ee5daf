"""Voila's template, static, theme and extension files, for signed-in people only.

Voila serves these with plain tornado file handlers that never ask the
identity provider, so before this module anyone could read the page
template's files, and a malformed template path (``/voila/templates/x`` or
``.../lab/static/``) crashed Voila's handler with a 500 and a traceback in
the log. The handlers here are Voila's own with two changes: an anonymous
request gets 403 before any path is looked at (a stylesheet or script has no
use for a redirect to an HTML sign-in page), and a template path not of the
form ``<template>/static/<file>`` is a plain 404.

Our sign-in pages need none of these files (their styles are inlined, see
``pages.py``), so nothing a signed-out visitor must see is hidden.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_server.base.handlers import FileFindHandler
from jupyterlab_server.themes_handler import ThemesHandler
from tornado import web
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler


class SignedInOnly(web.RequestHandler):
    """Mixin (listed first): 403 unless the identity provider knows the requester."""

    @property
    def base_url(self) -> str:
        # The session cookie's path, for a provider that clears a stale cookie.
        return str(self.settings.get("base_url", "/"))

    async def prepare(self) -> None:
        # JupyterHandler.prepare (file-find and theme handlers) resolves the
        # user itself and is a coroutine; tornado's own prepare does nothing.
        inherited = super().prepare()
        if inherited is not None:
            await inherited
        user = getattr(self, "_jupyter_current_user", None)
        if not user:
            user = self.settings["identity_provider"].get_user(self)
        if not user:
            raise web.HTTPError(403, "sign in to read %s", self.request.path)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # A line of text: Jupyter's HTML error page needs templates Voila's
        # Jinja environment does not have (it would log a second traceback).
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if status_code == 403:
            self.finish("Sign in to see the dashboards.\n")
        else:
            self.finish(f"{status_code}: {self._reason}\n")


def _template_path_parts(path: str) -> tuple[str, str]:
    """``(template, file)`` of a ``<template>/static/<file>`` path, or 404."""
    parts = os.path.normpath(path).split(os.path.sep, 2)
    if len(parts) != 3 or parts[1] != "static" or not parts[0] or parts[2] in ("", "."):
        raise web.HTTPError(404, "not a template file: %s", path)
    return parts[0], parts[2]


class SignedInTemplateFiles(SignedInOnly, TemplateStaticFileHandler):
    """``/voila/templates/<template>/static/<file>``."""

    def parse_url_path(self, path: str) -> str:
        _template_path_parts(path)
        return str(super().parse_url_path(path))

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        _template_path_parts(path)
        return str(super().get_absolute_path(root, path))


class SignedInStaticFiles(SignedInOnly, MultiStaticFileHandler):
    """``/voila/static/<file>``: Voila's own scripts."""


class SignedInExtensionFiles(SignedInOnly, FileFindHandler):
    """``/voila/labextensions/<file>``: the widget manager and renderers."""


class SignedInThemeFiles(SignedInOnly, ThemesHandler):
    """``/voila/api/themes/<file>``."""


_REPLACEMENTS: dict[type, type] = {
    TemplateStaticFileHandler: SignedInTemplateFiles,
    MultiStaticFileHandler: SignedInStaticFiles,
    FileFindHandler: SignedInExtensionFiles,
    ThemesHandler: SignedInThemeFiles,
}


def signed_in_file_routes(routes: list[Any]) -> list[Any]:
    """Voila's routes with each file handler swapped for its signed-in twin
    (same URL pattern, same arguments); every other route unchanged."""
    swapped = []
    for route in routes:
        if isinstance(route, tuple) and len(route) >= 2 and route[1] in _REPLACEMENTS:
            route = (route[0], _REPLACEMENTS[route[1]], *route[2:])
        swapped.append(route)
    return swapped
