"""Engines shared by the WAF tests: built once per session (loading CRS takes ~50 ms)."""

from __future__ import annotations

from pathlib import Path

import pytest

from phiwatch.detect.waf import WafConfig, WafEngine, builtin_source, load_engine
from tests.conftest import need_shared

BROWSER = {
    "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    "accept": "application/fhir+json, */*;q=0.5",
}


@pytest.fixture(scope="session")
def crs_dir() -> Path:
    return need_shared("crs")


@pytest.fixture(scope="session")
def crs_engine(crs_dir: Path) -> WafEngine:
    return load_engine(crs_dir, WafConfig())


@pytest.fixture(scope="session")
def builtin_engine() -> WafEngine:
    return load_engine(config=WafConfig(), source=builtin_source())
