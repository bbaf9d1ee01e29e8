"""One analysis run: read sources through the pipeline, fold into the stored inventory,
apply the published specs, run the posture checks, and produce a Report. The CLI is a thin
layer over this."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import msgspec

from phiwatch.alerts import AlertCollector, by_detector
from phiwatch.classify import Classifier, ClassifyOptions, ClassifyStage, EndpointPhi, PhiAggregator
from phiwatch.detect.base import DetectContext, Detector, all_alerts, build_detectors
from phiwatch.detect.options import DetectOptions
from phiwatch.detect.waf import WafConfig, WafStage, load_engine
from phiwatch.discovery.inventory import Inventory
from phiwatch.discovery.lifecycle import assign_status
from phiwatch.discovery.spec import SpecDocument, load_spec
from phiwatch.errors import InputError
from phiwatch.identity import Fingerprinter, IdentityReader
from phiwatch.ingest import IngestOptions, IngestReport, detect_format, read_events
from phiwatch.model import Endpoint, EndpointKey, Event, Finding
from phiwatch.pipeline import Components, Pipeline, default_stages
from phiwatch.posture import ObserveStage, PostureOptions, run_checks
from phiwatch.report import Report
from phiwatch.runtime import throughput_gc
from phiwatch.store import Store, open_store
from phiwatch.store.fingerprint import fingerprint_file

DEFAULT_DB = "phiwatch.db"
STATUSES = ("documented", "shadow", "zombie", "orphan", "undocumented")
SEVERITIES = ("critical", "high", "medium", "low", "info")

_SPECS_STATE = "specs"
_INVENTORY_STATE = "inventory"
_PHI_STATE = "phi"
_POSTURE_STATE = "posture"
_spec_list = msgspec.msgpack.Decoder(list[SpecDocument])


class AnalyzeOptions(msgspec.Struct):
    ingest: IngestOptions = msgspec.field(default_factory=IngestOptions)
    classify: ClassifyOptions = msgspec.field(default_factory=ClassifyOptions)
    posture: PostureOptions = msgspec.field(default_factory=PostureOptions)
    waf: bool = True
    crs: str | None = None  # CRS directory; else $PHIWATCH_CRS_DIR, Debian's, or built-in rules
    waf_config: WafConfig = msgspec.field(default_factory=WafConfig)
    detect: bool = True
    detect_options: DetectOptions = msgspec.field(default_factory=DetectOptions)
    workers: int = 0  # WAF worker processes; 0: one per CPU (the WAF costs ms per request)
    strict: bool = False  # re-raise stage errors (tests)


def default_db() -> str:
    return os.environ.get("PHIWATCH_DB", DEFAULT_DB)


def check_inputs(paths: Sequence[Path], options: IngestOptions) -> None:
    """Fail before any work when an input cannot be opened or is no traffic (exit 2)."""
    for path in paths:
        if not path.exists():
            raise InputError(str(path), None, "no such file")
        if path.is_dir():
            raise InputError(str(path), None, "is a directory")
        try:
            with path.open("rb") as fh:
                empty = not fh.read(1)
        except OSError as exc:
            raise InputError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
        if not empty and options.fmt is None:
            detect_format(path, options)  # raises InputError naming the file


def _merge_specs(store: Store, new: list[SpecDocument]) -> list[SpecDocument]:
    """Specs given once stay in force for later runs; a spec with the same label replaces."""
    raw = store.load_state(_SPECS_STATE)
    by_label = {doc.label: doc for doc in (_spec_list.decode(raw) if raw else [])}
    for doc in new:
        by_label[doc.label] = doc
    return list(by_label.values())


def summarize(
    endpoints: Sequence[Endpoint], ingest: IngestReport, pipeline: Pipeline, extra: dict[str, object]
) -> dict[str, object]:
    by_status = Counter(ep.status for ep in endpoints)
    summary: dict[str, object] = {
        "events": ingest.events,
        "endpoints": len(endpoints),
        "endpoints_by_status": {s: by_status[s] for s in STATUSES if by_status[s]},
        "findings_by_severity": {},
        "alerts_by_detector": {},
        "rejected": ingest.rejected,
        "rejected_samples": [str(r) for r in ingest.rejected_samples[:50]],
        "truncated_bodies": ingest.truncated_bodies,
        "formats": dict(ingest.by_format),
        "stage_errors": dict(pipeline.errors),
    }
    summary.update(extra)
    return summary


def severity_counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {s: counts[s] for s in SEVERITIES if counts[s]}


class _Run:
    """The stateful parts of one run, loaded from the store and saved back at the end."""

    def __init__(self, store: Store, options: AnalyzeOptions) -> None:
        self.store = store
        self.options = options
        fingerprint = Fingerprinter(store.get_or_create_key())
        state = store.load_state(_INVENTORY_STATE)
        self.inventory = Inventory.from_bytes(state) if state else Inventory()
        self.classify = ClassifyStage(Classifier(options.classify, fingerprint))
        state = store.load_state(_PHI_STATE)
        self.phi = PhiAggregator.from_bytes(state, self.classify) if state else PhiAggregator(self.classify)
        state = store.load_state(_POSTURE_STATE)
        # Observe reuses the JSON classify decoded for the same event (it runs just before).
        self.observe = (
            ObserveStage.from_bytes(state, options.posture, self.classify)
            if state
            else ObserveStage(options.posture, self.classify)
        )
        self.waf: WafStage | None = None
        if options.waf:
            workers = options.workers or (os.cpu_count() or 1)
            self.waf = WafStage(load_engine(options.crs, options.waf_config), workers=workers)
        self.alerts = AlertCollector()
        self.detect = DetectContext(options.detect_options, fingerprint)
        self.detectors: list[Detector] = build_detectors(self.detect) if options.detect else []
        components = Components(
            identity=IdentityReader(fingerprint),
            inventory=self.inventory,
            classify=self.classify,
            phi=self.phi,
            observe=self.observe,
            waf=self.waf,
            detectors=list(self.detectors),
            alerts=self.alerts,
        )
        self.pipeline = Pipeline(default_stages(components), strict=options.strict)

    def feed(self, events: Iterable[Event]) -> None:
        """Run every event of the run, from all inputs, through the pipeline."""
        if self.waf is None:
            self.pipeline.run_all(events)
            return
        # The WAF costs milliseconds a request: the stages before it run here, then it is
        # evaluated ahead in worker processes (started once for all inputs), then the rest.
        cut = self.pipeline.index(self.waf.name)
        self.pipeline.run_all(self.waf.annotate(self.pipeline.head(events, cut)), start=cut)

    def canonical(self, key: EndpointKey) -> EndpointKey:
        return canonical_key(self.inventory, key)


def canonical_key(inventory: Inventory, key: EndpointKey) -> EndpointKey:
    """Events keep the template they had when seen; later-learned templates fold them."""
    learner = inventory.learner
    if learner is None:
        return key
    return EndpointKey(key.method, key.host, learner.apply(key.host, key.path))


def analyze(
    paths: Sequence[Path],
    *,
    specs: Sequence[Path] = (),
    db: str | None = None,
    options: AnalyzeOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    options = options or AnalyzeOptions()
    check_inputs(paths, options.ingest)
    spec_docs = [load_spec(p) for p in specs]  # ConfigError names the file
    started = time.time()
    with open_store(db or default_db()) as store:
        run = _Run(store, options)
        ingest = IngestReport()
        analyzed: list[str] = []
        skipped: list[str] = []
        sources: list[tuple[str, str, int, int]] = []

        def inputs() -> Iterator[Event]:
            """Events of every input not analyzed before, in order; per-source counts are
            taken when its reader is exhausted."""
            done = 0
            for path in paths:
                fp = fingerprint_file(path)
                size = path.stat().st_size
                if store.source_seen(fp) or fp in {s[0] for s in sources}:
                    skipped.append(str(path))
                else:
                    events0, rejected0 = ingest.events, ingest.rejected

                    def step(n: int, base: int = done) -> None:
                        if progress:
                            progress(base + n)

                    yield from read_events(path, ingest, options.ingest, step)
                    analyzed.append(str(path))
                    sources.append((fp, str(path), ingest.events - events0, ingest.rejected - rejected0))
                done += size
                if progress:
                    progress(done)

        with throughput_gc():  # the streaming part: see runtime.py
            run.feed(inputs())
        all_specs = _merge_specs(store, spec_docs)
        endpoints = with_phi(run.inventory.endpoints(), run.phi.endpoint_phi(), run.inventory)
        endpoints = assign_status(endpoints, all_specs)
        run.observe.remap(run.canonical)
        checks = run_checks(endpoints, run.observe, all_specs, options.posture)
        flows = [msgspec.to_builtins(f) for f in run.phi.flows()]
        alerts = run.alerts.alerts(all_alerts(run.detectors))
        summary = summarize(
            endpoints,
            ingest,
            run.pipeline,
            {
                "findings_by_severity": severity_counts(checks.findings),
                "alerts_by_detector": by_detector(alerts),
                "detect_skipped": dict(run.detect.skipped),
                "sources_analyzed": analyzed,
                "sources_skipped": skipped,
                "specs": [doc.label for doc in all_specs],
                "spec_warnings": [w for doc in all_specs for w in doc.warnings][:50],
                "checks_failed": checks.failed,
                "check_warnings": checks.warnings[:50],
                "db": str(store.location),
                "seconds": round(time.time() - started, 3),
                "phi_skipped": dict(run.classify.classifier.skipped),
                "phi_dropped": dict(run.phi.dropped),
                "waf": {
                    "rules": run.waf.engine.source.describe() if run.waf is not None else "off",
                    **(dict(run.waf.counts) if run.waf is not None else {}),
                },
            },
        )
        with store.transaction():
            for fp, name, n_events, n_rejected in sources:
                store.record_source(fp, name, n_events, n_rejected)
            store.save_state(_INVENTORY_STATE, run.inventory.to_bytes())
            store.save_state(_SPECS_STATE, msgspec.msgpack.encode(all_specs))
            store.save_state(_PHI_STATE, run.phi.to_bytes())
            store.save_state(_POSTURE_STATE, run.observe.to_bytes())
            store.save_endpoints(endpoints)
            store.upsert_findings(checks.findings)
            store.add_alerts(alerts)
            store.record_run(summary)
        current = {f.id for f in checks.findings}
        findings = [f for f in store.load_findings() if f.id in current]  # with first/last seen
    return Report(summary=summary, endpoints=endpoints, findings=findings, alerts=alerts, data_flows=flows)


def with_phi(
    endpoints: list[Endpoint], phi: dict[EndpointKey, EndpointPhi], inventory: Inventory
) -> list[Endpoint]:
    """Put each endpoint's PHI on its inventory row. PHI was keyed by the template an event
    had when it was seen; templates learned later fold into the endpoint they now belong to."""
    merged: dict[EndpointKey, EndpointPhi] = {}
    for key, found in phi.items():
        key = canonical_key(inventory, key)
        if key in merged:
            merged[key].merge(found)
        else:
            merged[key] = EndpointPhi(
                response=dict(found.response),
                request=dict(found.request),
                phi_in_url=found.phi_in_url,
                url_categories=list(found.url_categories),
            )
    for ep in endpoints:
        row = merged.get(ep.key)
        if row is not None:
            ep.phi = row.phi
            ep.phi_in_url = row.phi_in_url
            ep.phi_counts = dict(sorted(row.response.items()))
    return endpoints


def load_report(db: str | None = None) -> Report:
    """What the store holds, as a Report (inventory, findings, flows; alerts stay separate)."""
    with open_store(db or default_db(), create=False) as store:
        endpoints = store.load_endpoints()
        findings = store.load_findings()
        last = store.last_run() or {}
        phi_state = store.load_state(_PHI_STATE)
    flows = [msgspec.to_builtins(f) for f in PhiAggregator.from_bytes(phi_state).flows()] if phi_state else []
    by_status = Counter(ep.status for ep in endpoints)
    summary: dict[str, object] = {
        "events": sum(ep.requests for ep in endpoints),
        "endpoints": len(endpoints),
        "endpoints_by_status": {s: by_status[s] for s in STATUSES if by_status[s]},
        "findings_by_severity": severity_counts(findings),
        "last_run": last.get("summary", {}),
    }
    return Report(summary=summary, endpoints=endpoints, findings=findings, data_flows=flows)
