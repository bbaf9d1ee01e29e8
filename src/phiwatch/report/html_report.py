"""Self-contained HTML report (``--format html``): one file, inline CSS and JS, no external
fetches. Summary, inventory with PHI columns, findings with remediation, data flows per
partner, and the HIPAA 164.312 / CMS interoperability readiness section. Jinja2 autoescapes
everything; evidence is already masked upstream."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import jinja2
import msgspec

from phiwatch.model import Finding
from phiwatch.report import FORMATS, Report
from phiwatch.report.text_report import SEVERITY_ORDER, sort_endpoints, when

TEMPLATES = Path(__file__).parent / "templates"
_env: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _env  # built once, on first render (no import-time I/O)
    if _env is None:
        _env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        _env.filters["when"] = when
    return _env


def _evidence(f: Finding) -> str:
    return msgspec.json.encode(f.evidence).decode()


def context(report: Report) -> dict[str, Any]:
    from phiwatch.posture import check_catalog
    from phiwatch.posture.safeguards import readiness

    catalog = {info.id: info for info in check_catalog()}
    findings = sorted(
        report.findings,
        key=lambda f: (
            SEVERITY_ORDER.get(f.severity, 9),
            f.endpoint.host if f.endpoint else "",
            f.endpoint.path if f.endpoint else "",
            f.check,
        ),
    )
    rows = [
        {
            "f": f,
            "where": f"{f.endpoint.method} {f.endpoint.host}{f.endpoint.path}" if f.endpoint else "-",
            "evidence": _evidence(f),
            "remediation": catalog[f.check].remediation if f.check in catalog else "",
        }
        for f in findings
    ]
    by_sev = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_ORDER}
    cms_of = {cid: info.cms for cid, info in catalog.items()}
    return {
        "summary": report.summary,
        "endpoints": sort_endpoints(report.endpoints),
        "findings": rows,
        "by_severity": by_sev,
        "flows": report.data_flows,
        "alerts": report.alerts,
        "readiness": readiness(findings, cms_of),
        "catalog": list(catalog.values()),
    }


@FORMATS.register("html")
def render_html(report: Report, out: IO[str], color: bool) -> None:
    out.write(environment().get_template("report.html.j2").render(**context(report)))
