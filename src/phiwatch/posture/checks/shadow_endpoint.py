"""API9: endpoints seen in traffic that no published spec documents."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "shadow_endpoint",
    title="Shadow endpoint (served, in no spec)",
    severity="medium",
    owasp="API9:2023",
    hipaa=("164.308(a)(1)(ii)(A)", "164.312(b)"),
    remediation="Document the endpoint in the published spec with an owner, or remove it from production.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for ep in ctx.endpoints:
        if ep.status == "shadow":
            yield Hit(ep.key, {"requests": ep.requests, "phi": ep.phi, "reason": ep.reason})
