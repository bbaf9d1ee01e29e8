"""Labelled attack scenarios and benign look-alikes, on top of the base simulator's world.

Each module here registers one scenario in ``SCENARIOS``: a name, whether it is an attack,
the detectors expected to fire (``detectors``, the first is the primary one), where in the
base traffic it starts (``at``, a share of the estimated span) and ``run(ctx)``, a generator
of ``(Emitted, Label)`` pairs built with the base simulator's APIs (``simulate.apis``) over
the same ``World`` as the base traffic, so hosts, patients and practitioners are shared.

Every exchange is the canonical JSONL dict of the base simulator plus a ``label`` key::

    "label": {"scenario": "smart_bola", "attack": true,
              "actor": "client:pulse-patient-app sub:pt-0000123",   # as phiwatch names it
              "also": ["ip:203.0.113.7"],                           # other names it may get
              "detectors": ["bola_smart"]}

``label`` is ground truth only; readers ignore unknown keys. ``merge`` interleaves streams by
timestamp; ``iter_with_scenarios`` is base traffic plus scenarios; ``add_scenarios`` adds
scenarios to a JSONL file written by ``simulate.simulate`` and writes the ground truth
beside it as ``<stem>.attacks.json``.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import msgspec
import orjson

from phiwatch.errors import ConfigError
from phiwatch.model import Alert, Event
from phiwatch.registry import Registry, import_all
from phiwatch.simulate import SimulationConfig, clock, iter_exchanges
from phiwatch.simulate.exchange import Cred, Emitted, Sim
from phiwatch.simulate.world import World

Record = dict[str, object]
MS_PER_EVENT = 650  # rough span of base traffic per event (business-hours load), for placement


class Label(msgspec.Struct, frozen=True):
    scenario: str
    attack: bool
    actor: str
    detectors: tuple[str, ...] = ()
    also: tuple[str, ...] = ()


@dataclass
class ScenarioContext:
    """What a scenario run gets: its own Sim over the shared World, its start and seed."""

    sim: Sim
    start_ms: int
    seed: int
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = self.sim.rng


class Scenario(Protocol):
    name: str
    attack: bool
    detectors: tuple[str, ...]
    at: float  # start, as a share of the base traffic's estimated span

    def run(self, ctx: ScenarioContext) -> Iterator[tuple[Emitted, Label]]:
        """Exchanges in time order; the scenario sets ``ctx.sim.now`` before each one."""
        ...


SCENARIOS: Registry[Scenario] = Registry("scenario")


def _load() -> None:
    import phiwatch.simulate.scenarios as pkg

    import_all(pkg)


def scenario_names() -> list[str]:
    """Every registered scenario name (attacks and benign look-alikes)."""
    _load()
    return SCENARIOS.names()


def get(name: str) -> Scenario:
    _load()
    return SCENARIOS.get(name)


def actor_name(*, client_id: str | None = None, sub: str | None = None, ip: str | None = None) -> str:
    """The actor name phiwatch gives a caller (mirrors ``detect.base.actor_of``)."""
    if client_id:
        return f"client:{client_id} sub:{sub}" if sub and sub != client_id else f"client:{client_id}"
    if sub:
        return f"sub:{sub}"
    return f"ip:{ip}"


def jwt_cred(
    sim: Sim,
    client_id: str,
    sub: str,
    scope: str,
    *,
    patient: str | None = None,
    fhir_user: str | None = None,
    lifetime_s: int = 3600,
) -> Cred:
    """A Bearer JWT credential from the simulator's token service."""
    token = sim.tokens.jwt(
        sim.now, client_id, sub, scope, patient=patient, fhir_user=fhir_user, lifetime_s=lifetime_s
    )
    return Cred("jwt", "authorization", "Bearer " + token)


def span_ms(events: int) -> int:
    return max(600_000, events * MS_PER_EVENT)


def iter_scenario(name: str, config: SimulationConfig) -> Iterator[Record]:
    """One scenario's labelled exchanges (canonical dicts with ``label``), in time order."""
    sc = get(name)
    world = World(config.seed, config.events)
    sim = Sim(world, config.seed, config.events)
    sim.rng = random.Random(f"scenario:{name}:{config.seed}")
    start = clock.start_ms(config.seed) + int(sc.at * span_ms(config.events))
    sim.now = start
    ctx = ScenarioContext(sim, start, config.seed)
    last = ""
    for em, label in sc.run(ctx):
        rec = em.record
        rec["label"] = msgspec.to_builtins(label)
        ts = rec["ts"]
        assert isinstance(ts, str)
        if ts < last:  # a scenario's own stream must be ordered for merge()
            raise AssertionError(f"scenario {name} went back in time: {ts} < {last}")
        last = ts
        yield rec


def merge(*streams: Iterable[Record]) -> Iterator[Record]:
    """Interleave time-ordered streams by ``ts`` (RFC 3339 in one format sorts as text)."""
    return heapq.merge(*streams, key=lambda r: str(r["ts"]))


def iter_with_scenarios(config: SimulationConfig, names: Sequence[str]) -> Iterator[Record]:
    """Base traffic with the named scenarios merged in, in time order."""
    for n in names:
        get(n)  # ConfigError for an unknown name, before any work
    return merge(iter_exchanges(config), *(iter_scenario(n, config) for n in names))


class Truth(msgspec.Struct):
    """Ground truth of one scenario run: who did it, when, and what should see it."""

    scenario: str
    attack: bool
    detectors: tuple[str, ...]
    actors: dict[str, list[str]]  # actor -> other names it may get
    first_ts: str
    last_ts: str
    events: int


def truth_of(records: Iterable[Record]) -> list[Truth]:
    """Summarise labelled records per scenario (unlabelled base records are skipped)."""
    out: dict[str, Truth] = {}
    for rec in records:
        lab = rec.get("label")
        if not isinstance(lab, dict):
            continue
        ts = str(rec["ts"])
        t = out.get(lab["scenario"])
        if t is None:
            t = out[lab["scenario"]] = Truth(
                lab["scenario"], bool(lab["attack"]), tuple(lab["detectors"]), {}, ts, ts, 0
            )
        t.events += 1
        t.first_ts, t.last_ts = min(t.first_ts, ts), max(t.last_ts, ts)
        also = t.actors.setdefault(lab["actor"], [])
        for a in lab.get("also", ()):
            if a not in also:
                also.append(a)
    return list(out.values())


def add_scenarios(traffic: Path, config: SimulationConfig, names: Sequence[str]) -> Path:
    """Merge scenarios into a JSONL file written by ``simulate.simulate`` (rewritten in place,
    labels stripped) and write ``<stem>.attacks.json`` beside it; returns that path."""
    if config.fmt != "jsonl":
        raise ConfigError("scenarios can be added to JSONL traffic only")
    for n in names:
        get(n)
    traffic = Path(traffic)
    tmp = traffic.with_name(traffic.name + ".tmp")
    labelled: list[Record] = []

    def base() -> Iterator[Record]:
        with traffic.open("rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line)

    def keep(stream: Iterator[Record]) -> Iterator[Record]:
        for rec in stream:
            labelled.append({"ts": rec["ts"], "label": rec["label"]})
            yield rec

    try:
        with tmp.open("wb") as out:
            for rec in merge(base(), *(keep(iter_scenario(n, config)) for n in names)):
                rec.pop("label", None)
                out.write(orjson.dumps(rec) + b"\n")
        tmp.replace(traffic)
    except OSError as exc:
        raise ConfigError(f"{traffic}: cannot write: {exc.strerror}") from None
    truth = traffic.with_name(traffic.stem + ".attacks.json")
    doc = {"seed": config.seed, "scenarios": msgspec.to_builtins(truth_of(labelled))}
    truth.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    return truth


def to_events(records: Iterable[Record], source: str = "sim") -> Iterator[Event]:
    """Canonical records as Events, through the real JSONL reader (labels are ignored)."""
    from phiwatch.ingest import IngestOptions, IngestReport
    from phiwatch.ingest.jsonl import JsonlRecord, to_event

    decode = msgspec.json.Decoder(JsonlRecord).decode
    report, options = IngestReport(), IngestOptions()
    for i, rec in enumerate(records, 1):
        yield to_event(decode(orjson.dumps(rec)), source, i, report, options)


class Score(msgspec.Struct):
    """Precision and recall of one detector against scenario ground truth."""

    detector: str
    alerts: int = 0  # actionable (medium or high) alerts
    true_alerts: int = 0
    low_alerts: int = 0  # informational, not scored
    actors: int = 0  # attack actors whose scenario names this detector first
    found: int = 0
    benign_high: int = 0  # high-severity alerts on benign look-alike actors

    @property
    def precision(self) -> float:
        return self.true_alerts / self.alerts if self.alerts else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.actors if self.actors else 1.0


def _epoch(ts: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def keyed_actor(name: str, hasher: Callable[[str], str]) -> str:
    """A label's actor as phiwatch names it: subjects appear only as their keyed hash."""
    out = []
    for part in name.split(" "):
        if part.startswith("sub:"):
            part = "sub:" + hasher("sub\0" + part[4:])
        out.append(part)
    return " ".join(out)


def score(
    alerts: Iterable[Alert],
    truths: Sequence[Truth],
    detectors: Sequence[str],
    slack_s: float = 3600.0,
    *,
    hasher: Callable[[str], str] | None = None,
) -> dict[str, Score]:
    """Score alerts: an actionable alert is true when it names an attack actor during (or
    within ``slack_s`` of) that attack; an attack actor is found by a detector when that
    detector raised an actionable alert on it. Recall counts each scenario's primary detector.
    ``hasher`` is the run's fingerprinter, to name subjects as phiwatch does."""
    spans: list[tuple[set[str], float, float, Truth]] = []
    for t in truths:
        lo, hi = _epoch(t.first_ts) - slack_s, _epoch(t.last_ts) + slack_s
        for actor, also in t.actors.items():
            names = {actor, *also}
            if hasher is not None:
                names = {keyed_actor(n, hasher) for n in names}
            spans.append((names, lo, hi, t))
    out = {d: Score(d) for d in detectors}
    found: set[tuple[str, str, str]] = set()
    for a in alerts:
        sc = out.setdefault(a.detector, Score(a.detector))
        hits = [
            t for names, lo, hi, t in spans if a.actor in names and a.last_seen >= lo and a.first_seen <= hi
        ]
        attack = [t for t in hits if t.attack]
        if a.severity == "high" and hits and not attack:
            sc.benign_high += 1
        if a.severity == "low":
            sc.low_alerts += 1
            continue
        sc.alerts += 1
        if attack:
            sc.true_alerts += 1
            for t in attack:
                found.add((a.detector, t.scenario, a.actor))
    for names, _lo, _hi, t in spans:
        if t.attack and t.detectors:
            primary = t.detectors[0]
            sc = out.setdefault(primary, Score(primary))
            sc.actors += 1
            if any((primary, t.scenario, n) in found for n in names):
                sc.found += 1
    return out


__all__ = [
    "SCENARIOS",
    "Label",
    "Scenario",
    "ScenarioContext",
    "Truth",
    "actor_name",
    "add_scenarios",
    "iter_scenario",
    "iter_with_scenarios",
    "jwt_cred",
    "keyed_actor",
    "merge",
    "scenario_names",
    "score",
    "to_events",
    "truth_of",
]
