"""Check-digit rules, written independently of the simulator (from the published rules)."""

from __future__ import annotations

import re

MBI_RE = re.compile(
    r"^[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]"
    r"[AC-HJKMNP-RT-Y]{2}[0-9]{2}$"
)


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def npi_valid(npi: str) -> bool:
    """CMS: 10 digits, first 1 or 2, Luhn over the prefix 80840 + all 10 digits."""
    return len(npi) == 10 and npi.isdigit() and npi[0] in "12" and luhn_valid("80840" + npi)


def mbi_valid(mbi: str) -> bool:
    return bool(MBI_RE.match(mbi))


def loinc_valid(code: str) -> bool:
    """LOINC: digits, a hyphen, one mod-10 check digit (the Luhn algorithm)."""
    body, _, check = code.partition("-")
    return body.isdigit() and len(check) == 1 and check.isdigit() and luhn_valid(body + check)


def ssn_synthetic(ssn: str) -> bool:
    """AAA-GG-SSSS with an area in the never-issued 900-999 range, group and serial non-zero."""
    m = re.fullmatch(r"(\d{3})-(\d{2})-(\d{4})", ssn)
    if m is None:
        return False
    return 900 <= int(m.group(1)) <= 999 and m.group(2) != "00" and m.group(3) != "0000"
