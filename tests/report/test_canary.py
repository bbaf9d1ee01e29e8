"""No raw PHI or token from the vulnerable lab reaches the text, JSON or HTML report, nor
the store (findings and the persisted observe state)."""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote_plus

import orjson

from phiwatch.report import Report
from phiwatch.report.html_report import render_html
from phiwatch.report.json_report import render_json
from phiwatch.report.text_report import render_text
from phiwatch.simulate import SimulationResult
from phiwatch.store import open_store
from tests.posture.harness import Run

_SSN = re.compile(r"ssn=(\d{3}-\d{2}-\d{4})")  # test code, over our own small file
_TOKEN = re.compile(r"access_token=([\w.-]{20,})")
_EMAIL = re.compile(r"ud\[em\]=([^&\"]+)")


def canaries(traffic: Path) -> set[str]:
    text = traffic.read_text()
    found = (
        set(_SSN.findall(text)) | set(_TOKEN.findall(text)) | {unquote_plus(e) for e in _EMAIL.findall(text)}
    )
    for line in text.splitlines():
        headers = orjson.loads(line)["request"]["headers"]
        auth = headers.get("authorization", "")
        if auth.startswith(("Bearer ", "Basic ")):
            found.add(auth.split(" ", 1)[1])
    return found


def test_no_phi_or_token_anywhere(lab: tuple[SimulationResult, Report, Run], tmp_path: Path) -> None:
    res, report, run = lab
    secrets = canaries(res.traffic)
    assert (
        len(secrets) > 20
        and any("@" in s for s in secrets)
        and any("-" in s and len(s) == 11 for s in secrets)
    )
    outputs = []
    for render in (render_text, render_json, render_html):
        buf = io.StringIO()
        render(report, buf, False)
        outputs.append(buf.getvalue())
    db = tmp_path / "canary.db"
    with open_store(str(db)) as store, store.transaction():
        store.upsert_findings(report.findings)
        store.save_state("posture", run.observe.to_bytes())
    con = sqlite3.connect(db)
    dump = "\n".join(con.iterdump())
    con.close()
    blob = run.observe.to_bytes()
    for secret in secrets:
        for out in outputs:
            assert secret not in out
        assert secret not in dump
        assert secret.encode() not in blob
