"""Backends for the store contract suite. Each param yields a factory that opens the same
fresh database every time it is called, so tests can close and reopen it. A PostgreSQL
backend joins by adding a param here (skipped unless its server is configured)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from phiwatch.store import Store, open_store

OpenStore = Callable[[], Store]
BACKENDS = ["sqlite"]


@pytest.fixture(autouse=True)
def _no_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A PHIWATCH_KEY in the developer's shell would change what get_or_create_key returns.
    monkeypatch.delenv("PHIWATCH_KEY", raising=False)


@pytest.fixture(params=BACKENDS)
def open_fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    opened: list[Store] = []

    def factory() -> Store:
        if request.param == "sqlite":
            store = open_store(tmp_path / "phiwatch.db")
        else:  # pragma: no cover - no other backend yet
            raise AssertionError(request.param)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_fresh: OpenStore) -> Store:
    return open_fresh()
