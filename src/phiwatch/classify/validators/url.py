"""URL: http(s) with a host that has a dot. Only personal URLs are PHI, so matching is by context
(``website``/``homepage`` keys, FHIR telecom system=url); well-known terminology and spec hosts
(hl7.org, loinc.org, snomed.info, ...) are INVALID as a personal URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from phiwatch.classify.validators import VALIDATORS, Verdict

_NOT_PERSONAL = (
    "hl7.org",
    "loinc.org",
    "snomed.info",
    "nlm.nih.gov",
    "unitsofmeasure.org",
    "terminology.hl7.org",
    "cdc.gov",
    "cms.gov",
    "w3.org",
    "schema.org",
    "example.org",
    "example.com",
)


@VALIDATORS.register("url")
def validate(value: str) -> Verdict:
    v = value.strip()
    if not v.lower().startswith(("http://", "https://")) or any(ch.isspace() for ch in v):
        return Verdict.INVALID
    try:
        host = (urlsplit(v).hostname or "").lower()
    except ValueError:
        return Verdict.INVALID
    if "." not in host:
        return Verdict.INVALID
    if any(host == h or host.endswith("." + h) for h in _NOT_PERSONAL):
        return Verdict.INVALID
    return Verdict.UNKNOWN
