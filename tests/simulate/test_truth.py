"""The ground truth agrees with the emitted traffic, re-derived here with a tiny templater that
knows only the simulator's id shapes (numbers and UUIDs); phiwatch's templater is not used."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from phiwatch.simulate import SimulationConfig, SimulationResult, simulate

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STATUSES = {"documented", "shadow", "zombie", "orphan"}


def template(path: str) -> str:
    parts = path.split("/")
    out, n = [], 0
    for i, seg in enumerate(parts):
        if seg.isdigit() and i > 0 and parts[i - 1] == "_history":
            out.append("{vid}")
        elif seg.isdigit() or UUID.match(seg):
            n += 1
            out.append("{id}" if n == 1 else f"{{id{n}}}")
        else:
            out.append(seg)
    return "/".join(out)


@pytest.mark.parametrize(
    ("path", "expected", "why"),
    [
        ("/r4/Patient/1000042", "/r4/Patient/{id}", "numeric id"),
        (
            "/r4/Patient/0b8e4c1a-3f2d-4c5e-9a7b-1c2d3e4f5a6b/_history/3",
            "/r4/Patient/{id}/_history/{vid}",
            "vread",
        ),
        ("/v2/accounts/880000012/statements", "/v2/accounts/{id}/statements", "literal after id"),
        ("/api/v2/auth/login", "/api/v2/auth/login", "version prefix stays literal"),
    ],
)
def test_local_templater(path: str, expected: str, why: str) -> None:
    assert template(path) == expected, why


def _observed(traffic: Path) -> tuple[Counter[tuple[str, str, str]], dict[tuple[str, str, str], set[str]]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    auth: dict[tuple[str, str, str], set[str]] = {}
    with traffic.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            u = urlsplit(rec["request"]["url"])
            key = (rec["request"]["method"], u.hostname, template(u.path))
            counts[key] += 1
            h = rec["request"]["headers"]
            a = h.get("authorization", "")
            kind = (
                "jwt"
                if a.startswith("Bearer ey")
                else "bearer"
                if a.startswith("Bearer ")
                else "basic"
                if a.startswith("Basic ")
                else "api_key"
                if "x-api-key" in h
                else "none"
            )
            auth.setdefault(key, set()).add(kind)
    return counts, auth


def test_truth_matches_traffic(run: SimulationResult, truth: dict[str, object]) -> None:
    counts, auth = _observed(run.traffic)
    rows = truth["endpoints"]
    assert isinstance(rows, list)
    seen_rows = {(r["method"], r["host"], r["path"]): r for r in rows if r["status"] != "orphan"}
    assert set(seen_rows) == set(counts)
    for key, row in seen_rows.items():
        assert row["requests"] == counts[key] > 0, key
        assert set(row["auth"]) == auth[key], key
    assert sum(counts.values()) == truth["events"]
    for r in rows:
        assert r["status"] in STATUSES
        if r["status"] == "orphan":
            assert r["requests"] == 0 and (r["method"], r["host"], template(r["path"])) not in counts


def _status(truth: dict[str, object], method: str, path: str) -> str:
    rows = truth["endpoints"]
    assert isinstance(rows, list)
    hits = [r["status"] for r in rows if r["method"] == method and r["path"] == path]
    assert len(hits) == 1, (method, path, hits)
    return str(hits[0])


@pytest.mark.parametrize(
    ("method", "path", "status", "why"),
    [
        ("GET", "/r4/Patient/{id}", "documented", "in both specs"),
        ("GET", "/r4/Patient/{id}/Observation", "documented", "compartment search"),
        ("GET", "/r4/Patient/{id}/_history/{vid}", "documented", "vread"),
        ("GET", "/r4/$export", "documented", "system operation"),
        ("GET", "/r4/bulkstatus/{id}", "documented", "OpenAPI only, other parameter name"),
        ("GET", "/v2/invoices/{id}", "documented", "spec says {invoiceId}"),
        ("GET", "/v1/invoices", "zombie", "deprecated, still called"),
        ("GET", "/v1/invoices/{id}", "zombie", "deprecated, still called"),
        ("GET", "/internal/lab-results/export", "shadow", "in no spec"),
        ("GET", "/internal/lab-results/{id}", "shadow", "in no spec"),
        ("DELETE", "/v2/invoices/{invoiceId}", "orphan", "documented, never called: spec's own name"),
        ("DELETE", "/r4/Patient/{id}", "orphan", "CapabilityStatement interaction never used"),
        ("POST", "/r4/Patient/_search", "orphan", "implied by search-type"),
        ("POST", "/api/v2/auth/logout", "orphan", "with the server's base path"),
    ],
)
def test_statuses(truth: dict[str, object], method: str, path: str, status: str, why: str) -> None:
    assert _status(truth, method, path) == status, why


def test_healthz_is_shadow_on_every_host(truth: dict[str, object]) -> None:
    rows = truth["endpoints"]
    assert isinstance(rows, list)
    hosts = {r["host"] for r in rows if r["path"] == "/healthz" and r["status"] == "shadow"}
    assert len(hosts) == 5


def test_small_run_has_no_unseen_endpoint_marked_seen(tmp_path: Path) -> None:
    res = simulate(tmp_path / "t.jsonl", SimulationConfig(seed=3, events=12))
    counts, _ = _observed(res.traffic)
    rows = json.loads(res.truth.read_text())["endpoints"]
    seen = {(r["method"], r["host"], r["path"]) for r in rows if r["status"] != "orphan"}
    assert seen == set(counts)
    assert len(counts) < 12  # most of the catalogue is unseen: those rows are orphans or absent
    statuses = {r["path"]: r["status"] for r in rows if r["method"] == "GET"}
    assert statuses["/v1/invoices"] == "orphan"  # deprecated but never called: orphan


def test_zero_events(tmp_path: Path) -> None:
    res = simulate(tmp_path / "t.jsonl", SimulationConfig(seed=3, events=0))
    assert res.events == 0 and res.traffic.read_bytes() == b""
    rows = json.loads(res.truth.read_text())["endpoints"]
    assert rows and all(r["status"] == "orphan" for r in rows)
