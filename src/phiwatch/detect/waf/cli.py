"""``phiwatch rules ...``: a Typer sub-app the main CLI mounts (``app.add_typer(rules_app)``).

rules info   which rule set would load (CRS or built-in) and how it is configured
rules test   run CRS's go-ftw regression suite in-process and print the pass rate
rules fetch  download a pinned CRS release, verify its SHA-256 and unpack it
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from phiwatch.detect.waf.config import WafConfig
from phiwatch.errors import PhiwatchError

app = typer.Typer(name="rules", help="OWASP CRS rule sets for the WAF detector.", no_args_is_help=True)

CrsOption = Annotated[
    Path | None,
    typer.Option("--crs", help="CRS directory (else PHIWATCH_CRS_DIR, else /usr/share/modsecurity-crs)."),
]


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


@app.command()
def info(
    crs: CrsOption = None,
    paranoia: Annotated[int, typer.Option("--paranoia", min=1, max=4)] = 1,
) -> None:
    """Say which rule set loads, its version, and the WAF configuration."""
    from phiwatch.detect.waf import load_engine
    from phiwatch.detect.waf.scope import describe

    try:
        config = WafConfig(paranoia_level=paranoia)
        engine = load_engine(crs, config)
    except PhiwatchError as exc:
        raise _fail(exc) from exc
    source = engine.source
    typer.echo(f"rules: {source.describe()}")
    if not source.is_full_crs:
        typer.echo("warning: full OWASP CRS is not loaded; only the built-in rules are active", err=True)
    typer.echo(f"engine: {engine.name} ({getattr(engine, 'version', lambda: '')()})")
    typer.echo(f"rules loaded: {getattr(engine, 'rule_count', 0)}")
    typer.echo(
        f"paranoia level: {config.paranoia_level}; inbound threshold: {config.inbound_threshold}; "
        f"mode: {config.mode}"
    )
    typer.echo(f"allowed content types: {' '.join(config.allowed_content_types())}")
    typer.echo(f"scope: {describe(config.scope)}")
    typer.echo(
        "phiwatch analyze evaluates in worker processes (one per CPU; out-of-scope requests are "
        "never shipped); the engine costs 1-9 ms a request"
    )


@app.command("test")
def test_cmd(
    crs: CrsOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    rule: Annotated[list[int] | None, typer.Option("--rule", help="Only tests of these rule ids.")] = None,
    min_rate: Annotated[float, typer.Option(help="Exit 1 below this pass rate.")] = 0.99,
    show: Annotated[int, typer.Option(help="Failures to list.")] = 20,
) -> None:
    """Run the CRS regression tests (go-ftw YAML) in-process against libmodsecurity."""
    from phiwatch.detect.waf.regression import FAIL, run_regression
    from phiwatch.detect.waf.rules import find_crs

    try:
        found = find_crs(crs)
        if found is None:
            raise PhiwatchError("no CRS found: pass --crs DIR or set PHIWATCH_CRS_DIR (try `rules fetch`)")
        tests = found[0] / "tests" / "regression" / "tests"
        if not tests.is_dir():
            raise PhiwatchError(f"{found[0]}: no tests/regression/tests (Debian's package ships none)")
        wanted = set(rule or ())
        report = run_regression(
            found[0], workers=workers, select=(lambda s: s.rule_id in wanted) if wanted else None
        )
    except PhiwatchError as exc:
        raise _fail(exc) from exc
    for outcome in [o for o in report.outcomes if o.outcome == FAIL][:show]:
        typer.echo(f"FAIL {outcome.key} ({outcome.file}): {outcome.why}")
    for key in report.stale_overrides():
        typer.echo(f"stale override: {key} passes now; remove it from overrides.py")
    typer.echo(report.summary())
    if report.pass_rate < min_rate:
        raise typer.Exit(1)


@app.command()
def fetch(
    version: Annotated[str, typer.Option(help="Pinned CRS version.")] = "4.28.0",
    dest: Annotated[Path, typer.Option(help="Folder to unpack into.")] = Path("crs"),
    url: Annotated[str | None, typer.Option(help="Mirror URL (needs --sha256).")] = None,
    sha256: Annotated[str | None, typer.Option(help="Expected SHA-256 of the archive.")] = None,
) -> None:
    """Download a pinned CRS release, verify its checksum, unpack it."""
    from phiwatch.detect.waf.fetch import fetch_crs

    if url and not sha256:
        raise _fail(PhiwatchError("--url needs --sha256: an unverified archive is never unpacked"))
    try:
        path = fetch_crs(dest, version, url=url, sha256=sha256)
    except PhiwatchError as exc:
        raise _fail(exc) from exc
    typer.echo(f"CRS {version} verified and unpacked to {path}")
    typer.echo(f"use it with: --crs {path}  or  export PHIWATCH_CRS_DIR={path}")
