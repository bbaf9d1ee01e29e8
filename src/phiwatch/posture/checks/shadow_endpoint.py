"""API9: endpoints seen in traffic that no published spec documents."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture import vocab
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
    # Only the organisation's own hosts can have shadow APIs: a tracker or a partner seen in
    # the traffic is not expected in its specs (those are API10 findings).
    own = {vocab.base_domain(op.host) for doc in ctx.specs for op in doc.operations}
    for ep in ctx.endpoints:
        # an endpoint that only ever refused (405, 404) is not served
        served = not ep.statuses or any(code[:1] in "23" for code in ep.statuses)
        ours = "" in own or not ep.host or vocab.base_domain(ep.host) in own
        if ep.status == "shadow" and served and ours:
            yield Hit(ep.key, {"requests": ep.requests, "phi": ep.phi, "reason": ep.reason})
