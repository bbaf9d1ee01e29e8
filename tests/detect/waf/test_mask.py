from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phiwatch.detect.waf.mask import MAX_EXCERPT, location_from_match, mask_excerpt, split_logdata


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("1' OR '1'='1", "#' OR '#'='#"),  # digits hidden, SQL grammar kept
        ("' UNION SELECT password FROM users--", "' UNION SELECT p******* FROM u****--"),  # values hidden
        ("<script>alert(1)</script>", "<script>alert(#)</script>"),  # XSS shape kept
        ("123-45-6789", "###-##-####"),  # an SSN never survives
        ("Smith", "S****"),  # a name: first letter and length only
        ("../../etc/passwd", "../../etc/passwd"),  # traversal grammar is all keywords
    ],
)
def test_mask_excerpt(raw: str, masked: str) -> None:
    assert mask_excerpt(raw) == masked


@given(st.text(max_size=400))
def test_mask_never_leaks_digits_and_is_bounded(text: str) -> None:
    out = mask_excerpt(text)
    assert not any(ch in "0123456789" for ch in out)
    assert len(out) <= MAX_EXCERPT + 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Matched Data: s&sos found within ARGS:q: 1' OR '1'='1", ("ARGS:q", "s&sos")),
        ("Matched Data: <script found within ARGS:json.a: x", ("ARGS:json.a", "<script")),
        ("GET /a HTTP/1.1", ("", "")),  # another logdata shape (920100)
        ("Matched Data: x", ("", "")),  # truncated logdata
    ],
)  # fmt: skip
def test_split_logdata(data: str, expected: tuple[str, str]) -> None:
    assert split_logdata(data) == expected


def test_location_from_match() -> None:
    text = "Matched \"Operator `Rx' with parameter `x' against variable `REQUEST_LINE' (Value: `GET /')"
    assert location_from_match(text) == "REQUEST_LINE"
    assert location_from_match("no variable here") == ""
