"""The signed session cookie: what is accepted and everything that is not."""

from __future__ import annotations

import json
import time

from tornado.web import create_signed_value

from portfolio_kit.server.sessions import (
    COOKIE_NAME,
    decode_session,
    encode_session,
    new_claims,
    password_fingerprint,
    session_cookie_values,
)

SECRET = b"s" * 32
OTHER_SECRET = b"t" * 32


def test_a_fresh_cookie_round_trips() -> None:
    claims = new_claims(7, "pat@example.com", "argon2-hash")
    decoded = decode_session(SECRET, encode_session(SECRET, claims), max_age_hours=12)
    assert decoded == claims
    assert decoded is not None and decoded.password_fingerprint == password_fingerprint(
        "argon2-hash"
    )


def test_a_cookie_signed_with_another_secret_is_refused() -> None:
    value = encode_session(OTHER_SECRET, new_claims(7, "pat@example.com", "h"))
    assert decode_session(SECRET, value, max_age_hours=12) is None


def test_a_tampered_cookie_is_refused() -> None:
    value = encode_session(SECRET, new_claims(7, "pat@example.com", "h"))
    # Swap the user id inside the payload while keeping the old signature.
    parts = value.split("|")
    assert decode_session(SECRET, "|".join([*parts[:-1], "0" * 64]), max_age_hours=12) is None


def test_a_plain_user_name_is_not_a_session() -> None:
    assert decode_session(SECRET, "pat@example.com", max_age_hours=12) is None
    assert decode_session(SECRET, "", max_age_hours=12) is None
    assert decode_session(SECRET, None, max_age_hours=12) is None


def test_a_session_expires_after_max_age() -> None:
    issued = time.time() - 13 * 3600
    value = encode_session(SECRET, new_claims(7, "pat@example.com", "h", now=issued))
    assert decode_session(SECRET, value, max_age_hours=12) is None
    assert decode_session(SECRET, value, max_age_hours=14) is not None


def test_a_session_issued_in_the_future_is_refused() -> None:
    value = encode_session(SECRET, new_claims(7, "pat@example.com", "h", now=time.time() + 3600))
    assert decode_session(SECRET, value, max_age_hours=12) is None


def test_a_genuinely_signed_but_malformed_payload_is_refused() -> None:
    value = create_signed_value(SECRET, COOKIE_NAME, json.dumps({"uid": "not a number"})).decode()
    assert decode_session(SECRET, value, max_age_hours=12) is None


def test_the_cookie_is_found_in_a_raw_header() -> None:
    value = encode_session(SECRET, new_claims(3, "pat@example.com", "h"))
    header = f'_xsrf=2|abc; {COOKIE_NAME}="{value}"; theme=dark'
    assert session_cookie_values(header) == [value]
    assert session_cookie_values("theme=dark") == []
    assert session_cookie_values(None) == []
    # Another site's malformed cookie must not hide ours.
    assert session_cookie_values(f'bad"cookie=x"y; {COOKIE_NAME}={value}') == [value]


def test_every_duplicate_of_the_cookie_is_returned_in_order() -> None:
    # Two sessions under one name (cookies for "/" and "/voila/"): the
    # caller must see both, whatever else the header holds.
    first = encode_session(SECRET, new_claims(1, "ada@example.com", "h1"))
    second = encode_session(SECRET, new_claims(3, "pat@example.com", "h2"))
    for header in (
        f"{COOKIE_NAME}={first}; {COOKIE_NAME}={second}",
        f'x y=1; {COOKIE_NAME}="{first}";{COOKIE_NAME}={second}',
        f"{COOKIE_NAME}={first}; bad\\key=\"; {COOKIE_NAME}={second}; {COOKIE_NAME}=",
        f"{COOKIE_NAME} = {first} ; {COOKIE_NAME}={second}",
    ):
        assert session_cookie_values(header) == [first, second], header


def test_names_that_merely_resemble_ours_are_not_our_cookie() -> None:
    value = encode_session(SECRET, new_claims(1, "ada@example.com", "h1"))
    header = f"x{COOKIE_NAME}={value}; {COOKIE_NAME}x={value}; {COOKIE_NAME.upper()}={value}"
    assert session_cookie_values(header) == []
