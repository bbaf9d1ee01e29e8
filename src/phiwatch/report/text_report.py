"""Readable terminal report with Rich: summary, then the inventory with shadow and zombie
endpoints highlighted, then data flows, findings and alerts when there are any."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from phiwatch.model import Endpoint, Finding
from phiwatch.report import FORMATS, Report

STATUS_STYLE = {
    "shadow": "bold red",
    "zombie": "bold magenta",
    "orphan": "yellow",
    "documented": "green",
    "undocumented": "cyan",
}
STATUS_ORDER = {"shadow": 0, "zombie": 1, "orphan": 2, "undocumented": 3, "documented": 4}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
SEVERITY_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan"}


def when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M")


def sort_endpoints(endpoints: Sequence[Endpoint]) -> list[Endpoint]:
    return sorted(endpoints, key=lambda e: (STATUS_ORDER.get(e.status, 9), e.host, e.path, e.method))


def inventory_table(endpoints: Sequence[Endpoint], title: str = "API inventory") -> Table:
    table = Table(title=title, title_justify="left", expand=False, show_lines=False)
    table.add_column("Status", no_wrap=True)
    table.add_column("Method", no_wrap=True)
    table.add_column("Host", overflow="fold")
    table.add_column("Path", overflow="fold")
    table.add_column("Reqs", justify="right")
    table.add_column("Clients", justify="right")
    table.add_column("Auth")
    table.add_column("PHI", overflow="fold")
    table.add_column("Last seen", no_wrap=True)
    table.add_column("Why", overflow="fold")
    for ep in sort_endpoints(endpoints):
        style = STATUS_STYLE.get(ep.status, "")
        phi = ", ".join(ep.phi)
        if ep.phi_in_url:
            phi = (phi + " " if phi else "") + "[PHI in URL]"
        table.add_row(
            Text(ep.status, style=style),
            ep.method,
            ep.host or "-",
            Text(ep.path, style=style if ep.status in ("shadow", "zombie") else ""),
            str(ep.requests),
            str(ep.clients),
            ", ".join(ep.auth) or "-",
            Text(phi or "-", style="bold yellow" if phi else "dim"),
            when(ep.last_seen),
            ep.reason,
        )
    return table


def summary_table(summary: dict[str, object]) -> Table:
    table = Table(title="Summary", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in ("events", "endpoints", "rejected"):
        if key in summary:
            table.add_row(key, str(summary[key]))
    for key in ("endpoints_by_status", "findings_by_severity", "alerts_by_detector"):
        value = summary.get(key)
        if isinstance(value, dict) and value:
            table.add_row(key.replace("_", " "), ", ".join(f"{k}: {v}" for k, v in value.items()))
    return table


def flows_table(flows: Sequence[dict[str, object]]) -> Table:
    table = Table(title="PHI data flows (who received which PHI)", title_justify="left")
    table.add_column("Client / partner", overflow="fold")
    table.add_column("PHI categories", overflow="fold")
    table.add_column("Endpoints", justify="right")
    table.add_column("Records", justify="right")
    table.add_column("Patients (est.)", justify="right")

    def records(flow: dict[str, object]) -> int:
        n = flow.get("records", 0)
        return n if isinstance(n, int) else 0

    for flow in sorted(flows, key=lambda f: (-records(f), str(f.get("client", "")))):
        phi = flow.get("phi") or []
        endpoints = flow.get("endpoints") or []
        table.add_row(
            str(flow.get("client", "")),
            ", ".join(str(p) for p in phi) if isinstance(phi, list) else str(phi),
            str(len(endpoints)) if isinstance(endpoints, list) else str(endpoints),
            str(flow.get("records", "")),
            str(flow.get("patients", "-")),
        )
    return table


def finding_order(f: Finding) -> tuple[str, ...]:
    ep = f.endpoint
    return (ep.host, ep.path, ep.method, f.check) if ep is not None else ("", "", "", f.check)


def print_findings(console: Console, report: Report) -> None:
    """Findings grouped by severity, then endpoint; each check's remediation once below."""
    from phiwatch.posture import check_info

    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.severity, []).append(f)
    for severity in sorted(groups, key=lambda s: SEVERITY_ORDER.get(s, 9)):
        rows = sorted(
            groups[severity],
            key=lambda f: (
                (f.endpoint.host, f.endpoint.path, f.endpoint.method, f.check) if f.endpoint else ("",)
            ),
        )
        table = Table(
            title=f"Findings: {severity} ({len(rows)})",
            title_justify="left",
            title_style=SEVERITY_STYLE.get(severity, ""),
        )
        for col in ("Endpoint", "Check", "OWASP", "HIPAA", "Title"):
            table.add_column(col, overflow="fold")
        for f in rows:
            ep = f"{f.endpoint.method} {f.endpoint.host}{f.endpoint.path}" if f.endpoint else "-"
            table.add_row(ep, f.check, f.owasp, ", ".join(f.hipaa), f.title)
        console.print(table)
    fixes = Table(title="How to fix", title_justify="left")
    fixes.add_column("Check", no_wrap=True)
    fixes.add_column("Remediation", overflow="fold")
    for check in sorted({f.check for f in report.findings}):
        info = check_info(check)
        if info is not None:
            fixes.add_row(check, info.remediation)
    console.print(fixes)


@FORMATS.register("text")
def render_text(report: Report, out: IO[str], color: bool) -> None:
    console = Console(file=out, force_terminal=color, no_color=not color, width=None if color else 160)
    if "endpoints" in report.summary:
        console.print(summary_table(report.summary))
        console.print(inventory_table(report.endpoints))
    if report.data_flows:
        console.print(flows_table(report.data_flows))
    if report.findings:
        print_findings(console, report)
    if report.alerts:
        table = Table(title="Alerts", title_justify="left")
        for col in ("Severity", "Detector", "Actor", "Endpoint", "Count", "Action"):
            table.add_column(col, overflow="fold")
        for a in sorted(report.alerts, key=lambda a: SEVERITY_ORDER.get(a.severity, 9)):
            ep = f"{a.endpoint.method} {a.endpoint.path}" if a.endpoint else "-"
            table.add_row(a.severity, a.detector, a.actor, ep, str(a.count), a.action)
        console.print(table)
