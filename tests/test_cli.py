"""The CLI end to end, in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("PHIWATCH_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "phiwatch", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("sim")
    r = run("simulate", "--out", str(d / "traffic.jsonl"), "--seed", "11", "--events", "3000", cwd=d)
    assert r.returncode == 0, r.stderr
    return d


def specs(d: Path) -> list[str]:
    out: list[str] = []
    for p in sorted(d.glob("traffic.*")):
        if p.name.endswith((".openapi.yaml", ".capability.json")):
            out += ["--spec", str(p)]
    return out


def test_version(tmp_path: Path) -> None:
    r = run("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("phiwatch ")


def test_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    r = run("analyze", "nope.har", "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope.har" in lines[0]


def test_directory_input_exits_2(tmp_path: Path) -> None:
    r = run("analyze", str(tmp_path), "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert r.returncode == 2 and "directory" in r.stderr


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert run("analyze", cwd=tmp_path).returncode == 2
    assert run("analyze", "x", "--format", "pdf", cwd=tmp_path).returncode == 2


def test_inventory_without_db_exits_2(tmp_path: Path) -> None:
    r = run("inventory", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert r.returncode == 2 and "none.db" in r.stderr


def test_analyze_json_contract_and_idempotence(simulated: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    traffic = str(simulated / "traffic.jsonl")
    r = run("analyze", traffic, *specs(simulated), "--db", db, "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert set(report) == {"summary", "endpoints", "findings", "alerts", "data_flows"}
    assert report["summary"]["events"] == 3000
    for ep in report["endpoints"]:
        assert {
            "method",
            "host",
            "path",
            "status",
            "requests",
            "clients",
            "auth",
            "phi",
            "phi_in_url",
        } <= set(ep)
        assert {"first_seen", "last_seen", "spec"} <= set(ep)
        assert ep["status"] in {"documented", "shadow", "zombie", "orphan"}
        if ep["status"] != "documented":
            assert ep["reason"]
    statuses = {ep["status"] for ep in report["endpoints"]}
    assert {"documented", "shadow", "zombie", "orphan"} <= statuses
    total = sum(ep["requests"] for ep in report["endpoints"])
    assert total == 3000

    # the same content again (even under another name) is not counted twice
    copy = tmp_path / "again.jsonl"
    copy.write_bytes(Path(traffic).read_bytes())
    r2 = run("analyze", str(copy), "--db", db, "--format", "json", cwd=tmp_path)
    assert r2.returncode == 0, r2.stderr
    again = json.loads(r2.stdout)
    assert again["summary"]["sources_skipped"] == [str(copy)]
    assert sum(ep["requests"] for ep in again["endpoints"]) == 3000
    # specs given in the first run stay in force
    assert {ep["status"] for ep in again["endpoints"]} == statuses

    inv = run("inventory", "--db", db, "--format", "json", "--status", "shadow", cwd=tmp_path)
    assert inv.returncode == 0, inv.stderr
    shadow = json.loads(inv.stdout)["endpoints"]
    assert shadow and all(ep["status"] == "shadow" for ep in shadow)


def test_incremental_equals_batch(simulated: Path, tmp_path: Path) -> None:
    lines = (simulated / "traffic.jsonl").read_bytes().splitlines(keepends=True)
    half = len(lines) // 2
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(b"".join(lines[:half]))
    b.write_bytes(b"".join(lines[half:]))
    batch = run(
        "analyze",
        str(simulated / "traffic.jsonl"),
        "--db",
        str(tmp_path / "batch.db"),
        "-f",
        "json",
        cwd=tmp_path,
    )
    run("analyze", str(a), "--db", str(tmp_path / "inc.db"), cwd=tmp_path)
    inc = run("analyze", str(b), "--db", str(tmp_path / "inc.db"), "-f", "json", cwd=tmp_path)
    assert batch.returncode == inc.returncode == 0

    def rows(out: str) -> list[tuple[str, str, str, int, str]]:
        return sorted(
            (e["method"], e["host"], e["path"], e["requests"], e["status"])
            for e in json.loads(out)["endpoints"]
        )

    assert rows(batch.stdout) == rows(inc.stdout)


def test_text_report_and_out_file(simulated: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    r = run(
        "analyze",
        str(simulated / "traffic.jsonl"),
        *specs(simulated),
        "--db",
        str(tmp_path / "t.db"),
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "API inventory" in text and "shadow" in text and "zombie" in text


def test_rejected_lines_reported_with_file_and_line(tmp_path: Path) -> None:
    good = json.dumps(
        {
            "ts": 1767225600,
            "request": {"method": "GET", "url": "https://h.example.org/a/1"},
            "response": {"status": 200},
        }
    )
    f = tmp_path / "mixed.jsonl"
    f.write_text(good + "\n{broken\n" + good + "\n")
    r = run("analyze", str(f), "--db", str(tmp_path / "r.db"), "-f", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)["summary"]
    assert summary["events"] == 2 and summary["rejected"] == 1
    assert any("mixed.jsonl:2" in s for s in summary["rejected_samples"])


def test_demo_runs_offline(tmp_path: Path) -> None:
    r = run("demo", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "shadow" in r.stdout and "zombie" in r.stdout
    assert "phiwatch.db" in r.stdout
    assert (tmp_path / "phiwatch-demo" / "phiwatch.db").exists()
    assert (tmp_path / "phiwatch-demo" / "report.html").exists() and "report.html" in r.stdout


def test_fail_on_gates_ci_and_findings_are_listed(simulated: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "f.db")
    traffic = str(simulated / "traffic.jsonl")
    gated = run(
        "analyze", traffic, *specs(simulated), "--db", db, "--fail-on", "high", "-f", "json", cwd=tmp_path
    )
    report = json.loads(gated.stdout)
    severities = {f["severity"] for f in report["findings"]}
    assert report["summary"]["findings_by_severity"]
    assert gated.returncode == (1 if severities & {"critical", "high"} else 0), gated.stderr
    for f in report["findings"]:
        assert {"id", "check", "title", "severity", "owasp", "hipaa", "endpoint", "evidence"} <= set(f)
        assert f["owasp"].endswith(":2023")
    listed = run("findings", "--db", db, "-f", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    stored = json.loads(listed.stdout)["findings"]
    assert {f["id"] for f in stored} == {f["id"] for f in report["findings"]}
    # nothing at or above "critical" may still be fine; "info" always gates when findings exist
    assert run("analyze", traffic, "--db", db, "--fail-on", "info", cwd=tmp_path).returncode == 1
    only = run("findings", "--db", db, "--check", "shadow_endpoint", "-f", "json", cwd=tmp_path)
    assert {f["check"] for f in json.loads(only.stdout)["findings"]} <= {"shadow_endpoint"}


def test_html_report(simulated: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = run(
        "analyze",
        str(simulated / "traffic.jsonl"),
        *specs(simulated),
        "--db",
        str(tmp_path / "h.db"),
        "-f",
        "html",
        "-o",
        str(out),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and "164.312" in html


def test_detect_config_policy_denies(tmp_path: Path) -> None:
    """A policy file turns high-severity credential-stuffing alerts into `deny`."""
    d = tmp_path / "sim"
    d.mkdir()
    r = run(
        "simulate",
        "--out",
        str(d / "t.jsonl"),
        "--seed",
        "12",
        "--events",
        "1500",
        "--scenario",
        "credential_stuffing",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    policy = tmp_path / "detect.yaml"
    policy.write_text("policy:\n  rules:\n    credential_stuffing:\n      high: deny\n")
    out = run(
        "analyze",
        str(d / "t.jsonl"),
        "--db",
        str(tmp_path / "d.db"),
        "--detect-config",
        str(policy),
        "-f",
        "json",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    alerts = [a for a in json.loads(out.stdout)["alerts"] if a["detector"] == "credential_stuffing"]
    assert alerts and all(a["action"] == ("deny" if a["severity"] == "high" else "alert") for a in alerts)
    assert any(a["action"] == "deny" for a in alerts)
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy:\n  rules:\n    nope:\n      high: deny\n")
    err = run(
        "analyze",
        str(d / "t.jsonl"),
        "--db",
        str(tmp_path / "e.db"),
        "--detect-config",
        str(bad),
        cwd=tmp_path,
    )
    assert err.returncode == 2 and "nope" in err.stderr


def test_waf_scope_input_evaluates_fewer(simulated: Path, tmp_path: Path) -> None:
    traffic = str(simulated / "traffic.jsonl")
    full = run("analyze", traffic, "--db", str(tmp_path / "a.db"), "-f", "json", cwd=tmp_path)
    narrow = run(
        "analyze", traffic, "--db", str(tmp_path / "b.db"), "-f", "json", "--waf-scope", "input", cwd=tmp_path
    )
    assert full.returncode == narrow.returncode == 0, narrow.stderr
    a, b = json.loads(full.stdout)["summary"]["waf"], json.loads(narrow.stdout)["summary"]["waf"]
    assert 0 < b["evaluated"] < a["evaluated"] and b["evaluated"] + b["skipped"] == 3000
    assert (
        run(
            "analyze", traffic, "--waf-scope", "some", "--db", str(tmp_path / "c.db"), cwd=tmp_path
        ).returncode
        == 2
    )


def test_several_inputs_in_one_run(simulated: Path, tmp_path: Path) -> None:
    lines = (simulated / "traffic.jsonl").read_bytes().splitlines(keepends=True)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    a.write_bytes(b"".join(lines[:1000]))
    import gzip

    b.write_bytes(gzip.compress(b"".join(lines[1000:1500]) + b"{truncated"))
    db = str(tmp_path / "m.db")
    r = run("analyze", str(a), str(b), str(a), "--db", db, "-f", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)["summary"]
    assert summary["events"] == 1500 and summary["rejected"] == 1
    assert summary["sources_analyzed"] == [str(a), str(b)] and summary["sources_skipped"] == [str(a)]
    assert any("b.jsonl.gz:501" in s for s in summary["rejected_samples"])
