"""API9: deprecated or superseded endpoints still served."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "zombie_endpoint",
    title="Zombie endpoint (deprecated or superseded, still served)",
    severity="medium",
    owasp="API9:2023",
    hipaa=("164.308(a)(1)(ii)(A)",),
    remediation="Migrate the remaining callers to the current version and retire the old endpoint.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for ep in ctx.endpoints:
        if ep.status == "zombie":
            yield Hit(ep.key, {"requests": ep.requests, "clients": ep.clients, "reason": ep.reason})
