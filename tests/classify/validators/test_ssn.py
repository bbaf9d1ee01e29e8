"""SSN: issued areas, groups and serials; 9xx and placeholders."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("ssn")

ROWS = [
    ("123-45-6788", V, "issued area, group, serial"),
    ("536-22-1234", V, "ordinary SSN"),
    ("999-94-5397", U, "Synthea 9xx area: never issued, shape fits"),
    ("000-12-3456", X, "area 000"),
    ("666-12-3456", X, "area 666"),
    ("536-00-1234", X, "group 00"),
    ("536-22-0000", X, "serial 0000"),
    ("078-05-1120", X, "Woolworth wallet placeholder"),
    ("123-45 6788", X, "mixed delimiters"),
    ("12-345-6788", X, "dashes in the wrong places"),
    ("111-11-1111", X, "all one digit"),
    ("536221234", V, "bare nine digits with a valid area"),
    ("900-12-3456", U, "ITIN-range area 9xx"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
