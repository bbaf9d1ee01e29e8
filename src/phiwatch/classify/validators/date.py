"""Date: ISO (YYYY-MM-DD, optionally with a time), US (MM/DD/YYYY) or compact YYYYMMDD (HL7 v2),
between 1870 and 2100 with a real month and day. Dates are PHI only by context (birth, death,
admission, service), so a well-formed date is UNKNOWN; a year alone is INVALID (Safe Harbor
allows it)."""

from __future__ import annotations

import datetime

from phiwatch.classify.validators import VALIDATORS, Verdict


def parse_date(value: str) -> datetime.date | None:
    v = value.strip()
    try:
        if len(v) >= 10 and v[4] == "-" and v[7] == "-":
            return datetime.date(int(v[:4]), int(v[5:7]), int(v[8:10]))
        if len(v) == 10 and v[2] == "/" and v[5] == "/":
            return datetime.date(int(v[6:]), int(v[:2]), int(v[3:5]))
        if len(v) >= 8 and v[:8].isdigit() and (len(v) == 8 or not v[8].isdigit() or len(v) >= 12):
            return datetime.date(int(v[:4]), int(v[4:6]), int(v[6:8]))
    except ValueError:
        return None
    return None


@VALIDATORS.register("date")
def validate(value: str) -> Verdict:
    d = parse_date(value)
    if d is None or not 1870 <= d.year <= 2100:
        return Verdict.INVALID
    return Verdict.UNKNOWN
