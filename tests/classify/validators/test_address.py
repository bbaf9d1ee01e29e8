"""address validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("address")

ROWS = [
    ("260 Goodwin Crest Drive", V, "street line"),
    ("02139", U, "ZIP needs context"),
    ("12345", U, "ZIP-shaped"),
    ("1234", X, "no letters, not a ZIP"),
    ("12 Main St", V, "abbreviated suffix"),
    ("Main Street", U, "no house number"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
