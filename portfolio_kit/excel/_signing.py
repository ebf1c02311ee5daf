"""Signing a workbook's hidden metadata, so an edited company or layout is refused on import.

The metadata sheet of a KPI template says which company and periods the
figures belong to. Anybody can unhide and edit it, so export adds an
HMAC-SHA256 of the metadata under the key ``signing_key()`` returns, and
import recomputes it and compares with ``hmac.compare_digest``: a changed
company id, period, row layout or currency, a removed signature or a file
signed by another installation fails. The figures typed on the data sheet
are not signed: filling them in is the point of the file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from portfolio_kit.keyfile import load_or_create_key
from portfolio_kit.settings import get_settings

SIGNATURE_KEY = "signature"
"""The metadata entry that holds the signature (hex), written last."""

_DOMAIN = b"portfolio_kit workbook metadata v1\n"
"""Prefixed to what is signed, so this key's signatures mean nothing elsewhere."""


def signing_key() -> bytes:
    """``PORTFOLIO_KIT_TEMPLATE_SIGNING_KEY``, or the key generated in the data dir.

    Raises
    ------
    ConfigurationError
        When the generated key file cannot be created or is readable by others.
    """
    settings = get_settings()
    if settings.template_signing_key is not None:
        return settings.template_signing_key.get_secret_value().encode("utf-8")
    return load_or_create_key(settings.template_signing_key_path, "the template signing key")


def _canonical(entries: Mapping[str, Any]) -> bytes:
    unsigned = {key: value for key, value in entries.items() if key != SIGNATURE_KEY}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def sign(entries: Mapping[str, Any], key: bytes) -> str:
    """The signature (hex) of JSON-ready ``entries``, any ``signature`` entry left out."""
    return hmac.new(key, _DOMAIN + _canonical(entries), hashlib.sha256).hexdigest()


def signature_problem(entries: Mapping[str, Any], key: bytes) -> str | None:
    """Why ``entries`` (as read back) are not signed with ``key``, or None when they are."""
    offered = entries.get(SIGNATURE_KEY)
    if offered is None:
        return (
            "its hidden metadata has no signature (the signature was removed, or the file "
            "was made by an older release or another program)"
        )
    if not isinstance(offered, str) or not hmac.compare_digest(
        offered.encode("ascii", "replace"), sign(entries, key).encode("ascii")
    ):
        return (
            "its hidden metadata does not match its signature (the company, periods or row "
            "layout recorded in it were edited, or it was signed by another installation's key)"
        )
    return None
