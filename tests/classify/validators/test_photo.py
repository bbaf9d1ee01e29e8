"""photo validator: valid values, broken checks or shapes, and look-alikes."""

from __future__ import annotations

import pytest

from phiwatch.classify.validators import Verdict, load_validators

V, X, U = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN
validate = load_validators().get("photo")

ROWS = [
    ("data:image/png;base64,iVBORw0KGgo=", V, "data URI"),
    ("https://x.org/p.jpg", U, "URL under a photo key"),
    ("smile", X, "not an image"),
    (
        "/9j/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        V,
        "base64 JPEG",
    ),
]


@pytest.mark.parametrize(("value", "expected", "why"), ROWS, ids=[r[2] for r in ROWS])
def test_validate(value: str, expected: Verdict, why: str) -> None:
    assert validate(value) is expected, why
