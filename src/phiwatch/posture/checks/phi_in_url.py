"""Healthcare: PHI in paths or query strings, where logs, proxies and browsers keep it."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "phi_in_url",
    title="PHI in URLs",
    severity="high",
    owasp="API3:2023",
    hipaa=("164.312(e)(1)", "164.312(b)"),
    remediation="Move identifiers and search criteria into POST bodies (FHIR _search) or headers; never "
    "put PHI in URLs.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    seen = set()
    for key, f in ctx.facts():
        if f.url_phi:
            seen.add(key)
            yield Hit(key, {"phi": sorted(f.url_phi)})
    for ep in ctx.endpoints:
        if ep.phi_in_url and ep.key not in seen:
            yield Hit(ep.key, {"phi": []})
