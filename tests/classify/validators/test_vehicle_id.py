"""vehicle_id validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("vehicle_id")

ROWS = [
    ("1M8GDM9AXKP042788", V, "VIN with check digit"),
    ("1M8GDM9A1KP042788", U, "VIN-shaped, check digit differs"),
    ("7ABC123", U, "plate"),
    ("ABCDEFGHJKLMNPRST", X, "no digit"),
    ("1M8GDM9AXKP04278", X, "sixteen characters"),
    ("1M8GDM9AXKP04278I", X, "I is not a VIN letter"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
