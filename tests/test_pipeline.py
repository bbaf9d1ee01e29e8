from __future__ import annotations

import pytest

from phiwatch.model import Event
from phiwatch.pipeline import Pipeline
from phiwatch.registry import Registry
from tests.factories import tevent


class Boom:
    name = "boom"

    def process(self, event: Event) -> None:
        raise RuntimeError("bug")


class Mark:
    name = "mark"

    def process(self, event: Event) -> None:
        event.line = 99


def test_failing_stage_is_counted_and_chain_goes_on() -> None:
    p = Pipeline([Boom(), Mark()])
    ev = p.run(tevent())
    assert p.errors["boom"] == 1 and ev.line == 99


def test_strict_reraises() -> None:
    with pytest.raises(RuntimeError):
        Pipeline([Boom()], strict=True).run(tevent())


def test_duplicate_stage_names_refused() -> None:
    with pytest.raises(ValueError):
        Pipeline([Mark(), Mark()])


def test_registry_refuses_duplicates() -> None:
    reg: Registry[int] = Registry("thing")
    reg.register("a")(1)
    with pytest.raises(ValueError):
        reg.register("a")(2)
    assert reg.get("a") == 1 and "a" in reg and reg.names() == ["a"]
