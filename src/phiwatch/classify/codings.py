"""Reads the code beside a coding-system marker found by the raw scan: the ``"code"`` member of
the same JSON object, or the ``code`` attribute of the same XML element. Bounded windows and
bytes.find only, no regular expressions over bodies."""

from __future__ import annotations

_WINDOW = 400


def _json_code(data: bytes, start: int, end: int) -> str | None:
    lo = data.rfind(b"{", max(0, start - _WINDOW), start)
    hi = data.find(b"}", end, end + _WINDOW)
    if lo < 0 or hi < 0:
        return None
    i = data.find(b'"code"', lo, hi)
    if i < 0:
        return None
    j = data.find(b'"', i + 6, hi)
    if j < 0 or data[i + 6 : j].strip() != b":":
        return None
    k = data.find(b'"', j + 1, hi)
    return data[j + 1 : k].decode("utf-8", "replace") if k > j else None


def _xml_code(data: bytes, start: int, end: int) -> str | None:
    lo = data.rfind(b"<", max(0, start - _WINDOW), start)
    hi = data.find(b">", end, end + _WINDOW)
    if lo < 0 or hi < 0:
        return None
    for quote in (b'"', b"'"):
        i = data.find(b" code=" + quote, lo, hi)
        if i >= 0:
            k = data.find(quote, i + 7, hi)
            return data[i + 7 : k].decode("utf-8", "replace") if k > i else None
    return None


def code_near(data: bytes, start: int, end: int) -> str | None:
    """The code of the Coding (JSON) or element (XML) whose system marker spans [start, end)."""
    if data[start : start + 1] == b'"':
        return _json_code(data, start, end)
    return _xml_code(data, start, end)
