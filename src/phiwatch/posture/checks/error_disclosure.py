"""API8: stack traces, SQL errors or framework debug pages in responses."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "error_disclosure",
    title="Stack traces, SQL errors or debug pages in responses",
    severity="medium",
    owasp="API8:2023",
    hipaa=("164.312(a)(1)",),
    remediation="Return generic error bodies (e.g. RFC 9457 problem details) and log details server-side; "
    "turn off debug modes in production.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.error_signatures:
            yield Hit(key, {"signatures": dict(sorted(f.error_signatures.items()))})
