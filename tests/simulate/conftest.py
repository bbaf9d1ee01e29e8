"""One simulated run per module, shared by the tests that only read it."""

from __future__ import annotations

import json

import pytest

from phiwatch.simulate import SimulationConfig, SimulationResult, simulate

SEED = 20260
EVENTS = 3000


@pytest.fixture(scope="package")
def run(tmp_path_factory: pytest.TempPathFactory) -> SimulationResult:
    out = tmp_path_factory.mktemp("sim") / "traffic.jsonl"
    return simulate(out, SimulationConfig(seed=SEED, events=EVENTS))


@pytest.fixture(scope="package")
def records(run: SimulationResult) -> list[dict[str, object]]:
    with run.traffic.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="package")
def truth(run: SimulationResult) -> dict[str, object]:
    data: dict[str, object] = json.loads(run.truth.read_text())
    return data
