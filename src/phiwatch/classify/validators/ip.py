"""IP address (IPv4 dotted quad or IPv6). Unspecified, loopback and all-zero forms are INVALID;
private and link-local addresses are VALID (a patient's home router is still an identifier)."""

from __future__ import annotations

import ipaddress

from phiwatch.classify.validators import VALIDATORS, Verdict


@VALIDATORS.register("ip")
def validate(value: str) -> Verdict:
    v = value.strip().strip("[]")
    if v.count(".") == 3 and ":" not in v:
        parts = v.split(".")
        if any(not p.isdigit() or len(p) > 3 or (len(p) > 1 and p[0] == "0") for p in parts):
            return Verdict.INVALID  # leading zeros: version strings, not addresses
    elif v.count(":") < 2:
        return Verdict.INVALID
    try:
        addr = ipaddress.ip_address(v)
    except ValueError:
        return Verdict.INVALID
    if addr.is_unspecified or addr.is_loopback or addr.is_multicast:
        return Verdict.INVALID
    return Verdict.VALID
