"""Payment card PAN: 13-19 digits (spaces or dashes allowed), Luhn, and a known IIN range
(Visa 4, Mastercard 51-55/2221-2720, Amex 34/37, Discover 6011/644-649/65, JCB 3528-3589,
Diners 300-305/36/38, UnionPay 62). Repeated digits are rejected."""

from __future__ import annotations

from phiwatch.classify.validators import VALIDATORS, Verdict, digits_only, luhn_ok


def _iin_ok(d: str) -> bool:
    n = len(d)
    two, four = int(d[:2]), int(d[:4])
    if d[0] == "4":
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if d.startswith("6011") or 644 <= int(d[:3]) <= 649 or two == 65:
        return 16 <= n <= 19
    if 3528 <= four <= 3589:
        return 16 <= n <= 19
    if 300 <= int(d[:3]) <= 305 or two in (36, 38):
        return 14 <= n <= 19
    if two == 62:
        return 16 <= n <= 19
    return False


@VALIDATORS.register("payment_card")
def validate(value: str) -> Verdict:
    if any(not (ch.isdigit() or ch in " -") for ch in value):
        return Verdict.INVALID
    d = digits_only(value)
    if not 13 <= len(d) <= 19 or len(set(d)) == 1:
        return Verdict.INVALID
    return Verdict.VALID if _iin_ok(d) and luhn_ok(d) else Verdict.INVALID
