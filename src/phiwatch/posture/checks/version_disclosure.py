"""API8: ``Server`` / ``X-Powered-By`` headers revealing product versions (host-wide)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.posture.checks import CheckContext, Hit, check, host_key


@check(
    "version_disclosure",
    title="Server or framework version disclosed in headers",
    severity="low",
    owasp="API8:2023",
    hipaa=("164.308(a)(1)(ii)(B)",),
    remediation="Strip version numbers from Server and X-Powered-By headers at the edge.",
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for host, h in ctx.hosts():
        if h.server_versions:
            yield Hit(host_key(host), {"headers": sorted(h.server_versions)[:10]})
