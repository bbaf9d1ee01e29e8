"""Shared test fixtures. Test data in ../shared/data is read in place, never copied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PHIWATCH_SHARED", ROOT.parent / "shared")).resolve()
DATA = SHARED / "data"


def need_shared(*parts: str) -> Path:
    """Path under ../shared/data; in CI (CI=true) a missing copy fails, elsewhere it skips."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        msg = f"shared test data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture
def shared_data() -> Path:
    return need_shared()
