"""A deterministic synthetic healthcare organisation: traffic, published specs, ground truth.

``simulate(out, config)`` writes, for ``out = dir/traffic.jsonl``:

* ``dir/traffic.jsonl`` (or HAR 1.2 with ``fmt="har"``): the exchanges, in time order;
* ``dir/traffic.openapi.yaml``: the OpenAPI 3.0 document the organisation publishes;
* ``dir/traffic.capability.json``: the FHIR server's CapabilityStatement;
* ``dir/traffic.truth.json``: the inventory phiwatch should find (rules in ``truth.py``) and,
  for the default variant, the PHI each endpoint returns and each client received (``phi.py``).

The same seed gives byte-identical files: all randomness comes from ``random.Random``
instances seeded from the config, and time from a seed-derived start in 2026.

Canonical JSONL record (one per line)::

    {"ts": "2026-03-02T14:05:07.123Z", "client_ip": "10.20.0.14",
     "request": {"method": "GET", "url": "https://fhir.x.example.org/r4/Patient/1000042",
                 "headers": {...}, "body": "..."},                     # body only when sent
     "response": {"status": 200, "headers": {...}, "body": "...",     # or "body_base64"
                  "duration_ms": 41.3}}

Layout: ``world`` (organisation, patients, practitioners), ``apis/`` (one module per API
family, server side), ``actors/`` (one module per client application), ``traffic`` (the
scheduler), ``writers/`` (one module per format), ``specs/`` and ``truth``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import orjson
import yaml

from phiwatch.errors import ConfigError
from phiwatch.registry import import_all
from phiwatch.simulate import lab, traffic, truth, writers
from phiwatch.simulate.exchange import Emitted
from phiwatch.simulate.specs import capability, openapi
from phiwatch.simulate.world import World
from phiwatch.simulate.writers import WRITERS

MAX_EVENTS = 100_000_000


VARIANTS = ("default", *lab.VARIANTS)


class SimulationConfig(msgspec.Struct, frozen=True):
    seed: int = 7
    events: int = 5000
    fmt: str = "jsonl"  # "jsonl" | "har"
    # "default": the organisation as usual; "vulnerable" / "hardened": the posture lab
    # (lab.py), with every posture flaw planted / with none of them.
    variant: str = "default"


class SimulationResult(msgspec.Struct):
    traffic: Path
    truth: Path
    specs: list[Path]  # [OpenAPI YAML, CapabilityStatement JSON]; lab variants: [OpenAPI YAML]
    events: int


def _check(config: SimulationConfig) -> None:
    import_all(writers)
    if config.fmt not in WRITERS:
        raise ConfigError(f"unknown traffic format {config.fmt!r} (known: {', '.join(WRITERS.names())})")
    if not 0 <= config.events <= MAX_EVENTS:
        raise ConfigError(f"events must be between 0 and {MAX_EVENTS}, got {config.events}")
    if config.variant not in VARIANTS:
        raise ConfigError(f"unknown variant {config.variant!r} (known: {', '.join(VARIANTS)})")
    if config.variant != "default" and config.events < lab.MIN_EVENTS:
        raise ConfigError(f"the {config.variant} variant needs at least {lab.MIN_EVENTS} events")


def _emitted(config: SimulationConfig) -> Iterator[Emitted]:
    if config.variant == "default":
        return traffic.emitted(config.seed, config.events)
    return lab.emitted(config.seed, config.events, config.variant)


def iter_exchanges(config: SimulationConfig) -> Iterator[dict[str, object]]:
    """The canonical JSONL objects, in time order, without touching the disk."""
    _check(config)
    for em in _emitted(config):
        yield em.record


def sibling(out: Path, suffix: str) -> Path:
    return out.with_name(out.stem + suffix)


def simulate(out: Path, config: SimulationConfig) -> SimulationResult:
    """Write the traffic file at ``out`` and, beside it, the specs and the ground truth."""
    _check(config)
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{out.parent}: cannot create directory: {exc.strerror}") from None
    world = World(config.seed, config.events)
    lab_world = config.variant != "default"
    if lab_world:
        world = World(config.seed, max(config.events, lab.MIN_EVENTS))
        oa_doc, cs_doc = lab.openapi(world, config.variant), None
    else:
        oa_doc, cs_doc = openapi.document(world), capability.statement(world)
    seen: dict[tuple[str, str, str], truth.Seen] = {}
    flows: dict[str, truth.Flow] = {}
    count = 0
    try:
        with open(out, "wb", buffering=1 << 20) as fh:
            writer = WRITERS.get(config.fmt)(fh)
            for em in _emitted(config):
                writer.write(em.record)
                resp = em.record["response"]
                assert isinstance(resp, dict)
                truth.record(seen, em, resp["status"], flows)
                count += 1
            writer.close()
        oa_path, cs_path = sibling(out, ".openapi.yaml"), sibling(out, ".capability.json")
        oa_path.write_text(yaml.safe_dump(oa_doc, sort_keys=False, allow_unicode=True, width=110))
        spec_rows = truth.openapi_endpoints(oa_doc)
        spec_paths = [oa_path]
        if cs_doc is not None:
            cs_path.write_bytes(orjson.dumps(cs_doc, option=orjson.OPT_INDENT_2) + b"\n")
            spec_rows += truth.capability_endpoints(cs_doc)
            spec_paths.append(cs_path)
        # the lab variants build their own bodies without PHI truth: no claim is made for them
        rows = truth.build(seen, spec_rows, with_phi=not lab_world)
        doc: dict[str, object] = {
            "seed": config.seed,
            "events": count,
            "organisation": world.org_name,
            "hosts": [
                world.fhir_host,
                world.portal_host,
                world.billing_host,
                world.lab_host,
                world.directory_host,
            ],
            "specs": [p.name for p in spec_paths],
            "endpoints": rows,
        }
        if not lab_world:
            doc["clients"] = truth.clients(flows)
        if lab_world:
            doc["variant"] = config.variant
            # the posture findings phiwatch must report (none for the hardened variant)
            doc["planted"] = lab.planted(world) if config.variant == "vulnerable" else []
        truth_path = sibling(out, ".truth.json")
        truth_path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    except OSError as exc:
        raise ConfigError(f"{exc.filename or out}: cannot write: {exc.strerror}") from None
    return SimulationResult(traffic=out, truth=truth_path, specs=spec_paths, events=count)


__all__ = ["VARIANTS", "SimulationConfig", "SimulationResult", "iter_exchanges", "simulate"]
