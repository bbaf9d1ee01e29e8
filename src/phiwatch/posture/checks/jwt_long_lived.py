"""API2: JWTs living longer than the configured limit (``max_token_lifetime_s``)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "jwt_long_lived",
    title="Long-lived access tokens",
    severity="medium",
    owasp="API2:2023",
    hipaa=("164.312(d)", "164.312(a)(2)(iii)"),
    remediation="Shorten access-token lifetime (one hour or less) and use refresh tokens bound to "
    "the client.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    limit = ctx.options.max_token_lifetime_s
    for key, f in ctx.facts():
        if f.jwt_max_lifetime_s > limit:
            yield Hit(key, {"max_lifetime_s": int(f.jwt_max_lifetime_s), "limit_s": limit})
