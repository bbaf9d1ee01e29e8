"""The HTML report opened in a real headless Chromium (Debian ``chromium``): the script runs
without console errors, the findings table is there, and a screenshot is saved."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from phiwatch.report import Report
from phiwatch.report.html_report import render_html
from phiwatch.simulate import SimulationResult
from tests.posture.harness import Run

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    msg = "chromium not installed (Debian package: chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


def html_of(report: Report) -> str:
    buf = io.StringIO()
    render_html(report, buf, False)
    return buf.getvalue()


def test_html_is_self_contained(lab: tuple[SimulationResult, Report, Run]) -> None:
    html = html_of(lab[1])
    assert 'id="findings-table"' in html and 'id="readiness-table"' in html
    for external in ("<link ", 'src="http', "src='http", "@import", "url(http"):
        assert external not in html
    assert "164.312(e)(1)" in html and "Patient Access API" in html
    assert "Use random, non-enumerable identifiers" in html  # remediation from the registry


def test_html_in_chromium(lab: tuple[SimulationResult, Report, Run], tmp_path: Path) -> None:
    exe = chromium()
    page = tmp_path / "report.html"
    page.write_text(html_of(lab[1]))
    profile = tmp_path / "profile"
    base = [exe, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-report-ready="' in dom.stdout  # the inline script ran to its end
    assert 'id="findings-table"' in dom.stdout
    console = [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    assert console == []
    shot = Path(os.environ.get("PHIWATCH_SCREENSHOT_DIR", tmp_path)) / "posture-report.png"
    shutil.rmtree(profile, ignore_errors=True)
    snap = subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1400,2000", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert snap.returncode == 0, snap.stderr[-2000:]
    assert shot.stat().st_size > 10_000
