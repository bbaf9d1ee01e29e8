"""API9: endpoints in a spec that never appear in traffic."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "orphan_endpoint",
    title="Orphan endpoint (documented, never called)",
    severity="info",
    owasp="API9:2023",
    hipaa=("164.308(a)(1)(ii)(A)",),
    remediation="Remove the operation from the spec if it is gone, or confirm it is disabled in production.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for ep in ctx.endpoints:
        if ep.status == "orphan":
            yield Hit(ep.key, {"spec": ep.spec or ""})
