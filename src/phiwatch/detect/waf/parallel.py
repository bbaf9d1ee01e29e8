"""Parallel evaluation: worker processes each hold their own engine; requests travel as msgpack
batches and results come back in input order, with a bounded number of batches in flight.

The main process also runs the rest of the pipeline, so what it spends per event here is what
counts: it checks the scope itself (events out of scope are never shipped), and ships a ``Job``
per event, the request, client address and endpoint only (response bodies, PHI hits, identity
and timestamps stay behind: request rules never read them; the response travels only when
``inspect_response`` is on). libmodsecurity with CRS costs 1-9 ms a request in C++, so the
workers set the pace and the pipeline keeps doing its cheaper stages meanwhile.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
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


def plan_batch(chunk: list[Event], config: WafConfig) -> tuple[list[bool], list[Job]]:
    """Which events of a batch go to a worker (in scope) and the jobs that carry them."""
    scope, with_response = config.scope, config.inspect_response
    shipped = [in_scope(e, scope) for e in chunk]
    return shipped, [job_for(e, with_response) for e, sent in zip(chunk, shipped, strict=True) if sent]


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


def _results(chunk: list[Event], shipped: list[bool], future: Future[bytes] | None) -> Iterator[WafResult]:
    done = iter(_results_decoder.decode(future.result())) if future is not None else iter(())
    for sent in shipped:
        yield next(done) if sent else NOT_EVALUATED


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
    """(event, result) pairs in input order; out-of-scope events get ``NOT_EVALUATED`` here
    without a round trip. The events themselves stay in this process, so what the caller
    attaches lands on its own objects."""
    workers = max(1, workers)
    limit = in_flight or workers * 3  # enough to keep every worker busy, bounded memory
    ctx = multiprocessing.get_context("spawn")  # no fork: the parent may hold threads or engines
    init_args = (engine, msgspec.msgpack.encode(source), msgspec.msgpack.encode(config))
    pending: deque[tuple[list[Event], list[bool], Future[bytes] | None]] = deque()
    it = iter(events)
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=init_args) as pool:
        while True:
            while len(pending) < limit:
                chunk = list(islice(it, batch))
                if not chunk:
                    break
                shipped, jobs = plan_batch(chunk, config)
                future = pool.submit(_work, _encoder.encode(jobs)) if jobs else None
                pending.append((chunk, shipped, future))
            if not pending:
                return
            chunk, shipped, future = pending.popleft()
            yield from zip(chunk, _results(chunk, shipped, future), strict=True)
