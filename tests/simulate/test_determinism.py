"""Same seed, same bytes; another seed, other bytes; HAR is valid HAR 1.2."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from phiwatch.errors import ConfigError
from phiwatch.simulate import SimulationConfig, iter_exchanges, simulate


def _files(res_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(res_dir.iterdir())}


@pytest.mark.parametrize("fmt", ["jsonl", "har"])
def test_same_seed_identical_bytes(tmp_path: Path, fmt: str) -> None:
    a = simulate(tmp_path / "a" / f"t.{fmt}", SimulationConfig(seed=99, events=600, fmt=fmt))
    b = simulate(tmp_path / "b" / f"t.{fmt}", SimulationConfig(seed=99, events=600, fmt=fmt))
    fa, fb = _files(a.traffic.parent), _files(b.traffic.parent)
    assert set(fa) == {f"t.{fmt}", "t.truth.json", "t.openapi.yaml", "t.capability.json"}
    assert fa == fb


def test_different_seed_differs(tmp_path: Path) -> None:
    a = simulate(tmp_path / "a" / "t.jsonl", SimulationConfig(seed=1, events=300))
    b = simulate(tmp_path / "b" / "t.jsonl", SimulationConfig(seed=2, events=300))
    assert a.traffic.read_bytes() != b.traffic.read_bytes()
    assert a.truth.read_bytes() != b.truth.read_bytes()


def test_iter_exchanges_equals_file(tmp_path: Path) -> None:
    cfg = SimulationConfig(seed=8, events=400)
    res = simulate(tmp_path / "t.jsonl", cfg)
    lines = [json.loads(x) for x in res.traffic.read_text().splitlines()]
    assert lines == list(iter_exchanges(cfg))
    assert res.events == len(lines) == 400


def test_har_structure(tmp_path: Path) -> None:
    res = simulate(tmp_path / "t.har", SimulationConfig(seed=4, events=1500, fmt="har"))
    har = json.loads(res.traffic.read_text())
    log = har["log"]
    assert log["version"] == "1.2" and log["creator"]["name"]
    entries = log["entries"]
    assert len(entries) == 1500
    for e in entries:
        assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(e)
        req, resp = e["request"], e["response"]
        assert {"method", "url", "httpVersion", "headers", "queryString", "cookies"} <= set(req)
        assert {"status", "statusText", "headers", "content", "redirectURL"} <= set(resp)
        assert all(set(h) == {"name", "value"} for h in req["headers"])
    posts = [e for e in entries if e["request"]["method"] in ("POST", "PUT")]
    assert posts and all("text" in e["request"]["postData"] for e in posts)
    b64 = [e for e in entries if e["response"]["content"].get("encoding") == "base64"]
    assert b64 and base64.b64decode(b64[0]["response"]["content"]["text"]).startswith(b"%PDF")
    assert entries[0]["startedDateTime"] <= entries[-1]["startedDateTime"]


@pytest.mark.parametrize(
    ("cfg", "why"),
    [(SimulationConfig(fmt="pcap"), "unknown format"), (SimulationConfig(events=-1), "negative count")],
)
def test_bad_config(tmp_path: Path, cfg: SimulationConfig, why: str) -> None:
    with pytest.raises(ConfigError):
        simulate(tmp_path / "t.jsonl", cfg)
