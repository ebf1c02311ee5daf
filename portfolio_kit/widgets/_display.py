"""How a form shows itself when it is the last expression of a notebook cell.

A form is a plain object owning its widgets, so Jupyter needs telling how to
draw it: the mime bundle is the top widget's view plus a short, stable
``text/plain``. ipywidgets' own plain text is the widget's repr, which holds
every current value (timestamps included); notebook regression tests compare
``text/plain``, so a form offers one line that does not change between runs.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets


class WidgetDisplay:
    """Mixin: ``self.widget`` is drawn; ``_plain_text()`` is the text fallback."""

    widget: widgets.Widget

    def _plain_text(self) -> str:
        return type(self).__name__

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = self._plain_text()
        return bundle

    def __repr__(self) -> str:
        return f"<{self._plain_text()}>"
