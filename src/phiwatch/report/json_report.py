"""JSON report, per the contract in DESIGN.md (top-level keys: summary, endpoints,
findings, alerts, data_flows)."""

from __future__ import annotations

from typing import IO, Any

import msgspec

from phiwatch.model import Endpoint, EndpointKey
from phiwatch.report import FORMATS, Report


def _endpoint_key(key: EndpointKey | None) -> dict[str, str] | None:
    if key is None:
        return None
    return {"method": key.method, "host": key.host, "path": key.path}


def endpoint_dict(ep: Endpoint) -> dict[str, Any]:
    """Contract fields first, then the detail columns."""
    return {
        "method": ep.method,
        "host": ep.host,
        "path": ep.path,
        "status": ep.status,
        "reason": ep.reason,
        "requests": ep.requests,
        "clients": ep.clients,
        "auth": ep.auth,
        "phi": ep.phi,
        "phi_in_url": ep.phi_in_url,
        "first_seen": ep.first_seen,
        "last_seen": ep.last_seen,
        "spec": ep.spec,
        "deprecated": ep.deprecated,
        "query_params": ep.query_params,
        "statuses": ep.statuses,
        "phi_counts": ep.phi_counts,
    }


def report_dict(report: Report) -> dict[str, Any]:
    findings = []
    for f in report.findings:
        d = msgspec.to_builtins(f)
        d["endpoint"] = _endpoint_key(f.endpoint)
        findings.append(d)
    alerts = []
    for a in report.alerts:
        d = msgspec.to_builtins(a)
        d["endpoint"] = _endpoint_key(a.endpoint)
        alerts.append(d)
    return {
        "summary": report.summary,
        "endpoints": [endpoint_dict(ep) for ep in report.endpoints],
        "findings": findings,
        "alerts": alerts,
        "data_flows": report.data_flows,
    }


@FORMATS.register("json")
def render_json(report: Report, out: IO[str], color: bool) -> None:
    out.write(msgspec.json.format(msgspec.json.encode(report_dict(report)), indent=2).decode())
    out.write("\n")
