"""Done-when of issue 5: every flaw the vulnerable lab plants is found, and the hardened lab
yields no finding of those checks, for two seeds, through the real pipeline."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from phiwatch.discovery.spec import load_spec
from phiwatch.posture import CheckRun
from phiwatch.simulate import SimulationConfig, simulate
from tests.posture.harness import Run

EVENTS = 1_000


def lab_run(tmp: Path, seed: int, variant: str) -> tuple[CheckRun, dict[str, object]]:
    res = simulate(
        tmp / f"{variant}-{seed}.jsonl", SimulationConfig(seed=seed, events=EVENTS, variant=variant)
    )
    specs = [load_spec(p) for p in res.specs]
    run = Run().feed_file(res.traffic).check(specs)
    return run, orjson.loads(res.truth.read_bytes())


@pytest.mark.parametrize("seed", [3, 11])
def test_vulnerable_and_hardened(tmp_path: Path, seed: int) -> None:
    vuln, truth = lab_run(tmp_path, seed, "vulnerable")
    assert vuln.failed == {}
    planted = {(r["check"], r["method"], r["host"], r["path"]) for r in truth["planted"]}  # type: ignore[attr-defined]
    found = {
        (f.check, f.endpoint.method, f.endpoint.host, f.endpoint.path) for f in vuln.findings if f.endpoint
    }
    assert planted - found == set()
    planted_checks = {p[0] for p in planted}

    hard, htruth = lab_run(tmp_path, seed, "hardened")
    assert htruth["planted"] == []
    assert hard.failed == {}
    assert [(f.check, f.endpoint) for f in hard.findings if f.check in planted_checks] == []


def test_every_check_is_planted(tmp_path: Path) -> None:
    from phiwatch.posture.checks import registered
    from phiwatch.simulate.lab import planted
    from phiwatch.simulate.world import World

    assert {p["check"] for p in planted(World(1, 1000))} == set(registered().names())


def test_variant_needs_enough_events(tmp_path: Path) -> None:
    from phiwatch.errors import ConfigError

    with pytest.raises(ConfigError, match="at least"):
        simulate(tmp_path / "t.jsonl", SimulationConfig(events=10, variant="vulnerable"))
    with pytest.raises(ConfigError, match="unknown variant"):
        simulate(tmp_path / "t.jsonl", SimulationConfig(variant="nope"))
