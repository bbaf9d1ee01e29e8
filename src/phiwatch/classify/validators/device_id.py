"""Device identifier: a GS1 UDI (``(01)`` + 14-digit GTIN with its mod-10 check, then optional
application identifiers such as (17) expiry, (10) lot, (21) serial) is VALID; a HIBCC UDI
(starts with "+") or a serial number found by context is UNKNOWN."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict


def gtin_ok(gtin: str) -> bool:
    if len(gtin) != 14 or not gtin.isdigit():
        return False
    total = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(gtin[:13]))
    return (10 - total % 10) % 10 == int(gtin[13])


@VALIDATORS.register("device_id")
def validate(value: str) -> Verdict:
    v = value.strip()
    if v.startswith("(01)"):
        return Verdict.VALID if gtin_ok(v[4:18]) else Verdict.INVALID
    if v.startswith("01") and len(v) >= 16 and v[2:16].isdigit() and gtin_ok(v[2:16]):
        return Verdict.VALID
    if v.startswith("+") and len(v) >= 6 and v[1:].replace("/", "").replace("$", "").isalnum():
        return Verdict.UNKNOWN
    if 4 <= len(v) <= 64 and not any(ch.isspace() for ch in v) and any(ch.isdigit() for ch in v):
        return Verdict.UNKNOWN
    return Verdict.INVALID
