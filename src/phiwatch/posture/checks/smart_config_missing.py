"""Healthcare: SMART tokens are used on a host that does not serve
``/.well-known/smart-configuration`` (apps cannot discover its OAuth endpoints)."""

from __future__ import annotations

from collections.abc import Iterator

from phiwatch.model import EndpointKey
from phiwatch.posture.checks import CheckContext, Hit, check, host_key


@check(
    "smart_config_missing",
    title="SMART tokens in use but /.well-known/smart-configuration missing",
    severity="medium",
    owasp="API8:2023",
    hipaa=("164.312(d)",),
    remediation="Publish /.well-known/smart-configuration at the FHIR base with the authorization, token "
    "and capability details.",
    cms=("SMART App Launch", "CMS-9115-F Patient Access API"),
)
def run(ctx: CheckContext) -> Iterator[Hit]:
    for host, h in ctx.hosts():
        if h.smart_tokens and not h.smart_config_ok:
            if h.smart_config_missing:
                key = EndpointKey("GET", host, h.smart_config_path)
                yield Hit(key, {"not_found": h.smart_config_missing, "smart_requests": h.smart_tokens})
            else:
                yield Hit(host_key(host), {"observed": False, "smart_requests": h.smart_tokens})
