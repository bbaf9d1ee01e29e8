"""The observe stage: bounded state, persistence, re-keying; run_checks isolation and spec warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.discovery.spec import load_spec
from phiwatch.model import EndpointKey
from phiwatch.posture import CHECKS, Check, CheckInfo, ObserveStage, PostureOptions, run_checks
from phiwatch.posture.observe import path_id, walk_keys
from tests.posture.harness import Run
from tests.posture.test_checks import ev


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
