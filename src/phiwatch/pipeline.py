"""Stages in a fixed order over one Event, like mitmproxy's addon chain.

Each stage is a small object with one method, ``process(event)``, that attaches what it
learns to the event (identity, endpoint, PHI, alerts) or folds it into an aggregate (the
inventory). Order is the contract: normalize -> discover -> classify -> detect -> decide ->
sinks. ``default_stages`` below is the one place that lists them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from phiwatch.identity import IdentityReader
from phiwatch.model import Event

if TYPE_CHECKING:
    from phiwatch.classify import ClassifyStage, PhiAggregator
    from phiwatch.discovery.inventory import Inventory


class Stage(Protocol):
    name: str

    def process(self, event: Event) -> None:
        """Attach results to the event or fold it into an aggregate. No I/O per event."""


class IdentityStage:
    """normalize: read the caller's identity from the credential."""

    name = "identity"

    def __init__(self, reader: IdentityReader) -> None:
        self.reader = reader

    def process(self, event: Event) -> None:
        event.identity = self.reader.read(event)


class Pipeline:
    """Runs every event through the stages in order. A failing stage is counted per stage
    and the event goes on to the next one; ``strict`` (tests) re-raises so bugs surface."""

    def __init__(self, stages: Sequence[Stage], *, strict: bool = False) -> None:
        self.stages = tuple(stages)
        self.strict = strict
        self.errors: Counter[str] = Counter()
        self.events = 0
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate stage names in {names}")

    def run(self, event: Event) -> Event:
        self.events += 1
        for stage in self.stages:
            try:
                stage.process(event)
            except Exception:
                if self.strict:
                    raise
                self.errors[stage.name] += 1
        return event

    def run_all(self, events: Iterable[Event]) -> int:
        n = 0
        run = self.run
        for event in events:
            run(event)
            n += 1
        return n


@dataclass
class Components:
    """The stateful parts one run shares; each stage gets what it needs from here."""

    identity: IdentityReader
    inventory: Inventory
    classify: ClassifyStage | None = None
    phi: PhiAggregator | None = None


def default_stages(c: Components) -> list[Stage]:
    """The default chain, in order. Adding a stage to phiwatch means adding it here."""
    from phiwatch.discovery.inventory import DiscoverStage

    stages: list[Stage] = [
        IdentityStage(c.identity),  # normalize
        DiscoverStage(c.inventory),  # discover
    ]
    if c.classify is not None:
        stages.append(c.classify)  # classify: PHI in path, query, headers, bodies
    if c.phi is not None:
        stages.append(c.phi)  # PHI per endpoint and per client (needs discover + classify)
    return stages
