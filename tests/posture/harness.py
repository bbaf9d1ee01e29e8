"""Run real pipeline components plus the posture stage over events or a traffic file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import jwt

from phiwatch.analyze import with_phi
from phiwatch.classify import Classifier, ClassifyOptions, ClassifyStage, PhiAggregator
from phiwatch.discovery.inventory import Inventory
from phiwatch.discovery.lifecycle import assign_status
from phiwatch.discovery.spec import SpecDocument
from phiwatch.identity import Fingerprinter, IdentityReader
from phiwatch.ingest import IngestReport, read_events
from phiwatch.model import Endpoint, Event
from phiwatch.pipeline import Components, Pipeline, default_stages
from phiwatch.posture import CheckRun, ObserveStage, PostureOptions, run_checks

KEY = b"posture-tests-key-0123456789abcdef"


class Run:
    def __init__(self, options: PostureOptions | None = None) -> None:
        fp = Fingerprinter(KEY)
        self.inventory = Inventory()
        classify = ClassifyStage(Classifier(ClassifyOptions(), fp))
        self.phi = PhiAggregator(classify)
        comps = Components(IdentityReader(fp), self.inventory, classify, self.phi)
        self.observe = ObserveStage(options)
        self.pipeline = Pipeline([*default_stages(comps), self.observe], strict=True)

    def feed(self, events: Iterable[Event]) -> Run:
        self.pipeline.run_all(events)
        return self

    def feed_file(self, path: Path) -> Run:
        self.pipeline.run_all(read_events(path, IngestReport()))
        return self

    def endpoints(self, specs: Sequence[SpecDocument] = ()) -> list[Endpoint]:
        eps = with_phi(self.inventory.endpoints(), self.phi.endpoint_phi(), self.inventory)
        return assign_status(eps, list(specs))

    def check(self, specs: Sequence[SpecDocument] = (), *, only: Sequence[str] | None = None) -> CheckRun:
        return run_checks(self.endpoints(specs), self.observe, list(specs), only=only)


def token(claims: dict[str, object], *, alg: str = "HS256") -> str:
    if alg == "none":
        return jwt.encode(claims, None, algorithm="none")
    return jwt.encode(claims, "test-signing-key-for-posture-tests-only", algorithm=alg)


def bearer(**claims: object) -> dict[str, str]:
    base: dict[str, object] = {"sub": "u1", "iat": 1_767_225_600, "exp": 1_767_229_200}
    base.update(claims)
    base = {k: v for k, v in base.items() if v is not None}
    return {"authorization": "Bearer " + token(base)}
