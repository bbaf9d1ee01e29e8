"""API6: login, registration, password-reset and OTP endpoints with no observed throttling
while one client sends attempts faster than ``auth_flow_rate_per_minute``."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture import vocab
from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "unthrottled_auth_flow",
    title="Login, registration, reset or OTP flow without throttling",
    severity="high",
    owasp="API6:2023",
    hipaa=("164.308(a)(5)(ii)(C)", "164.312(d)"),
    remediation="Throttle authentication flows per account and per client (429, lockout, CAPTCHA) and "
    "alert on bursts.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    limit = ctx.options.auth_flow_rate_per_minute
    for key, f in ctx.facts():
        auth_flow = key.method in ("POST", "PUT") and vocab.is_auth_flow(key.path)
        if auth_flow and f.peak_rate > limit and not f.throttled:
            yield Hit(key, {"peak_per_minute": f.peak_rate, "limit_per_minute": limit})
