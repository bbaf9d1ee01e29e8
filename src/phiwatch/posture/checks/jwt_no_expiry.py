"""API2: JWTs without an ``exp`` claim, valid forever once leaked."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "jwt_no_expiry",
    title="JWTs without expiry (no exp claim)",
    severity="high",
    owasp="API2:2023",
    hipaa=("164.312(d)", "164.312(a)(2)(iii)"),
    remediation="Issue access tokens with an exp claim (minutes to an hour) and reject tokens without one.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.jwt_no_exp:
            yield Hit(key, {"requests": f.jwt_no_exp})
