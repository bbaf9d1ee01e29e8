"""device_id validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("device_id")

ROWS = [
    ("(01)00844588003288", V, "GS1 UDI with GTIN check"),
    ("(01)00844588003289", X, "bad GTIN check"),
    ("SN-4432-11", U, "serial by context"),
    ("0100844588003288", V, "GS1 without parentheses"),
    ("+H123PARTNO1/$$3231A", U, "HIBCC"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
