"""name validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("name")

ROWS = [
    ("Sumiko254 Larue605 Medhurst46", U, "Synthea name with digits"),
    ("Jane O'Neil-Smith", U, "apostrophe and hyphen"),
    ("null", X, "placeholder"),
    ("Order #1234", X, "not letters"),
    ("Jane", U, "one word"),
    ("A B C D E F", X, "six words"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
