"""API4: clients exceed the configured rate and the endpoint never answers 429."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "no_rate_limit",
    title="No rate limiting although clients exceed the expected rate",
    severity="medium",
    owasp="API4:2023",
    hipaa=("164.312(a)(1)", "164.308(a)(1)(ii)(B)"),
    remediation="Enforce per-client rate limits at the gateway and answer 429 with Retry-After.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    limit = ctx.options.rate_per_minute
    for key, f in ctx.facts():
        if f.peak_rate > limit and not f.throttled:
            yield Hit(key, {"peak_per_minute": f.peak_rate, "limit_per_minute": limit})
