"""API10: PHI sent to tracking, analytics or marketing domains (HHS OCR online-tracking
guidance): pixels and beacons whose requests carry identifiers or health data."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture import vocab
from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "third_party_phi",
    title="PHI sent to a third-party tracking or analytics domain",
    severity="critical",
    owasp="API10:2023",
    hipaa=("164.502(a)", "164.308(b)(1)"),
    remediation="Remove tracking technologies from authenticated and health pages, or strip PHI and hold a "
    "business associate agreement with the vendor.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    extra = {d.lower() for d in ctx.options.first_party_domains}
    for key, f in ctx.facts():
        if f.request_phi and vocab.is_tracker(key.host) and vocab.base_domain(key.host) not in extra:
            yield Hit(key, {"phi": sorted(f.request_phi), "requests": f.requests})
