"""The `rules` Typer sub-app, through Typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from phiwatch.detect.waf.cli import app

runner = CliRunner()


def test_info_without_crs_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHIWATCH_CRS_DIR", raising=False)
    monkeypatch.setattr("phiwatch.detect.waf.rules.DEBIAN_DIR", Path("/nonexistent"))
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0
    assert "full OWASP CRS is NOT loaded" in result.output


def test_info_with_crs(crs_dir: Path) -> None:
    result = runner.invoke(app, ["info", "--crs", str(crs_dir), "--paranoia", "2"])
    assert result.exit_code == 0
    assert "OWASP CRS 4.28.0" in result.output and "paranoia level: 2" in result.output
    assert "application/fhir+json" in result.output
    assert "scope: every request" in result.output and "static assets" in result.output


def test_info_bad_crs_dir_is_one_line_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["info", "--crs", str(tmp_path)])
    assert result.exit_code == 2
    assert "not an OWASP CRS directory" in result.output


def test_rules_test_one_rule(crs_dir: Path) -> None:
    result = runner.invoke(app, ["test", "--crs", str(crs_dir), "--rule", "942100", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output and "pass rate 100.00%" in result.output


def test_fetch_url_needs_checksum(tmp_path: Path) -> None:
    result = runner.invoke(app, ["fetch", "--url", "http://127.0.0.1:9/x.tgz", "--dest", str(tmp_path)])
    assert result.exit_code == 2
    assert "--sha256" in result.output
