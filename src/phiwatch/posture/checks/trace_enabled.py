"""API8: HTTP TRACE answered with success (cross-site tracing)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "trace_enabled",
    title="HTTP TRACE enabled",
    severity="low",
    owasp="API8:2023",
    hipaa=("164.312(e)(1)",),
    remediation="Disable the TRACE method on servers and gateways (answer 405).",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.trace_ok:
            yield Hit(key, {"requests": f.trace_ok})
