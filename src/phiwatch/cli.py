"""The `phiwatch` command: a thin Typer layer that parses options, calls the library and
renders. Errors the user can fix are one line on stderr and exit code 2."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from phiwatch import __version__
from phiwatch.errors import PhiwatchError

app = typer.Typer(
    name="phiwatch",
    help="API security for healthcare: inventory, PHI flows, posture and runtime abuse.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


class Severity(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"


SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


class TrafficFormat(StrEnum):
    jsonl = "jsonl"
    har = "har"


DbOption = Annotated[
    str | None, typer.Option("--db", help="SQLite file (default: $PHIWATCH_DB or ./phiwatch.db).")
]
FormatOption = Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write the report to this file.")]


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn phiwatch's own errors into one line on stderr and exit 2."""
    try:
        yield
    except PhiwatchError as exc:
        err.print(f"phiwatch: error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


@contextlib.contextmanager
def byte_progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A Rich progress bar over input bytes, only when stderr is a terminal."""
    if not sys.stderr.isatty() or total <= 0:
        yield None
        return
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int) -> None:
            bar.update(task, completed=done)

        yield update


def existing_db(db: str | None) -> str:
    """The database a listing command reads: it must exist (a typo must not create one)."""
    from phiwatch.analyze import default_db

    dbfile = db or default_db()
    if not Path(dbfile).exists():
        raise PhiwatchError(f"{dbfile}: no such database (run `phiwatch analyze` first)")
    return dbfile


def emit(report: object, fmt: ReportFormat, out: Path | None) -> None:
    from phiwatch.report import Report, render

    assert isinstance(report, Report)
    if out is None:
        render(report, fmt.value, sys.stdout, color=sys.stdout.isatty())
        return
    try:
        with out.open("w", encoding="utf-8") as fh:
            render(report, fmt.value, fh, color=False)
    except OSError as exc:
        raise PhiwatchError(f"{out}: cannot write: {exc.strerror or exc}") from None
    err.print(f"report written to {out}", highlight=False)


@app.command()
def analyze(
    paths: Annotated[
        list[Path], typer.Argument(help="Traffic files: HAR, JSONL, nginx/Envoy/ALB logs (.gz ok).")
    ],
    spec: Annotated[
        list[Path] | None,
        typer.Option("--spec", "-s", help="OpenAPI/Swagger or FHIR CapabilityStatement (repeatable)."),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = ReportFormat.text,
    out: OutOption = None,
    log_format: Annotated[
        str | None, typer.Option("--log-format", help="nginx log_format string for custom access logs.")
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Host name for log lines that carry none.")] = "",
    crs: Annotated[
        str | None,
        typer.Option(help="OWASP CRS directory (else $PHIWATCH_CRS_DIR, Debian's, or built-in rules)."),
    ] = None,
    paranoia: Annotated[int, typer.Option(min=1, max=4, help="CRS paranoia level.")] = 1,
    waf_mode: Annotated[
        str, typer.Option(help="detect: alert only; block: action 'deny' when the anomaly score says so.")
    ] = "detect",
    waf: Annotated[bool, typer.Option("--waf/--no-waf", help="Run the WAF stage.")] = True,
    waf_scope: Annotated[
        str,
        typer.Option(
            help="all: every request but static assets; input: only requests with a query or a body "
            "(the WAF costs 1-7 ms a request: narrow it for very large logs)."
        ),
    ] = "all",
    workers: Annotated[int, typer.Option(min=0, help="WAF worker processes (0: one per CPU).")] = 0,
    detect_config: Annotated[
        Path | None,
        typer.Option(
            "--detect-config",
            help="YAML/JSON: detector thresholds, allowlist, partner purposes, policy (alert|deny).",
        ),
    ] = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="Exit 1 when a finding at or above this severity exists (CI gating)."),
    ] = None,
) -> None:
    """Analyze traffic into the inventory and report it."""
    from phiwatch.analyze import AnalyzeOptions
    from phiwatch.analyze import analyze as run
    from phiwatch.detect.options import DetectOptions, load_options
    from phiwatch.detect.waf import Scope, WafConfig
    from phiwatch.ingest import IngestOptions

    with user_errors():
        if waf_mode not in ("detect", "block"):
            raise PhiwatchError(f"--waf-mode must be detect or block, not {waf_mode!r}")
        if waf_scope not in ("all", "input"):
            raise PhiwatchError(f"--waf-scope must be all or input, not {waf_scope!r}")
        total = sum(p.stat().st_size for p in paths if p.is_file())
        options = AnalyzeOptions(
            ingest=IngestOptions(nginx_log_format=log_format, default_host=host.lower()),
            waf=waf,
            crs=crs,
            waf_config=WafConfig(
                paranoia_level=paranoia, mode=waf_mode, scope=Scope(only_with_input=waf_scope == "input")
            ),
            workers=workers,
            detect_options=load_options(detect_config) if detect_config else DetectOptions(),
        )
        with byte_progress(total, "analyzing") as progress:
            report = run(paths, specs=spec or [], db=db, options=options, progress=progress)
        emit(report, fmt, out)
    if fail_on is not None:
        limit = SEVERITY_RANK[fail_on.value]
        failing = [f for f in report.findings if SEVERITY_RANK.get(f.severity, 9) <= limit]
        if failing:
            err.print(f"phiwatch: {len(failing)} finding(s) at or above {fail_on.value}", highlight=False)
            raise typer.Exit(1)


@app.command()
def inventory(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="Only this status (shadow, zombie, ...).")] = None,
    host: Annotated[str | None, typer.Option(help="Only this host.")] = None,
    fmt: FormatOption = ReportFormat.text,
    out: OutOption = None,
) -> None:
    """Show the stored API inventory."""
    from phiwatch.analyze import load_report

    with user_errors():
        dbfile = existing_db(db)
        report = load_report(dbfile)
        if status or host:
            report.endpoints = [
                e
                for e in report.endpoints
                if (not status or e.status == status) and (not host or e.host == host)
            ]
        emit(report, fmt, out)


@app.command()
def flows(
    db: DbOption = None,
    client: Annotated[str | None, typer.Option(help="Only clients whose name contains this.")] = None,
    fmt: FormatOption = ReportFormat.text,
    out: OutOption = None,
) -> None:
    """Show which clients and partners received which PHI categories."""
    from phiwatch.analyze import load_report

    with user_errors():
        dbfile = existing_db(db)
        report = load_report(dbfile)
        rows = [f for f in report.data_flows if not client or client in str(f.get("client", ""))]
        if fmt is ReportFormat.json:
            import msgspec

            text = msgspec.json.format(msgspec.json.encode({"data_flows": rows}), indent=2).decode()
            if out is None:
                print(text)
            else:
                out.write_text(text + "\n", encoding="utf-8")
            return
        from phiwatch.report.text_report import flows_table

        console = Console(file=sys.stdout) if out is None else Console(file=out.open("w"), no_color=True)
        console.print(flows_table(rows))


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Traffic file to write.")],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same output.")] = 7,
    events: Annotated[int, typer.Option(help="Number of exchanges.")] = 5000,
    fmt: Annotated[
        TrafficFormat, typer.Option("--format", "-f", help="Traffic format.")
    ] = TrafficFormat.jsonl,
    variant: Annotated[
        str, typer.Option(help="default, vulnerable (every posture flaw planted) or hardened (none).")
    ] = "default",
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", help="Add a labelled attack or benign look-alike (repeatable; 'all')."),
    ] = None,
) -> None:
    """Write synthetic healthcare traffic, the published specs and the ground truth."""
    from phiwatch.simulate import SimulationConfig
    from phiwatch.simulate import simulate as run
    from phiwatch.simulate.scenarios import add_scenarios, scenario_names

    with user_errors():
        names = list(scenario or [])
        if "all" in names:
            names = scenario_names()
        config = SimulationConfig(seed=seed, events=events, fmt=fmt.value, variant=variant)
        result = run(out, config)
        err.print(f"wrote {result.events} exchanges to {result.traffic}", highlight=False)
        err.print(f"ground truth: {result.truth}", highlight=False)
        if names:
            attacks = add_scenarios(result.traffic, config, names)
            err.print(f"scenarios {', '.join(names)}: labels in {attacks}", highlight=False)
        for path in result.specs:
            err.print(f"spec: {path}", highlight=False)


# Attacks the demo plays into the hospital's traffic, beside a benign look-alike.
DEMO_SCENARIOS = ("smart_bola", "credential_stuffing", "ai_crawler", "clinician_shift")


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where to write the demo files.")] = Path(
        "phiwatch-demo"
    ),
    events: Annotated[int, typer.Option(help="Number of simulated exchanges.")] = 5000,
) -> None:
    """Simulate a hospital's API traffic, analyze it with its published specs, show the inventory."""
    from phiwatch.analyze import analyze as run
    from phiwatch.report import render
    from phiwatch.simulate import SimulationConfig
    from phiwatch.simulate import simulate as sim
    from phiwatch.simulate.scenarios import add_scenarios

    with user_errors():
        directory.mkdir(parents=True, exist_ok=True)
        db = directory / "phiwatch.db"
        db.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        config = SimulationConfig(seed=7, events=events, fmt="jsonl")
        result = sim(directory / "traffic.jsonl", config)
        add_scenarios(result.traffic, config, DEMO_SCENARIOS)
        report = run([result.traffic], specs=result.specs, db=str(db))
        render(report, "text", sys.stdout, color=sys.stdout.isatty())
        html = directory / "report.html"
        with html.open("w", encoding="utf-8") as fh:
            render(report, "html", fh)
        by_status = report.summary.get("endpoints_by_status", {})
        console = Console()
        console.print(
            f"\n[bold]{report.summary['events']}[/] exchanges analyzed: "
            + ", ".join(f"{n} {s}" for s, n in by_status.items())  # type: ignore[attr-defined]
        )
        alerts = report.summary.get("alerts_by_detector", {})
        console.print(
            f"alerts: {', '.join(f'{n} {d}' for d, n in alerts.items()) or 'none'}"  # type: ignore[attr-defined]
            f" (scenarios played: {', '.join(DEMO_SCENARIOS)})",
            highlight=False,
        )
        console.print(f"HTML report: {html}", highlight=False)
        console.print(f"traffic: {result.traffic}", highlight=False)
        console.print(f"specs:   {', '.join(str(p) for p in result.specs)}", highlight=False)
        console.print(
            f"results stored in {db} (try: phiwatch inventory --db {db} --status shadow)", highlight=False
        )


@app.command()
def findings(
    db: DbOption = None,
    severity: Annotated[Severity | None, typer.Option(help="Only this severity.")] = None,
    check: Annotated[str | None, typer.Option(help="Only this check id.")] = None,
    endpoint: Annotated[str | None, typer.Option(help="Only this endpoint path (template).")] = None,
    fmt: FormatOption = ReportFormat.text,
    out: OutOption = None,
) -> None:
    """List stored posture findings (deduplicated across runs, with first/last seen)."""
    from phiwatch.analyze import severity_counts
    from phiwatch.report import Report
    from phiwatch.store import open_store

    with user_errors():
        dbfile = existing_db(db)
        with open_store(dbfile, create=False) as store:
            rows = store.load_findings(
                severity=severity.value if severity else None, check=check, endpoint_path=endpoint
            )
        summary: dict[str, object] = {"findings": len(rows), "findings_by_severity": severity_counts(rows)}
        emit(Report(summary=summary, endpoints=[], findings=rows), fmt, out)


@app.command()
def alerts(
    db: DbOption = None,
    detector: Annotated[str | None, typer.Option(help="Only this detector (waf, bola_smart, ...).")] = None,
    severity: Annotated[str | None, typer.Option(help="Only this severity.")] = None,
    fmt: FormatOption = ReportFormat.text,
    out: OutOption = None,
) -> None:
    """List stored alerts."""
    from phiwatch.report import Report
    from phiwatch.store import open_store

    with user_errors():
        dbfile = existing_db(db)
        with open_store(dbfile, create=False) as store:
            rows = store.load_alerts(detector=detector, severity=severity)
        summary: dict[str, object] = {"alerts": len(rows)}
        emit(Report(summary=summary, endpoints=[], alerts=rows), fmt, out)


def _mount_subcommands() -> None:
    from phiwatch.detect.waf.cli import app as rules_app

    app.add_typer(rules_app, name="rules", help="OWASP CRS rules: info, regression test, fetch.")


_mount_subcommands()


def version_callback(value: bool) -> None:
    if value:
        print(f"phiwatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """phiwatch: API security for healthcare."""


def main() -> None:
    app()
