"""The parallel transport: only in-scope requests are shipped, repeated requests reuse their
result, jobs carry what the engine reads and nothing else, and a job evaluates exactly like the
event it came from."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import msgspec
import pytest

from phiwatch.detect.waf import Exclusion, WafConfig, WafEngine, evaluate_parallel, load_engine
from phiwatch.detect.waf.config import Scope
from phiwatch.detect.waf.parallel import CACHE_ENTRIES, CACHE_JOB_BYTES, Job, job_for, plan_batch, remember
from phiwatch.detect.waf.result import NOT_EVALUATED, WafResult
from phiwatch.model import EndpointKey, Event, PhiHit
from tests.detect.waf.conftest import BROWSER
from tests.factories import tevent

ATTACK = "q=1%27%20UNION%20SELECT%20password%20FROM%20users--"
FHIR = {**BROWSER, "content-type": "application/fhir+json"}
RESULT = WafResult(inbound_score=10, blocked=True)
RESPONSE = b'{"resourceType":"Patient","name":[{"family":"Okafor"}]}'

# (event, shipped?, reason)
SCOPE_ROWS = [
    (tevent(path="/static/app.js", req_headers=BROWSER), False, "static asset, GET without query"),
    (tevent("HEAD", "/img/logo.PNG", req_headers=BROWSER), False, "HEAD of an image, case-insensitive"),
    (tevent(path="/static/app.js", query="v=../../etc/passwd"), True, "near miss: a query makes it input"),
    (tevent("POST", "/upload/x.png", req_body=b"a=1"), True, "near miss: POST with a body"),
    (tevent(path="/Patient/123", req_headers=BROWSER), True, "API read: path and headers are input"),
    (tevent(path="/js", req_headers=BROWSER), True, "near miss: no extension, just a segment named js"),
    (tevent(path="/Patient", query=ATTACK, req_headers=BROWSER), True, "query string"),
]


@pytest.mark.parametrize(("event", "shipped", "reason"), SCOPE_ROWS, ids=[r[2] for r in SCOPE_ROWS])
def test_plan_ships_only_in_scope(event: Event, shipped: bool, reason: str) -> None:
    batch = plan_batch([event], WafConfig())
    assert batch.known == [None if shipped else NOT_EVALUATED], reason
    assert len(batch.sent) == int(shipped), reason


def test_plan_keeps_order_of_shipped_jobs() -> None:
    chunk = [row[0] for row in SCOPE_ROWS]
    batch = plan_batch(chunk, WafConfig())
    sent = [msgspec.msgpack.decode(b, type=Job).request for b in batch.sent]
    assert sent == [e.request for e, k in zip(chunk, batch.known, strict=True) if k is None]


def test_only_with_input_scope_ships_fewer() -> None:
    api_read = tevent(path="/Patient/123", req_headers=BROWSER)
    assert plan_batch([api_read], WafConfig(scope=Scope(only_with_input=True))).sent == []


# (second request, reuses the first one's result?, reason)
REPEAT_ROWS = [
    (tevent(path="/Patient", query=ATTACK, req_headers=BROWSER), True, "same request, later timestamp too"),
    (tevent(path="/Patient", query=ATTACK, req_headers=BROWSER, client_ip="10.9.9.9"), False, "other client"),
    (tevent(path="/Patient", query=ATTACK + "x", req_headers=BROWSER), False, "near miss: query differs"),
    (
        tevent(path="/Patient", query=ATTACK, req_headers={**BROWSER, "x-request-id": "7"}),
        False,
        "extra header",
    ),
    (tevent("POST", "/Patient", query=ATTACK, req_headers=BROWSER), False, "near miss: method differs"),
]


@pytest.mark.parametrize(("again", "reused", "reason"), REPEAT_ROWS, ids=[r[2] for r in REPEAT_ROWS])
def test_repeated_request_reuses_result(again: Event, reused: bool, reason: str) -> None:
    first = tevent(path="/Patient", query=ATTACK, req_headers=BROWSER, ts=1.0)
    again.ts = 2.0
    cache = {msgspec.msgpack.encode(job_for(first, False)): RESULT}
    batch = plan_batch([again], WafConfig(), cache)
    assert (batch.known == [RESULT]) is reused, reason
    assert len(batch.sent) == int(not reused), reason


def test_endpoint_template_is_part_of_the_key() -> None:
    # Exclusions depend on the template: the same raw request under another template may differ.
    a, b = tevent(path="/Patient/7"), tevent(path="/Patient/7")
    a.endpoint = EndpointKey("GET", "fhir.example.org", "/Patient/{id}")
    cache = {msgspec.msgpack.encode(job_for(a, False)): RESULT}
    assert plan_batch([b], WafConfig(), cache).known == [None]


def test_job_leaves_response_and_annotations_behind() -> None:
    ev = tevent(
        "POST", "/Patient", req_headers=FHIR, req_body=b'{"resourceType":"Patient"}', resp_body=RESPONSE
    )
    ev.phi.append(PhiHit(category="name", location="response_body", masked="O*****"))
    ev.endpoint = EndpointKey("POST", "fhir.example.org", "/Patient")
    job = job_for(ev, with_response=False)
    wire = msgspec.msgpack.encode(job)
    assert b"Okafor" not in wire and b"O*****" not in wire  # response body and PHI hits stay here
    back = msgspec.msgpack.decode(wire, type=Job).event()
    assert back.request == ev.request and back.endpoint == ev.endpoint and back.client_ip == ev.client_ip
    assert back.response.body is None
    assert job_for(ev, with_response=True).response == ev.response  # response rules need it


def test_job_evaluates_like_its_event(crs_dir: Path, crs_engine: WafEngine) -> None:
    # The endpoint template must travel: exclusions are keyed on it, not on the raw path.
    excluding = load_engine(
        crs_dir, WafConfig(exclusions=(Exclusion("/Patient/{id}", rule_ids=frozenset({942100})),))
    )
    events = [
        tevent(path="/Patient/7", query="x=1%27%20or%201=1--", req_headers=BROWSER, client_ip="203.0.113.9"),
        tevent("POST", "/Patient", req_headers=FHIR, req_body=b'{"name":"<script>alert(1)</script>"}'),
        tevent(path="/Patient/8", query=ATTACK, req_headers=BROWSER),
    ]
    events[0].endpoint = EndpointKey("GET", "fhir.example.org", "/Patient/{id}")
    for engine in (crs_engine, excluding):
        for ev in events:
            job = msgspec.msgpack.decode(msgspec.msgpack.encode(job_for(ev, False)), type=Job)
            assert engine.evaluate(job.event()) == engine.evaluate(ev)


def test_parallel_mixes_shipped_and_skipped_in_order(crs_engine: WafEngine) -> None:
    events = [row[0] for row in SCOPE_ROWS] * 3
    expected = [crs_engine.evaluate(e) for e in events]
    got = list(evaluate_parallel(events, 2, source=crs_engine.source, config=crs_engine.config, batch=4))
    assert [e for e, _ in got] == events  # same objects, same order
    assert [r for _, r in got] == expected
    assert sum(r is NOT_EVALUATED for _, r in got) == 6  # skipped ones never left this process


def test_parallel_repeats_match_sequential(crs_engine: WafEngine) -> None:
    # Repeats inside one batch and across batches, attacks and clean requests mixed.
    shapes = [
        tevent(path="/Patient", query=ATTACK, req_headers=BROWSER),
        tevent(path="/Patient", query="family=Smith", req_headers=BROWSER),
        tevent(path="/Patient/1", query="x=../../etc/passwd", req_headers=BROWSER),
    ]
    events = [msgspec.structs.replace(shapes[i % 3], line=i) for i in range(20)]
    expected = [crs_engine.evaluate(e) for e in events]
    got = list(evaluate_parallel(events, 2, source=crs_engine.source, config=crs_engine.config, batch=3))
    assert [e for e, _ in got] == events
    assert [r for _, r in got] == expected


def test_parallel_batch_of_only_static_needs_no_worker(crs_engine: WafEngine) -> None:
    events = [tevent(path=f"/static/{i}.css") for i in range(5)]
    got = list(evaluate_parallel(events, 2, source=crs_engine.source, config=crs_engine.config))
    assert [r for _, r in got] == [NOT_EVALUATED] * 5


def test_repeat_cache_is_bounded_oldest_first_and_skips_big_jobs() -> None:
    cache: OrderedDict[bytes, WafResult] = OrderedDict()
    for i in range(CACHE_ENTRIES + 2):
        remember(cache, b"job-%d" % i, RESULT)
    assert len(cache) == CACHE_ENTRIES
    assert b"job-0" not in cache and b"job-1" not in cache and b"job-2" in cache
    remember(cache, b"x" * (CACHE_JOB_BYTES + 1), RESULT)  # a body this size rarely repeats
    assert b"x" * (CACHE_JOB_BYTES + 1) not in cache
