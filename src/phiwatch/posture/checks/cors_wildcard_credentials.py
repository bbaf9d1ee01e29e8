"""API8: ``Access-Control-Allow-Origin: *`` together with ``Allow-Credentials: true``."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check


@check(
    "cors_wildcard_credentials",
    title="CORS allows any origin with credentials",
    severity="high",
    owasp="API8:2023",
    hipaa=("164.312(a)(1)", "164.312(e)(1)"),
    remediation="Allow-list the origins that may call the API with credentials; never combine * with "
    "Allow-Credentials.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for key, f in ctx.facts():
        if f.cors_wildcard_creds:
            yield Hit(key, {"responses": f.cors_wildcard_creds})
