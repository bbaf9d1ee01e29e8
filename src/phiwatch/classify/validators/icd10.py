"""ICD-10(-CM) code: a letter (not U unless U0x), a digit, an alphanumeric, then optionally a dot
and 1-4 alphanumerics. No check digit: a well-formed code is UNKNOWN (needs context)."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict


@VALIDATORS.register("icd10")
def validate(value: str) -> Verdict:
    v = value.strip().upper()
    head, dot, tail = v.partition(".")
    if not dot and len(v) > 3:
        head, tail = v[:3], v[3:]
    if len(head) != 3 or not head.isascii() or not head[0].isalpha() or not head[1].isdigit():
        return Verdict.INVALID
    if head[0] == "U" and head[1] != "0":
        return Verdict.INVALID
    if not head[2].isalnum() or len(tail) > 4 or (dot and not tail):
        return Verdict.INVALID
    if tail and not (tail.isascii() and tail.isalnum()):
        return Verdict.INVALID
    return Verdict.UNKNOWN
