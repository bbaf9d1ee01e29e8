"""Parallel evaluation: worker processes each hold their own engine; requests travel as msgpack
batches and results come back in input order, with a bounded number of batches in flight.

The main process also runs the rest of the pipeline, so what it spends per event here is what
counts: it checks the scope itself (events out of scope are never shipped), and ships a ``Job``
per event, the request, client address and endpoint only (response bodies, PHI hits, identity
and timestamps stay behind: request rules never read them; the response travels only when
``inspect_response`` is on). libmodsecurity with CRS costs 1-9 ms a request in C++, so the
workers set the pace and the pipeline keeps doing its cheaper stages meanwhile.

Requests that repeat exactly (same job bytes: method, path, query, headers, body, client address,
endpoint) reuse the earlier result instead of a round trip: access logs carry no per-request ids,
and polling clients repeat (about a fifth of a real Apache log). This is exact, not a heuristic:
with CRS's default collections off (phiwatch never turns them on) a result depends on the request
alone.
"""

from __future__ import annotations

import multiprocessing
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

import msgspec

from phiwatch.detect.waf.config import WafConfig
from phiwatch.detect.waf.result import NOT_EVALUATED, WafResult
from phiwatch.detect.waf.rules import RuleSource
from phiwatch.detect.waf.scope import in_scope
from phiwatch.model import EndpointKey, Event, Request, Response


class Job(msgspec.Struct, array_like=True):
    """What a worker needs to evaluate one event's request (array-encoded: no field names on
    the wire). ``response`` is set only when the engine inspects responses."""

    request: Request
    client_ip: str = ""
    endpoint: EndpointKey | None = None
    response: Response | None = None

    def event(self) -> Event:
        return Event(0.0, self.request, self.response or Response(), self.client_ip, endpoint=self.endpoint)


def job_for(event: Event, with_response: bool) -> Job:
    return Job(event.request, event.client_ip, event.endpoint, event.response if with_response else None)


CACHE_ENTRIES = 4096  # recent distinct requests remembered (FIFO)
CACHE_JOB_BYTES = 8192  # larger jobs (bodies) rarely repeat: not worth holding


def job_bytes(event: Event, config: WafConfig) -> bytes:
    """The encoded job: what travels to a worker, and the key of the repeat cache."""
    return _encoder.encode(job_for(event, config.inspect_response))


def remember(cache: OrderedDict[bytes, WafResult], blob: bytes, result: WafResult) -> None:
    """Keep a result for exact repeats; bounded, oldest first out (OrderedDict: O(1) eviction,
    where deleting a plain dict's first key leaves slots that later lookups walk past)."""
    if len(blob) <= CACHE_JOB_BYTES:
        if len(cache) >= CACHE_ENTRIES:
            cache.popitem(last=False)
        cache[blob] = result


_engine: object = None  # the worker's engine, built once by _init
_encoder = msgspec.msgpack.Encoder()
_jobs_decoder = msgspec.msgpack.Decoder(list[Job])
_results_decoder = msgspec.msgpack.Decoder(list[WafResult])


def _init(engine_name: str, source: bytes, config: bytes) -> None:
    global _engine
    from phiwatch.detect.waf import modsec  # noqa: F401 - registers the backend
    from phiwatch.detect.waf.engine import ENGINES

    factory = ENGINES.get(engine_name)
    _engine = factory(
        msgspec.msgpack.decode(source, type=RuleSource), msgspec.msgpack.decode(config, type=WafConfig)
    )


def _work(batch: bytes) -> bytes:
    engine = _engine
    assert engine is not None
    return _encoder.encode([engine.evaluate(job.event()) for job in _jobs_decoder.decode(batch)])  # type: ignore[attr-defined]


class Batch:
    """One batch in flight: per event, a result known here (out of scope, repeated request) or
    None for the next result from the worker; the job bytes of what was shipped, for the cache."""

    __slots__ = ("events", "future", "known", "sent")

    def __init__(self, events: list[Event], known: list[WafResult | None], sent: list[bytes]) -> None:
        self.events, self.known, self.sent = events, known, sent
        self.future: Future[bytes] | None = None

    def results(self, cache: OrderedDict[bytes, WafResult]) -> Iterator[WafResult]:
        done: list[WafResult] = []
        if self.future is not None:
            done = _results_decoder.decode(self.future.result())
            for blob, result in zip(self.sent, done, strict=True):
                remember(cache, blob, result)
        fresh = iter(done)
        for known in self.known:
            yield next(fresh) if known is None else known


def plan_batch(
    chunk: list[Event], config: WafConfig, cache: Mapping[bytes, WafResult] | None = None
) -> Batch:
    """Decide each event of a batch here when possible (out of scope, repeated request) and
    encode the jobs that must go to a worker."""
    cache = cache or {}
    scope = config.scope
    known: list[WafResult | None] = []
    sent: list[bytes] = []
    for event in chunk:
        if not in_scope(event, scope):
            known.append(NOT_EVALUATED)
            continue
        blob = job_bytes(event, config)
        hit = cache.get(blob)
        if hit is None:
            sent.append(blob)
        known.append(hit)
    return Batch(chunk, known, sent)


def evaluate_parallel(
    events: Iterable[Event],
    workers: int,
    *,
    source: RuleSource,
    config: WafConfig,
    engine: str = "modsecurity",
    batch: int = 64,
    in_flight: int = 0,
) -> Iterator[tuple[Event, WafResult]]:
    """(event, result) pairs in input order; out-of-scope events get ``NOT_EVALUATED`` and
    repeated requests their earlier result here, without a round trip. The events themselves
    stay in this process, so what the caller attaches lands on its own objects."""
    workers = max(1, workers)
    limit = in_flight or workers * 3  # enough to keep every worker busy, bounded memory
    ctx = multiprocessing.get_context("spawn")  # no fork: the parent may hold threads or engines
    init_args = (engine, msgspec.msgpack.encode(source), msgspec.msgpack.encode(config))
    pending: deque[Batch] = deque()
    cache: OrderedDict[bytes, WafResult] = OrderedDict()
    it = iter(events)
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=init_args) as pool:
        while True:
            while len(pending) < limit:
                chunk = list(islice(it, batch))
                if not chunk:
                    break
                planned = plan_batch(chunk, config, cache)
                if planned.sent:  # the jobs are already encoded: splice them into one array
                    payload = _encoder.encode([msgspec.Raw(blob) for blob in planned.sent])
                    planned.future = pool.submit(_work, payload)
                pending.append(planned)
            if not pending:
                return
            done = pending.popleft()
            yield from zip(done.events, done.results(cache), strict=True)
