"""SNOMED CT identifier: partition, Verhoeff check digit."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("snomed")

ROWS = [
    ("44054006", V, "diabetes type 2"),
    ("1290023401004", V, "extension concept"),
    ("44054007", X, "bad Verhoeff digit"),
    ("0044054006", X, "leading zero"),
    ("12345", X, "too short"),
    ("404684003", V, "clinical finding (was rejected by a mistyped Verhoeff table)"),
    ("138875005", V, "SNOMED CT root concept"),
    ("195967001", V, "asthma"),
    ("195967002", X, "asthma with a wrong check digit"),
    ("44054016", X, "partition 01 -> 1x fails Verhoeff"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
