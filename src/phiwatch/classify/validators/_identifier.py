"""Shared shape rule for opaque identifiers found by context (MRN, account, member id...)."""

from __future__ import annotations

from phiwatch.classify.validators import Verdict


def opaque_id(value: str, lo: int = 4, hi: int = 64) -> Verdict:
    """An id named by its key: 4-64 characters, at least one digit, no spaces inside."""
    v = value.strip()
    if not lo <= len(v) <= hi or any(ch.isspace() for ch in v):
        return Verdict.INVALID
    if not any(ch.isdigit() for ch in v) or len(set(v)) == 1:
        return Verdict.INVALID
    return Verdict.UNKNOWN
