"""Synthetic identifiers with the real formats and check digits (NPI, MBI, SSN, UUID).

Every value here is synthetic: SSNs use the 900-999 area the SSA never issues, NPIs and MBIs
are random numbers that only satisfy the published format rules.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

# MBI letters exclude S, L, O, I, B, Z (CMS MBI format specification).
MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"
MBI_ALNUM = "0123456789" + MBI_ALPHA
_HEX = "0123456789abcdef"


def pick(rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice`` without its Python-level overhead (the hot path builds many records)."""
    return seq[int(rng.random() * len(seq))]


def between(rng: random.Random, lo: int, hi: int) -> int:
    """``rng.randint(lo, hi)``, faster: one C-level ``random()`` call."""
    return lo + int(rng.random() * (hi - lo + 1))


def luhn_check_digit(digits: str) -> int:
    """The digit that, appended to ``digits``, makes the Luhn (mod 10) sum a multiple of 10."""
    total = 0
    # Walking from the right, the first digit (next to the future check digit) is doubled.
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def npi(rng: random.Random) -> str:
    """10 digits, first 1 or 2, Luhn check digit over "80840" + the first 9 (CMS NPI rule)."""
    body = f"{pick(rng, '12')}{int(rng.random() * 100_000_000):08d}"
    return body + str(luhn_check_digit("80840" + body))


def mbi(rng: random.Random) -> str:
    """Medicare Beneficiary Identifier: C A AN N A AN N A A N N (11 characters)."""

    def c(chars: str) -> str:
        return chars[int(rng.random() * len(chars))]

    digits = "0123456789"
    return "".join(
        (
            c("123456789"),
            c(MBI_ALPHA),
            c(MBI_ALNUM),
            c(digits),
            c(MBI_ALPHA),
            c(MBI_ALNUM),
            c(digits),
            c(MBI_ALPHA),
            c(MBI_ALPHA),
            c(digits),
            c(digits),
        )
    )


def ssn(rng: random.Random) -> str:
    """A well-formed SSN in the never-issued 900-999 area (as Synthea uses 999-xx-xxxx)."""
    return f"{between(rng, 900, 999)}-{between(rng, 1, 99):02d}-{between(rng, 1, 9999):04d}"


def uuid4(rng: random.Random) -> str:
    """A version-4-shaped UUID drawn from ``rng`` (the uuid module would use os.urandom)."""
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def hex_token(rng: random.Random, nbytes: int) -> str:
    return f"{rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"


def phone(rng: random.Random, area: str) -> str:
    """A US number in the 555-01xx range reserved for fiction."""
    return f"({area}) 555-01{int(rng.random() * 100):02d}"
