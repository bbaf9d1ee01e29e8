"""API8: hosts serving the API over plain HTTP (host-wide finding)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check, host_key


@check(
    "plain_http",
    title="API served over plain HTTP",
    severity="high",
    owasp="API8:2023",
    hipaa=("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediation="Serve the API over TLS 1.2+ only; redirect or refuse plain HTTP and enable HSTS.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for host, h in ctx.hosts():
        if h.http_requests:
            yield Hit(host_key(host), {"requests": h.http_requests})
