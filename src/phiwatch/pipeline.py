"""Stages in a fixed order over one Event, like mitmproxy's addon chain.

Each stage is a small object with one method, ``process(event)``, that attaches what it
learns to the event (identity, endpoint, PHI, alerts) or folds it into an aggregate (the
inventory). Order is the contract: normalize -> discover -> classify -> detect -> decide ->
sinks. ``default_stages`` below is the one place that lists them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from phiwatch.identity import IdentityReader
from phiwatch.model import Event

if TYPE_CHECKING:
    from phiwatch.alerts import AlertCollector
    from phiwatch.classify import ClassifyStage, PhiAggregator
    from phiwatch.detect.waf import WafStage
    from phiwatch.discovery.inventory import Inventory
    from phiwatch.posture import ObserveStage


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

    def run(self, event: Event, start: int = 0, stop: int | None = None) -> Event:
        if start == 0:
            self.events += 1
            stages = self.stages if stop is None else self.stages[:stop]
        else:
            stages = self.stages[start:stop]
        for stage in stages:
            try:
                stage.process(event)
            except Exception:
                if self.strict:
                    raise
                self.errors[stage.name] += 1
        return event

    def index(self, name: str) -> int:
        for i, stage in enumerate(self.stages):
            if stage.name == name:
                return i
        raise KeyError(name)

    def head(self, events: Iterable[Event], stop: int) -> Iterator[Event]:
        """Run the stages before ``stop`` lazily, so a costly later stage can be evaluated
        ahead in workers on events that already carry identity and endpoint."""
        for event in events:
            yield self.run(event, 0, stop)

    def run_all(self, events: Iterable[Event], start: int = 0) -> int:
        """``run`` over many events, with each stage's method bound once (the hot loop)."""
        procs = [(stage.name, stage.process) for stage in self.stages[start:]]
        errors, strict = self.errors, self.strict
        n = 0
        for event in events:
            for name, process in procs:
                try:
                    process(event)
                except Exception:
                    if strict:
                        raise
                    errors[name] += 1
            n += 1
        if start == 0:
            self.events += n
        return n


@dataclass
class Components:
    """The stateful parts one run shares; each stage gets what it needs from here."""

    identity: IdentityReader
    inventory: Inventory
    classify: ClassifyStage | None = None
    phi: PhiAggregator | None = None
    observe: ObserveStage | None = None
    waf: WafStage | None = None
    detectors: list[Stage] = field(default_factory=list)
    alerts: AlertCollector | None = None


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
    if c.observe is not None:
        stages.append(c.observe)  # posture facts per endpoint, for the checks after the run
    if c.waf is not None:
        stages.append(c.waf)  # detect: CRS payloads (evaluated ahead in workers, see analyze)
    stages.extend(c.detectors)  # detect: runtime abuse
    if c.alerts is not None:
        stages.append(c.alerts)  # decide/sink: one alert per actor, detector and window
    return stages
