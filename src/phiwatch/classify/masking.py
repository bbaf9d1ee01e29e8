"""Masked evidence: enough to recognise the kind of value, never the value itself.

SSN ``***-**-6789``; identifiers keep their last 4 characters only when long enough that 4
characters do not give them away; dates keep the year (Safe Harbor allows it); names and
addresses keep initials; credentials become a keyed fingerprint.
"""

from __future__ import annotations

from collections.abc import Callable


def _tail(value: str, keep: int = 4, min_len: int = 8) -> str:
    v = value.strip()
    if len(v) < min_len:
        return "*" * len(v) if v else ""
    return "*" * (len(v) - keep) + v[-keep:]


def mask(category: str, value: str, fingerprint: Callable[[str], str]) -> str:
    v = value.strip()
    if category == "ssn":
        d = "".join(ch for ch in v if ch.isdigit())
        return "***-**-" + d[-4:] if len(d) == 9 else "***-**-****"
    if category in ("phone", "fax"):
        d = "".join(ch for ch in v if ch.isdigit())
        return "***-***-" + d[-4:] if len(d) >= 10 else "***-***-****"
    if category == "email":
        local, _, domain = v.rpartition("@")
        tld = domain.rpartition(".")[2]
        return f"{local[:1]}***@***.{tld}" if local else "***"
    if category == "date":
        return v[:4] + "-**-**" if len(v) >= 4 and v[:4].isdigit() else "**/**/" + v[-4:]
    if category in ("name", "address"):
        words = v.split()
        return " ".join(w[:1] + "***" for w in words[:4]) if words else ""
    if category == "credential":
        return "secret:" + fingerprint(v)[:12]
    if category in ("photo", "biometric"):
        return f"<{len(v)} chars>"
    if category == "url":
        scheme, sep, _rest = v.partition("://")
        return f"{scheme}{sep}***" if sep else "***"
    if category == "ip":
        sep = "." if "." in v else ":"
        head = v.split(sep)[0]
        return f"{head}{sep}***"
    if category == "payment_card":
        d = "".join(ch for ch in v if ch.isdigit())
        return "****-****-****-" + d[-4:] if len(d) >= 13 else "****"
    if category in ("icd10", "loinc", "snomed", "rxnorm"):
        return v  # terminology codes: not identifiers on their own, shown so evidence reads well
    return _tail(v)
