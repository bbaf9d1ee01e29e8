"""API4: very large single responses (``large_response_bytes``)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "large_response",
    title="Very large responses",
    severity="low",
    owasp="API4:2023",
    hipaa=("164.502(b)",),
    remediation="Page or stream large results, cap response sizes, and move bulk transfers to the FHIR "
    "Bulk Data ($export) flow.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    limit = ctx.options.large_response_bytes
    for key, f in ctx.facts():
        if f.large_responses:
            yield Hit(
                key, {"responses": f.large_responses, "max_bytes": f.max_response_bytes, "limit": limit}
            )
