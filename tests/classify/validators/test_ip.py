"""ip validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("ip")

ROWS = [
    ("10.1.2.3", V, "private v4"),
    ("2001:db8::1", V, "v6"),
    ("1.2.3", X, "three parts"),
    ("1.02.3.4", X, "leading zero: a version string"),
    ("256.1.1.1", X, "octet out of range"),
    ("127.0.0.1", X, "loopback"),
    ("12:30:45", X, "a clock time"),
    ("2001:db8:0:0:0:0:0:1", V, "v6 full form"),
    ("::", X, "unspecified"),
    ("224.0.0.1", X, "multicast"),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
