"""On simulator output, the PHI phiwatch reports equals the simulator's PHI ground truth.

The truth (``simulate/phi.py``) comes from what the simulator put in each response, never from
the classifier. Where the two disagree and the truth is right, the disagreement is listed in
``ENDPOINT_GAPS`` / ``CLIENT_GAPS`` with the reason: the main tests then still demand that the
report has exactly the truth minus that gap (so nothing else may drift), and one strict xfail
per gap demands the full truth, so it fails loudly once the analyzer is fixed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from phiwatch.analyze import analyze
from phiwatch.model import Endpoint
from phiwatch.simulate import SimulationConfig, simulate
from phiwatch.simulate.actors import clinician_app, patient_app, payer

SEEDS = (6101, 6202)  # used nowhere else
EVENTS = 3000
JWT_CLIENTS = (clinician_app.CLIENT_ID, patient_app.CLIENT_ID, payer.CLIENT_ID)
HLL_TOLERANCE = 0.10

# (method, path) -> (categories the truth has and the report lacks, why the truth is right)
ENDPOINT_GAPS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("GET", "/v2/invoices/{id}/pdf"): (
        frozenset({"address", "mrn", "name"}),
        "classifier skips application/pdf as binary; the uncompressed PDF text stream holds "
        '"Invoice N - Given Family - MRN MRNnnnnnnn - street, city ST"',
    ),
}
# (method, path) -> why phi_in_url is missed
URL_GAPS: dict[tuple[str, str], str] = {}
# client_id -> categories the report lacks (from the endpoint gaps above), why
CLIENT_GAPS: dict[str, tuple[frozenset[str], str]] = {}
# client_id -> why the distinct-patient estimate is off by more than the HLL error
PATIENT_GAPS: dict[str, str] = {}


@dataclass(frozen=True)
class Run:
    truth: dict[str, object]
    endpoints: dict[tuple[str, str, str], Endpoint]
    flows: dict[str, dict[str, object]]


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    d = tmp_path_factory.mktemp(f"phi{request.param}")
    result = simulate(d / "traffic.jsonl", SimulationConfig(seed=request.param, events=EVENTS))
    report = analyze([result.traffic], specs=result.specs, db=str(d / "p.db"))
    flows = {str(f["client"]): f for f in report.data_flows}
    return Run(
        json.loads(result.truth.read_text()),
        {(e.method, e.host, e.path): e for e in report.endpoints},
        flows,
    )


def _truth_rows(run: Run) -> list[dict[str, object]]:
    rows = run.truth["endpoints"]
    assert isinstance(rows, list)
    return rows


def _truth_clients(run: Run) -> dict[str, dict[str, object]]:
    rows = run.truth["clients"]
    assert isinstance(rows, list)
    return {str(c["client"]): c for c in rows}


def test_every_endpoint_phi_equals_truth(run: Run) -> None:
    mismatches = []
    for row in _truth_rows(run):
        key = (str(row["method"]), str(row["host"]), str(row["path"]))
        ep = run.endpoints.get(key)
        assert ep is not None, f"truth endpoint not reported: {key}"
        want = set(row["phi"])  # type: ignore[call-overload]
        gap, _ = ENDPOINT_GAPS.get((key[0], key[2]), (frozenset(), ""))
        assert gap <= want, f"gap {sorted(gap)} not in the truth of {key}: the table is stale"
        if set(ep.phi) != want - gap:
            mismatches.append((key, sorted(want - gap), ep.phi))
        want_url = bool(row["phi_in_url"]) and (key[0], key[2]) not in URL_GAPS
        if ep.phi_in_url != want_url:
            mismatches.append((key, f"phi_in_url={want_url}", ep.phi_in_url))
    assert not mismatches, mismatches


def test_truth_has_phi_where_expected(run: Run) -> None:
    """The truth itself is not empty-handed: the main PHI endpoints carry what their bodies hold."""
    by = {(r["method"], r["path"]): r for r in _truth_rows(run) if r["requests"]}
    patient = set(by[("GET", "/r4/Patient/{id}")]["phi"])  # type: ignore[call-overload]
    assert {"name", "address", "date", "phone", "email", "ssn", "mrn", "clinical"} <= patient
    assert by[("GET", "/r4/Patient")]["phi_in_url"] is True  # search by MRN or name + birth date
    assert by[("GET", "/r4/Patient/{id}")]["phi_in_url"] is False  # a logical id is not a category
    assert by[("GET", "/Location")]["phi"] == []  # a place's phone and address are not PHI
    assert by[("GET", "/r4/Organization/{id}")]["phi"] == ["npi"]
    assert by[("GET", "/healthz")]["phi"] == []
    for key in ENDPOINT_GAPS:  # every tolerated gap is exercised by both seeds
        assert key in by, f"{key} not emitted: the gap table no longer tests anything"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=why))
        for k, (_, why) in ENDPOINT_GAPS.items()
    ],
    ids=lambda k: f"{k[0]} {k[1]}",
)
def test_known_endpoint_gap(run: Run, key: tuple[str, str]) -> None:
    """The full truth for each endpoint the classifier gets partly wrong (fails until fixed)."""
    rows = [r for r in _truth_rows(run) if (r["method"], r["path"]) == key]
    assert rows
    for row in rows:
        ep = run.endpoints[(str(row["method"]), str(row["host"]), str(row["path"]))]
        assert ep.phi == row["phi"]


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=why))
        for k, why in URL_GAPS.items()
    ],
    ids=lambda k: f"{k[0]} {k[1]}",
)
def test_known_url_gap(run: Run, key: tuple[str, str]) -> None:
    rows = [r for r in _truth_rows(run) if (r["method"], r["path"]) == key]
    assert rows
    for row in rows:
        ep = run.endpoints[(str(row["method"]), str(row["host"]), str(row["path"]))]
        assert ep.phi_in_url == row["phi_in_url"]


def test_truth_names_the_smart_clients(run: Run) -> None:
    jwt = {name for name, c in _truth_clients(run).items() if c["auth"] == "jwt"}
    assert jwt == {f"client:{cid}" for cid in JWT_CLIENTS}


@pytest.mark.parametrize("client_id", JWT_CLIENTS)
def test_client_categories_and_endpoints(run: Run, client_id: str) -> None:
    want = _truth_clients(run)[f"client:{client_id}"]
    got = run.flows.get(f"client:{client_id}")
    assert got is not None, f"no data flow for {client_id}"
    gap, _ = CLIENT_GAPS.get(client_id, (frozenset(), ""))
    assert set(got["phi"]) == set(want["phi"]) - gap  # type: ignore[call-overload]
    assert sorted(got["endpoints"]) == want["endpoints"]  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "client_id",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=why))
        for c, (_, why) in CLIENT_GAPS.items()
    ],
)
def test_known_client_category_gap(run: Run, client_id: str) -> None:
    assert run.flows[f"client:{client_id}"]["phi"] == _truth_clients(run)[f"client:{client_id}"]["phi"]


@pytest.mark.parametrize(
    "client_id",
    [
        pytest.param(
            c,
            marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=PATIENT_GAPS[c])]
            if c in PATIENT_GAPS
            else [],
        )
        for c in JWT_CLIENTS
    ],
)
def test_client_distinct_patients(run: Run, client_id: str) -> None:
    """The HyperLogLog estimate is within 10 % of the exact number the simulator sent."""
    want = _truth_clients(run)[f"client:{client_id}"]["patients"]
    got = run.flows[f"client:{client_id}"]["patients"]
    assert isinstance(want, int) and isinstance(got, int) and want > 0
    assert abs(got - want) <= HLL_TOLERANCE * want, (client_id, want, got)
