"""Lifecycle status: matching observed templates to spec operations, and every status with its
reason (documented, shadow, zombie by deprecation or by a newer version, orphan, undocumented)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.discovery.lifecycle import (
    SpecIndex,
    assign_status,
    split_path,
    version_of,
)
from phiwatch.discovery.spec import SpecDocument, SpecOperation, load_spec
from phiwatch.model import Endpoint

SPECS = Path(__file__).parent / "specs"


def spec(
    *ops: tuple[str, str] | tuple[str, str, str] | tuple[str, str, str, bool], label: str = "API 1"
) -> SpecDocument:
    """A spec from (method, path[, host[, deprecated]]) rows."""
    rows = []
    for op in ops:
        method, path = op[0], op[1]
        host = op[2] if len(op) > 2 else ""  # type: ignore[misc]
        deprecated = op[3] if len(op) > 3 else False  # type: ignore[misc]
        rows.append(
            SpecOperation(method=method, host=str(host), path=path, spec=label, deprecated=bool(deprecated))
        )
    return SpecDocument(label=label, kind="openapi", operations=rows)


def ep(method: str, path: str, host: str = "", requests: int = 5) -> Endpoint:
    return Endpoint(method=method, host=host, path=path, requests=requests)


def by_key(rows: list[Endpoint]) -> dict[tuple[str, str, str], Endpoint]:
    return {(e.method, e.host, e.path): e for e in rows}


# -- matching ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec_path", "observed", "matches"),
    [
        ("/Patient/{patientId}", "/Patient/{id}", True),  # parameter names ignored
        ("/Patient/{patient_id}/Observation", "/Patient/{id}/Observation", True),
        ("/Patient/{id}", "/Patient/12345", True),  # spec parameter covers a literal value
        ("/Patient/{id}", "/Patient", False),  # fewer segments
        ("/Patient/{id}", "/Patient/{id}/_history", False),  # more segments
        ("/Patient/{id}", "/patient/{id}", False),  # FHIR types are case-sensitive
        ("/users/me", "/users/{id}", False),  # a spec literal does not cover every value
        ("/files/{name}.{ext}", "/files/{id}", True),  # partial segment vs observed parameter
        ("/files/{name}.{ext}", "/files/scan.pdf", True),  # partial segment vs literal
        ("/files/{name}.{ext}", "/files/scan", False),  # near-miss: no dot
        ("/reports/report-{id}", "/reports/report-2024", True),
        ("/reports/report-{id}", "/reports/summary-2024", False),  # near-miss: other prefix
        ("/reports/report-{id}", "/reports/report-", False),  # parameter must be non-empty
        ("/api/articles{ext}", "/api/articles.json", True),  # healthcare.gov style
        ("/Patient/{id}/$everything", "/Patient/{id}/$everything", True),
        ("/Patient/$export", "/Patient/{id}", False),
        ("/a/b/", "/a/b", True),  # trailing slash ignored
        ("/", "/", True),  # root
        ("/", "/x", False),
        ("/a.b/{id}", "/aXb/{id}", False),  # regex metacharacters in literals are literal
    ],
)
def test_path_matching(spec_path: str, observed: str, matches: bool) -> None:
    index = SpecIndex([spec(("GET", spec_path))])
    assert (index.match("GET", "", observed) is not None) is matches


@pytest.mark.parametrize(
    ("method", "ops", "expected"),
    [
        ("GET", [("GET", "/a/{id}")], "GET"),
        ("DELETE", [("GET", "/a/{id}")], None),  # method must match
        ("HEAD", [("GET", "/a/{id}")], "GET"),  # HEAD is served by GET routes
        ("HEAD", [("HEAD", "/a/{id}"), ("GET", "/a/{id}")], "HEAD"),  # explicit HEAD first
        ("OPTIONS", [("POST", "/a/{id}")], "POST"),  # CORS preflight of a documented path
        ("OPTIONS", [("OPTIONS", "/a/{id}"), ("GET", "/a/{id}")], "OPTIONS"),
        ("OPTIONS", [("GET", "/b/{id}")], None),  # preflight of an undocumented path
        ("post", [("POST", "/a/{id}")], "POST"),  # method case
    ],
)
def test_method_matching(method: str, ops: list[tuple[str, str]], expected: str | None) -> None:
    found = SpecIndex([spec(*ops)]).match(method, "", "/a/{id}")
    assert (found.method if found else None) == expected


@pytest.mark.parametrize(
    ("spec_host", "observed_host", "matches"),
    [
        ("api.example.org", "api.example.org", True),
        ("api.example.org", "other.example.org", False),  # spec host is binding
        ("api.example.org", "", True),  # logs without a host: path alone
        ("", "anything.example.org", True),  # spec without host: path alone
    ],
)
def test_host_matching(spec_host: str, observed_host: str, matches: bool) -> None:
    index = SpecIndex([spec(("GET", "/x", spec_host))])
    assert (index.match("GET", observed_host, "/x") is not None) is matches


def test_most_literal_operation_wins() -> None:
    index = SpecIndex(
        [spec(("GET", "/Patient/{id}"), ("GET", "/Patient/$export"), ("GET", "/{type}/$export"), label="S")]
    )
    assert index.match("GET", "", "/Patient/$export").path == "/Patient/$export"  # type: ignore[union-attr]
    assert index.match("GET", "", "/Group/$export").path == "/{type}/$export"  # type: ignore[union-attr]
    assert index.match("GET", "", "/Patient/{id}").path == "/Patient/{id}"  # type: ignore[union-attr]


def test_host_specific_operation_preferred_over_any_host() -> None:
    index = SpecIndex([spec(("GET", "/x", ""), label="generic"), spec(("GET", "/x", "a.org"), label="a")])
    assert index.match("GET", "a.org", "/x").spec == "a"  # type: ignore[union-attr]
    assert index.match("GET", "b.org", "/x").spec == "generic"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("segment", "version"),
    [
        ("v1", ("v", (1,))),
        ("V2", ("v", (2,))),
        ("v1.2", ("v", (1, 2))),
        ("v10", ("v", (10,))),
        ("R4", ("fhir", (4,))),
        ("stu3", ("fhir", (3,))),
        ("DSTU2", ("fhir", (2,))),
        ("r4b", ("fhir", (4, 1))),
        ("vaccines", None),  # near-miss: starts with v
        ("v", None),
        ("2", None),  # a bare number is an id, not a version
        ("r", None),
        ("v1beta", None),  # pre-release labels are not ordered here
    ],
)
def test_version_of(segment: str, version: tuple[str, tuple[int, ...]] | None) -> None:
    assert version_of(segment) == version


def test_version_order() -> None:
    order = ["v1", "v1.2", "v2", "v10"]
    keys = [version_of(s) for s in order]
    assert keys == sorted(keys)  # type: ignore[type-var]
    fhir = [version_of(s) for s in ("dstu2", "stu3", "r4", "r4b", "r5")]
    assert fhir == sorted(fhir)  # type: ignore[type-var]


# -- statuses ------------------------------------------------------------------------------------------


def test_every_status_with_its_reason() -> None:
    api = spec(
        ("GET", "/billing/v2/invoices/{invoiceId}", "billing.example.org"),
        ("GET", "/billing/v1/invoices/{invoiceId}", "billing.example.org", True),
        ("GET", "/Patient/{patientId}"),
        ("DELETE", "/Patient/{patientId}"),  # never called: orphan
        label="Riverside 2.0",
    )
    rows = assign_status(
        [
            ep("GET", "/billing/v2/invoices/{id}", "billing.example.org"),
            ep("GET", "/billing/v1/invoices/{id}", "billing.example.org"),
            ep("GET", "/Patient/{id}", "fhir.example.org"),
            ep("POST", "/Patient/{id}", "fhir.example.org"),  # method not in spec
            ep("GET", "/internal/lab-results/export", "fhir.example.org"),
            ep("GET", "/orders/v1/items/{id}"),  # not in spec, newer version seen in traffic
            ep("GET", "/orders/v3/items/{id}"),
        ],
        [api],
    )
    got = {(e.method, e.path): (e.status, e.reason, e.spec, e.deprecated) for e in rows}
    assert got == {
        ("GET", "/billing/v2/invoices/{id}"): (
            "documented", "", "Riverside 2.0 GET /billing/v2/invoices/{invoiceId}", False),
        ("GET", "/billing/v1/invoices/{id}"): (
            "zombie", "marked deprecated in Riverside 2.0, still served",
            "Riverside 2.0 GET /billing/v1/invoices/{invoiceId}", True),
        ("GET", "/Patient/{id}"): ("documented", "", "Riverside 2.0 GET /Patient/{patientId}", False),
        ("POST", "/Patient/{id}"): ("shadow", "seen in traffic, in no spec", None, False),
        ("GET", "/internal/lab-results/export"): ("shadow", "seen in traffic, in no spec", None, False),
        ("GET", "/orders/v1/items/{id}"): ("zombie", "superseded by /orders/v3/items/{id}", None, False),
        ("GET", "/orders/v3/items/{id}"): ("shadow", "seen in traffic, in no spec", None, False),
        ("DELETE", "/Patient/{patientId}"): (
            "orphan", "in Riverside 2.0, never seen in traffic",
            "Riverside 2.0 DELETE /Patient/{patientId}", False),
    }  # fmt: skip
    assert all(e.reason for e in rows if e.status != "documented")
    orphan = next(e for e in rows if e.status == "orphan")
    assert orphan.requests == 0 and orphan.host == ""
    assert rows[-1] is orphan  # observed endpoints first, in input order, then orphans


def test_no_spec_means_undocumented_except_superseded_versions() -> None:
    rows = assign_status(
        [
            ep("GET", "/billing/v1/invoices/{id}"),
            ep("GET", "/billing/v2/invoices/{id}"),
            ep("GET", "/fhir/stu3/Patient/{id}"),
            ep("GET", "/fhir/r4/Patient/{id}"),
            ep("GET", "/api/v2/claims"),  # only version present: not superseded
            ep("GET", "/api/v1.2/payments"),  # different path than the v2 one: not superseded
            ep("GET", "/api/v2/payments/{id}"),
        ],
        [],
    )
    got = {e.path: (e.status, e.reason) for e in rows}
    assert got == {
        "/billing/v1/invoices/{id}": ("zombie", "superseded by /billing/v2/invoices/{id}"),
        "/billing/v2/invoices/{id}": ("undocumented", "no spec given"),
        "/fhir/stu3/Patient/{id}": ("zombie", "superseded by /fhir/r4/Patient/{id}"),
        "/fhir/r4/Patient/{id}": ("undocumented", "no spec given"),
        "/api/v2/claims": ("undocumented", "no spec given"),
        "/api/v1.2/payments": ("undocumented", "no spec given"),
        "/api/v2/payments/{id}": ("undocumented", "no spec given"),
    }
    assert len(rows) == 7  # no orphans without specs


@pytest.mark.parametrize(
    ("observed", "others", "newer"),
    [
        ("/billing/v1/invoices/{id}", ["/billing/v2/invoices/{id}"], "/billing/v2/invoices/{id}"),
        (
            "/billing/v2/invoices/{id}",
            ["/billing/v10/invoices/{id}"],
            "/billing/v10/invoices/{id}",
        ),  # numeric
        ("/billing/v1.2/invoices", ["/billing/v2/invoices"], "/billing/v2/invoices"),
        ("/billing/v1/invoices", ["/billing/v1.1/invoices", "/billing/v3/invoices"], "/billing/v3/invoices"),
        ("/v1/a/b/c/{id}", ["/v2/a/b/c/{id}"], "/v2/a/b/c/{id}"),  # version at the start
        ("/a/b/v1", ["/a/b/v2"], "/a/b/v2"),  # version at the end
        ("/fhir/DSTU2/Patient", ["/fhir/STU3/Patient"], "/fhir/STU3/Patient"),
        ("/billing/v2/invoices", ["/billing/v1/invoices"], None),  # older exists: fine
        ("/billing/v1/invoices", ["/billing/v2/receipts"], None),  # other path
        ("/billing/v1/invoices", ["/billing/r4/invoices"], None),  # other version family
        ("/billing/v1/invoices", ["/payments/v2/invoices"], None),  # other prefix
        ("/billing/v1/invoices/{id}", ["/billing/v2/invoices"], None),  # other depth
    ],
)
def test_superseded_versions(observed: str, others: list[str], newer: str | None) -> None:
    rows = assign_status([ep("GET", observed)] + [ep("GET", o) for o in others], [])
    first = rows[0]
    if newer is None:
        assert first.status == "undocumented"
    else:
        assert (first.status, first.reason) == ("zombie", f"superseded by {newer}")


def test_newer_version_found_in_a_spec_only() -> None:
    billing = load_spec(SPECS / "billing-swagger-2.0.json")  # documents v2 (and v1, deprecated)
    rows = assign_status(
        [
            ep("POST", "/billing/v1/invoices", "billing.riverside-health.org"),  # v1, undocumented method
            ep("POST", "/billing/v1/refunds", "billing.riverside-health.org"),  # no v2 anywhere
        ],
        [billing],
    )
    got = {e.path: (e.status, e.reason) for e in rows if e.requests}
    assert got == {
        "/billing/v1/invoices": ("zombie", "superseded by /billing/v2/invoices"),
        "/billing/v1/refunds": ("shadow", "seen in traffic, in no spec"),
    }


def test_superseded_needs_compatible_hosts() -> None:
    endpoints = [ep("GET", "/v1/x", "a.org"), ep("GET", "/v2/x", "b.org")]
    endpoints += [ep("GET", "/v1/y", "a.org"), ep("GET", "/v2/y", "")]
    rows = assign_status(endpoints, [])
    got = {(e.host, e.path): e.status for e in rows}
    assert got[("a.org", "/v1/x")] == "undocumented"  # the newer one lives on another host
    assert got[("a.org", "/v1/y")] == "zombie"  # a host-less newer version is compatible


def test_documented_beats_superseded() -> None:
    # BCDA documents both /api/v1 and /api/v2 without deprecating v1: v1 stays documented.
    api = spec(("GET", "/api/v1/jobs/{jobId}"), ("GET", "/api/v2/jobs/{jobId}"), label="BCDA")
    rows = assign_status([ep("GET", "/api/v1/jobs/{id}")], [api])
    assert (rows[0].status, rows[0].spec) == ("documented", "BCDA GET /api/v1/jobs/{jobId}")


def test_orphans_once_per_operation_shape() -> None:
    openapi = spec(("GET", "/Patient/{patientId}"), ("GET", "/Patient"), label="A")
    capability = spec(("GET", "/Patient/{id}"), ("GET", "/metadata"), label="B")
    rows = assign_status([ep("GET", "/Patient")], [openapi, capability])
    orphans = [(e.path, e.spec) for e in rows if e.status == "orphan"]
    # /Patient/{patientId} and /Patient/{id} differ only by the parameter name: reported once
    assert orphans == [
        ("/Patient/{patientId}", "A GET /Patient/{patientId}"),
        ("/metadata", "B GET /metadata"),
    ]


def test_orphan_of_a_deprecated_operation_says_so() -> None:
    rows = assign_status([], [spec(("GET", "/v1/x", "api.org", True), label="S")])
    assert [(e.status, e.reason, e.deprecated, e.host) for e in rows] == [
        ("orphan", "in S (deprecated), never seen in traffic", True, "api.org")
    ]


def test_orphans_per_server_host() -> None:
    api = spec(("GET", "/p", "sandbox.example.org"), ("GET", "/p", "api.example.org"), label="S")
    rows = assign_status([ep("GET", "/p", "api.example.org")], [api])
    assert [(e.host, e.status) for e in rows] == [
        ("api.example.org", "documented"),
        ("sandbox.example.org", "orphan"),
    ]


def test_host_less_endpoint_sees_operations_on_every_host() -> None:
    api = spec(("GET", "/p", "sandbox.example.org"), ("GET", "/p", "api.example.org"), label="S")
    rows = assign_status([ep("GET", "/p")], [api])
    assert [e.status for e in rows] == ["documented"]


def test_one_operation_in_two_specs_is_seen_in_both() -> None:
    # an OpenAPI file and a CapabilityStatement both document GET /Patient/{..}
    openapi = spec(("GET", "/Patient/{patientId}"), ("GET", "/Patient/me"), label="A")
    capability = spec(("GET", "/Patient/{id}"), label="B")
    rows = assign_status([ep("GET", "/Patient/{id}"), ep("GET", "/Patient/me")], [openapi, capability])
    assert [(e.path, e.status, e.spec) for e in rows] == [
        ("/Patient/{id}", "documented", "A GET /Patient/{patientId}"),
        # the literal route wins; the parameter route is not exercised by "me"
        ("/Patient/me", "documented", "A GET /Patient/me"),
    ]


def test_orphan_never_repeats_an_observed_key() -> None:
    # the store keys endpoints by (method, host, path): observed rows and orphans never collide
    rows = assign_status([ep("GET", "/x/{id}"), ep("POST", "/x/{id}")], [spec(("POST", "/x/{id}"))])
    keys = [(e.method, e.host, e.path) for e in rows]
    assert len(keys) == len(set(keys))
    assert [(e.method, e.status) for e in rows] == [("GET", "shadow"), ("POST", "documented")]


def test_preflight_alone_leaves_the_operation_orphan() -> None:
    rows = assign_status([ep("OPTIONS", "/p")], [spec(("POST", "/p"), label="S")])
    assert [(e.method, e.status) for e in rows] == [("OPTIONS", "documented"), ("POST", "orphan")]


def test_inputs_are_not_modified() -> None:
    original = ep("GET", "/x")
    assign_status([original], [spec(("GET", "/y"))])
    assert (original.status, original.reason) == ("undocumented", "")


def test_fixtures_end_to_end() -> None:
    docs = [load_spec(SPECS / n) for n in ("clinic-openapi-3.0.yaml", "fhir-r4-capability.json")]
    rows = by_key(
        assign_status(
            [
                ep("GET", "/api/patients/{id}", "east.portal.riverside-health.org"),
                ep("DELETE", "/api/patients/{id}", "east.portal.riverside-health.org"),
                ep("GET", "/api/patients/{id}/documents/scan.pdf", "west.portal.riverside-health.org"),
                ep("GET", "/api/reports/report-{id}", ""),
                ep("GET", "/r4/Patient/{id}/_history/{vid}", "fhir.riverside-health.org"),
                ep("GET", "/r4/Patient/{id}/Observation", "fhir.riverside-health.org"),
                ep("GET", "/r4/Patient/{id}/Condition", "fhir.riverside-health.org"),  # no such type listed
                ep("HEAD", "/r4/metadata", "fhir.riverside-health.org"),
            ],
            docs,
        )
    )
    status = {k: v.status for k, v in rows.items() if v.requests}
    assert status == {
        ("GET", "east.portal.riverside-health.org", "/api/patients/{id}"): "documented",
        ("DELETE", "east.portal.riverside-health.org", "/api/patients/{id}"): "zombie",
        # west is not a declared server host, but the relative server /api has no host: documented
        (
            "GET",
            "west.portal.riverside-health.org",
            "/api/patients/{id}/documents/scan.pdf",
        ): "documented",
        ("GET", "", "/api/reports/report-{id}"): "documented",
        ("GET", "fhir.riverside-health.org", "/r4/Patient/{id}/_history/{vid}"): "documented",
        ("GET", "fhir.riverside-health.org", "/r4/Patient/{id}/Observation"): "documented",
        ("GET", "fhir.riverside-health.org", "/r4/Patient/{id}/Condition"): "shadow",
        ("HEAD", "fhir.riverside-health.org", "/r4/metadata"): "documented",
    }
    orphan_paths = {k[2] for k, v in rows.items() if v.status == "orphan"}
    assert "/r4/Observation/$lastn" in orphan_paths and "/api/appointments" in orphan_paths


# -- properties ----------------------------------------------------------------------------------------

_segment = st.one_of(
    st.sampled_from(["Patient", "v1", "v2", "R4", "{id}", "{id2}", "$export", "_history", "a.b", "x-{y}"]),
    st.text(alphabet="abcXYZ019-_.{}$", min_size=1, max_size=6),
)
_path = st.lists(_segment, max_size=5).map(lambda s: "/" + "/".join(s))


@settings(max_examples=200, deadline=None)
@given(
    observed=st.lists(st.tuples(st.sampled_from(["GET", "POST", "HEAD", "OPTIONS"]), _path), max_size=8),
    documented=st.lists(
        st.tuples(st.sampled_from(["GET", "POST", "DELETE"]), _path, st.booleans()), max_size=8
    ),
)
def test_statuses_are_total_and_consistent(
    observed: list[tuple[str, str]], documented: list[tuple[str, str, bool]]
) -> None:
    docs = [spec(*[(m, p, "", d) for m, p, d in documented], label="P")] if documented else []
    endpoints = [ep(m, p) for m, p in observed]
    rows = assign_status(endpoints, docs)
    assert len(rows) >= len(endpoints)
    for row, original in zip(rows, endpoints, strict=False):
        assert (row.method, row.path) == (original.method, original.path)
        assert row.status in ("documented", "shadow", "zombie", "undocumented")
        assert (row.status == "documented") == (row.reason == "")
        assert (row.spec is not None) == (row.status == "documented" or row.deprecated)
        if not docs:
            assert row.status in ("undocumented", "zombie")
    # a spec operation seen in traffic as itself is never reported orphan
    for row in rows[len(endpoints) :]:
        assert row.status == "orphan" and row.requests == 0
        assert not any(m == row.method and split_path(p) == split_path(row.path) for m, p in observed)
