"""The observe stage: bounded state, persistence, re-keying; run_checks isolation and spec warnings."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.classify import Classifier, ClassifyOptions, ClassifyStage
from phiwatch.discovery.inventory import Inventory
from phiwatch.discovery.spec import load_spec
from phiwatch.identity import Fingerprinter, IdentityReader
from phiwatch.model import EndpointKey, Event, Identity
from phiwatch.pipeline import Components, Pipeline, default_stages
from phiwatch.posture import CHECKS, Check, CheckInfo, ObserveStage, PostureOptions, run_checks
from phiwatch.posture.observe import _is_field_name, path_id, query_pairs, walk_keys
from tests.posture.harness import Run, bearer
from tests.posture.test_checks import SMART, bundle, ev


def test_state_round_trips_and_is_capped() -> None:
    opts = PostureOptions(max_endpoints=3)
    run = Run(opts).feed([ev(f"/r4/Thing{i}/x") for i in range(6)])
    assert len(run.observe.endpoints) == 3 and run.observe.dropped == 3
    again = ObserveStage.from_bytes(run.observe.to_bytes(), opts)
    assert again.endpoints == run.observe.endpoints and again.dropped == 3


def test_remap_merges_facts() -> None:
    obs = Run().feed([ev("/r4/Patient/p1"), ev("/r4/Patient/p2", scheme="http")]).observe
    obs.remap(lambda k: EndpointKey(k.method, k.host, "/r4/Patient/*"))
    (facts,) = obs.endpoints.values()
    assert facts.requests == 2 and facts.schemes == {"https": 1, "http": 1}


def test_failing_check_is_reported_and_others_finish() -> None:
    def boom(ctx: object) -> list[object]:
        raise RuntimeError("broken on purpose")

    info = CheckInfo(
        id="zz_boom", title="t", severity="low", owasp="API8:2023", hipaa=("164.312(b)",), remediation="r"
    )
    CHECKS.units["zz_boom"] = Check(info, boom)  # type: ignore[arg-type]
    try:
        run = run_checks(
            Run().feed([ev(req_headers={})]).endpoints(), Run().feed([ev(req_headers={})]).observe, []
        )
    finally:
        del CHECKS.units["zz_boom"]
    assert run.failed == {"zz_boom": "RuntimeError: broken on purpose"}
    assert any(f.check == "missing_auth" for f in run.findings)


def test_broken_schema_warns_and_other_checks_run(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nx-vendor-thing: {a: 1}\n"
        "servers: [{url: 'https://fhir.example.org'}]\npaths:\n  /r4/Patient/{pid}:\n    get:\n"
        "      responses:\n        '200':\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Missing'}\n"
    )
    run = Run().feed([ev(req_headers={})]).check([load_spec(spec)])
    assert run.failed == {}
    assert any("Missing" in w for w in run.warnings)
    assert any(f.check == "missing_auth" for f in run.findings)


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/r4/Patient/{id}", "/r4/Patient/123", "123"),  # plain
        ("/r4/Patient/{id}/$everything", "/r4/Patient/ab/$everything", "ab"),  # operation after id
        ("/r4/Patient", "/r4/Patient", None),  # no id
        ("/r4/Patient/{id}", "/r4/Patient/1/x", None),  # does not line up
    ],
)
def test_path_id(template: str, path: str, expected: str | None) -> None:
    assert path_id(template, path) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.text(max_size=8) | st.integers(),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=4),
    )
)
def test_walk_keys_keeps_only_field_names(doc: object) -> None:
    names: set[str] = set()
    walk_keys(doc, names)
    for n in names:
        assert 0 < len(n) <= 64 and sum(c.isdigit() for c in n) < 3


def _field_name_reference(key: str) -> bool:
    """The rule as first written, character by character."""
    if not 0 < len(key) <= 64 or not (key[0].isalpha() or key[0] in "_$@"):
        return False
    return sum(c.isdigit() for c in key) < 3 and all(c.isalnum() or c in "_-.$@" for c in key)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("birthDate", True),  # a plain field name
        ("@odata.nextLink", True),  # OData annotation
        ("addr2line1", True),  # two digits are still a name
        ("a1b2c3", False),  # three digits: looks like an id
        ("123abc", False),  # starts with a digit
        ("x" * 64, True),  # longest kept
        ("x" * 65, False),  # one too long
        ("first name", False),  # a space: a value, not a name
        ("", False),  # empty
        ("nombreé", True),  # non-ASCII letters are letters
        ("x١٢٣", False),  # non-ASCII digits count as digits
    ],
)
def test_field_name_rule(key: str, expected: bool) -> None:
    assert _is_field_name(key) is expected is _field_name_reference(key)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=70) | st.from_regex(r"[A-Za-z_$@][A-Za-z0-9_.$@-]{0,66}", fullmatch=True))
def test_field_name_fast_path_equals_reference(key: str) -> None:
    assert _is_field_name(key) is _field_name_reference(key)


class _Lender:
    """Counts the documents the classify stage lends to the observe stage."""

    def __init__(self, classify: ClassifyStage) -> None:
        self.classify = classify
        self.lent = 0

    def json_doc(self, body: bytes) -> object:
        doc = self.classify.json_doc(body)
        self.lent += doc is not None
        return doc


def _observe(events: list[Event], *, lend: bool) -> tuple[ObserveStage, int]:
    fp = Fingerprinter(b"observe-tests-key-0123456789abcd")
    classify = ClassifyStage(Classifier(ClassifyOptions(), fp))
    lender = _Lender(classify)
    observe = ObserveStage(PostureOptions(), lender if lend else None)
    comps = Components(IdentityReader(fp), Inventory(), classify, observe=observe)
    Pipeline(default_stages(comps), strict=True).run_all(events)
    return observe, lender.lent


def _reuse_events() -> list[Event]:
    json_headers = {"content-type": "application/json"}
    listing = orjson.dumps({"items": [{"firstName": "Ana", "memberId": "W123"}] * 600})
    return [
        # API3 field-name sampling of a non-FHIR JSON response: classify decoded it already
        ev("/api/members", resp_headers=json_headers, resp_body=listing),
        # API4 paging: ?limit above the cap, generic JSON list response
        ev("/api/members", query="limit=1000", resp_headers=json_headers, resp_body=listing),
        # API7: a write body with a URL-carrying field, decoded once by classify
        ev(
            "/api/webhooks",
            method="POST",
            req_headers={**bearer(**SMART), **json_headers},
            req_body=b'{"callbackUrl": "https://partner.example.com/hook", "name": "x"}',
        ),
        # a FHIR body: classify only skims it, observe decodes it itself
        ev("/r4/Observation", query="_count=1000", resp_body=bundle(600)),
    ]


def test_observe_reuses_classify_documents_with_identical_facts() -> None:
    lent, n_lent = _observe(_reuse_events(), lend=True)
    alone, _ = _observe(_reuse_events(), lend=False)
    assert n_lent >= 3  # the listing (twice) and the write body were not decoded again
    assert lent.endpoints == alone.endpoints and lent.hosts == alone.hosts
    facts = {k.path: f for k, f in lent.endpoints.items()}
    assert facts["/api/webhooks"].url_params == {"callbackurl": 1}
    assert {"firstName", "memberId", "items"} <= set(facts["/api/members"].response_fields)
    assert facts["/r4/Observation"].page_unbounded == 1 and facts["/r4/Observation"].page_max_items == 600
    assert facts["/api/members"].page_unbounded == 1


def test_observe_state_from_bytes_keeps_lender() -> None:
    observe, _ = _observe(_reuse_events(), lend=True)
    lender = _Lender(ClassifyStage(Classifier(ClassifyOptions(), Fingerprinter(b"k" * 32))))
    again = ObserveStage.from_bytes(observe.to_bytes(), PostureOptions(), lender)
    assert again.json_docs is lender and again.endpoints == observe.endpoints


def test_id_hashes_stay_distinct_across_reload_and_remap() -> None:
    ids = ["101", "102", "101", "103", "102"]
    run = Run().feed([ev(f"/r4/Encounter/{i}") for i in ids])
    state = run.observe.to_bytes()
    (facts,) = [f for k, f in run.observe.endpoints.items() if "Encounter" in k.path]
    assert len(facts.id_hashes) == 3  # repeats are not kept twice
    again = ObserveStage.from_bytes(state)
    key = next(k for k in again.endpoints if "Encounter" in k.path)
    for i in ["101", "104", "104"]:  # seen before the reload, then a new one twice
        again._ids(again.endpoints[key], i, Identity())
    assert len(again.endpoints[key].id_hashes) == 4
    again.remap(lambda k: k)
    again._ids(again.endpoints[key], "103", Identity())
    assert len(again.endpoints[key].id_hashes) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("_count=50&patient=p1", [("_count", "50"), ("patient", "p1")]),  # plain: no decoding needed
        ("Name=a+b&x=%2Fy", [("name", "a b"), ("x", "/y")]),  # encoded: decoded as before
        ("a&=v&b=", [("a", ""), ("b", "")]),  # a pair without a name is dropped
        ("COUNT=5", [("count", "5")]),  # names are lower-cased, values are not
    ],
)
def test_query_pairs(query: str, expected: list[tuple[str, str]]) -> None:
    assert query_pairs(query) == expected
