"""Shared plumbing for the assumption dataclasses: JSON round trips and field checks.

Assumptions are saved with a model and rebuilt later (and an Excel builder
mirrors them cell by cell), so each dataclass converts to a plain dict of
numbers, strings, booleans and lists, and back, with every field re-checked
on the way in. Checks raise ``ValueError`` naming the field, e.g.
``"wacc: must exceed terminal_growth (0.08 <= 0.09)"``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, Self


def number(field: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{field}: must be a number, got {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: must be a number, got {value!r}") from None
    if not math.isfinite(result):
        raise ValueError(f"{field}: must be finite, got {result}")
    return result


def positive(field: str, value: Any) -> float:
    result = number(field, value)
    if result <= 0:
        raise ValueError(f"{field}: must be positive, got {result}")
    return result


def non_negative(field: str, value: Any) -> float:
    result = number(field, value)
    if result < 0:
        raise ValueError(f"{field}: must not be negative, got {result}")
    return result


def fraction(field: str, value: Any, low: float = 0.0, high: float = 1.0) -> float:
    result = number(field, value)
    if not low <= result <= high:
        raise ValueError(f"{field}: must be between {low} and {high}, got {result}")
    return result


def rate(field: str, value: Any) -> float:
    result = number(field, value)
    if result <= -1.0:
        raise ValueError(f"{field}: must be greater than -1 (-100%), got {result}")
    return result


def per_year(field: str, value: Any, years: int, check: Any = number) -> tuple[float, ...]:
    """A scalar repeated for every year, or one value per year."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        return tuple(check(field, value) for _ in range(years))
    if len(value) != years:
        raise ValueError(f"{field}: needs {years} values (one per year), got {len(value)}")
    return tuple(check(f"{field}[{i}]", item) for i, item in enumerate(value))


def to_plain(instance: Any) -> dict[str, Any]:
    """``dataclasses.asdict`` with tuples as lists, so ``json.dumps`` accepts the result."""

    def plain(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    return {key: plain(value) for key, value in dataclasses.asdict(instance).items()}


def known_fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` restricted to ``cls``'s fields; unknown keys are an error naming them."""
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__}: expected a dict, got {type(data).__name__}")
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown field(s) {', '.join(unknown)}")
    return dict(data)


class Assumptions:
    """The JSON round trip every assumption dataclass offers, written once.

    ``from_dict`` refuses unknown keys and runs the class's own checks (its
    ``__post_init__``); ``replace`` re-checks too, so an edited copy is as
    valid as one built from scratch.
    """

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**known_fields(cls, data))

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]
