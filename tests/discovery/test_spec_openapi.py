"""OpenAPI 3.x / Swagger 2.0 import: servers, basePath, $refs (local, external, dangling, cyclic),
deprecated, load_spec errors, real specs from the shared corpus, and a hypothesis fuzz."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phiwatch.discovery.spec import (
    SpecDocument,
    load_spec,
    normalize_host,
    parse_spec,
    parse_text,
    split_url,
)
from phiwatch.errors import ConfigError
from tests.conftest import need_shared

SPECS = Path(__file__).parent / "specs"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def ops_of(doc: SpecDocument) -> set[tuple[str, str, str, bool]]:
    return {(o.method, o.host, o.path, o.deprecated) for o in doc.operations}


# -- hand-written fixtures -------------------------------------------------------------------------


def test_clinic_openapi_operations_on_every_server() -> None:
    doc = load_spec(SPECS / "clinic-openapi-3.0.yaml")
    assert doc.kind == "openapi"
    assert doc.label == "Riverside Clinic Portal API 2.4.1"
    east = "east.portal.riverside-health.org"  # {region} default, :443 dropped
    expected = set()
    for host in (east, ""):  # second server is relative: no host
        expected |= {
            ("GET", host, "/api/patients/{patientId}", False),
            ("DELETE", host, "/api/patients/{patientId}", True),
            ("GET", host, "/api/patients/{patient_id}/documents/{name}.{ext}", False),
            ("GET", host, "/api/reports/report-{reportId}", False),  # local path-item $ref
            ("GET", host, "/api/appointments", False),  # path item in another file
            ("POST", host, "/api/appointments", False),
            ("GET", host, "/api/broken", False),  # its operation $ref dangles: kept, no details
        }
    expected |= {
        ("GET", "labs.riverside-health.org", "/v1/labs", False),  # path-level servers override
        ("POST", "ingest.riverside-health.org", "/labs", False),  # operation-level override
    }
    assert ops_of(doc) == expected


def test_clinic_openapi_warnings_name_each_broken_part() -> None:
    doc = load_spec(SPECS / "clinic-openapi-3.0.yaml")
    assert sorted(doc.warnings) == sorted(
        [
            "dangling $ref: #/components/operations/DoesNotExist",
            "$ref cycle at #/components/pathItems/LoopA",
            "dangling $ref: parts/missing-file.yaml (file not found or unreadable)",
        ]
    )


def test_clinic_openapi_details_follow_refs_across_files() -> None:
    doc = load_spec(SPECS / "clinic-openapi-3.0.yaml")
    by_id = {o.operation_id: o for o in doc.operations if o.host == ""}
    # path-level parameters merge with operation parameters; header/path ones are not query
    assert by_id["getPatient"].query_params == ("_elements",)
    assert by_id["getPatient"].responses == ("#/components/schemas/Patient",)
    # external file: its query parameter, a ref back into the root file, a ref to a third file
    assert by_id["searchAppointments"].query_params == ("date",)
    assert by_id["searchAppointments"].responses == ("#/schemas/Bundle",)
    labs = next(o for o in doc.operations if o.operation_id == "listLabs")
    assert labs.responses == ("#/components/schemas/LabList",)  # response $ref resolved
    assert by_id["deletePatient"].deprecated is True


def test_swagger_host_basepath_and_deprecated() -> None:
    doc = load_spec(SPECS / "billing-swagger-2.0.json")
    assert doc.kind == "swagger"
    host = "billing.riverside-health.org"  # lower-cased, default https port dropped
    assert ops_of(doc) == {
        ("GET", host, "/billing/v1/invoices/{invoiceId}", True),
        ("GET", host, "/billing/v2/invoices/{invoiceId}", False),
        ("PUT", host, "/billing/v2/invoices/{invoiceId}", False),
        ("GET", host, "/billing/v2/invoices", False),
    }
    assert doc.warnings == ["dangling $ref: #/parameters/Dangling"]
    get_v2 = next(o for o in doc.operations if o.operation_id == "getInvoice")
    assert get_v2.query_params == ("expand",)


def _openapi(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/things/{thingId}": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    doc.update(extra)
    return doc


@pytest.mark.parametrize(
    ("servers", "expected", "warns"),
    [
        (None, {("", "/things/{thingId}")}, False),  # no servers: "/" on any host
        ([], {("", "/things/{thingId}")}, False),  # empty list: same default
        ([{"url": "/fhir/"}], {("", "/fhir/things/{thingId}")}, False),  # relative, trailing slash
        ([{"url": "./api"}], {("", "/api/things/{thingId}")}, False),  # relative to the spec's location
        ([{"url": "https://API.example.org/v3"}], {("api.example.org", "/v3/things/{thingId}")}, False),
        ([{"url": "http://api.example.org:80"}], {("api.example.org", "/things/{thingId}")}, False),
        (
            [{"url": "https://api.example.org:8443/x"}],
            {("api.example.org:8443", "/x/things/{thingId}")},
            False,
        ),
        (
            [{"url": "//cdn.example.org/p"}],
            {("cdn.example.org", "/p/things/{thingId}")},
            False,
        ),  # scheme-relative
        (  # variables replaced by defaults, in host and path
            [
                {
                    "url": "https://{env}.example.org/{base}",
                    "variables": {"env": {"default": "prod"}, "base": {"default": "v2"}},
                }
            ],
            {("prod.example.org", "/v2/things/{thingId}")},
            False,
        ),
        (  # a variable without default: host unknown, path keeps it as a parameter segment
            [{"url": "https://{tenant}.example.org/{stage}"}],
            {("", "/{stage}/things/{thingId}")},
            True,
        ),
        (  # several servers: the operation on each, duplicates once
            [
                {"url": "https://a.example.org"},
                {"url": "https://b.example.org/"},
                {"url": "https://a.example.org"},
            ],
            {("a.example.org", "/things/{thingId}"), ("b.example.org", "/things/{thingId}")},
            False,
        ),
        ([{"url": "http://localhost:8080/api"}], {("", "/api/things/{thingId}")}, False),  # dev host: any
        ([{"description": "no url"}], {("", "/things/{thingId}")}, True),  # unusable server: default
        ("https://not-a-list.example.org", {("", "/things/{thingId}")}, True),
    ],
)
def test_openapi_servers(servers: Any, expected: set[tuple[str, str]], warns: bool) -> None:
    doc = parse_spec(_openapi(servers=servers) if servers is not None else _openapi(), "mem.yaml")
    assert {(o.host, o.path) for o in doc.operations} == expected
    assert bool(doc.warnings) is warns, doc.warnings


@pytest.mark.parametrize(
    ("swagger", "expected"),
    [
        ({}, {("", "/things/{thingId}")}),  # no host, no basePath
        ({"host": "api.example.org", "basePath": "/"}, {("api.example.org", "/things/{thingId}")}),
        (
            {"host": "api.example.org:8080", "basePath": "/v1"},
            {("api.example.org:8080", "/v1/things/{thingId}")},
        ),
        ({"host": "api.example.org:80", "schemes": ["http"]}, {("api.example.org", "/things/{thingId}")}),
        (
            {"host": "api.example.org:443", "schemes": ["http"]},
            {("api.example.org:443", "/things/{thingId}")},
        ),
    ],
)
def test_swagger_hosts(swagger: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    raw = {"swagger": "2.0", "info": {"title": "S"}, "paths": {"/things/{thingId}": {"get": {}}}, **swagger}
    assert {(o.host, o.path) for o in parse_spec(raw, "s.json").operations} == expected


def test_deprecated_must_be_a_boolean() -> None:
    raw = _openapi(paths={"/a": {"get": {"deprecated": "yes"}}, "/b": {"get": {"deprecated": True}}})
    doc = parse_spec(raw, "mem.yaml")
    assert {o.path: o.deprecated for o in doc.operations} == {"/a": False, "/b": True}
    assert doc.warnings == ["GET /a: deprecated is not a boolean, read as false"]


def test_extensions_webhooks_and_remote_refs() -> None:
    raw = _openapi(
        paths={
            "x-internal": {"get": {}},  # extension key in paths: not a path
            "/ok": {"get": {}, "x-rate-limit": 5, "summary": "not a method"},
            "/remote": {"$ref": "https://specs.example.org/common.yaml#/paths/~1remote"},
            "relative": {"post": {}},  # no leading slash: warned, imported with one
        },
        webhooks={"newPatient": {"post": {}}},  # sent by the API, not served
    )
    doc = parse_spec(raw, "mem.yaml")
    assert {(o.method, o.path) for o in doc.operations} == {("GET", "/ok"), ("POST", "/relative")}
    assert doc.warnings == [
        "remote $ref not fetched: https://specs.example.org/common.yaml#/paths/~1remote",
        "path 'relative' does not start with '/', imported as '/relative'",
    ]


def test_json_pointer_escapes_and_long_chains() -> None:
    raw = _openapi(
        paths={"/a/{id}": {"$ref": "#/x-items/~1a~1{id}"}, "/b": {"$ref": "#/x-chain/0"}},
        **{
            "x-items": {"/a/{id}": {"get": {"operationId": "escaped"}}},
            "x-chain": [
                {"$ref": "#/x-chain/1"},
                {"$ref": "#/x-chain/2"},
                {"get": {"operationId": "chained"}},
            ],
        },
    )
    doc = parse_spec(raw, "mem.yaml")
    assert {o.operation_id for o in doc.operations} == {"escaped", "chained"}
    assert doc.warnings == []


def test_recursive_yaml_aliases_do_not_hang(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text(
        "openapi: 3.0.0\n"
        "info: {title: Alias}\n"
        "paths:\n"
        "  /a: &item\n"
        "    get: {parameters: [{name: q, in: query}], x-self: *item}\n"
        "  /b: *item\n"
    )
    doc = load_spec(path)
    assert {(o.path, o.query_params) for o in doc.operations} == {("/a", ("q",)), ("/b", ("q",))}


# -- load_spec: reading and errors --------------------------------------------------------------------


def test_format_is_chosen_by_content_not_extension(tmp_path: Path) -> None:
    yaml_as_json = tmp_path / "spec.json"
    yaml_as_json.write_text("openapi: 3.0.0\ninfo: {title: Y}\npaths:\n  /y:\n    get: {}\n")
    json_as_yaml = tmp_path / "spec.yaml"
    json_as_yaml.write_text(json.dumps({"swagger": "2.0", "paths": {"/j": {"get": {}}}}))
    assert [o.path for o in load_spec(yaml_as_json).operations] == ["/y"]
    jdoc = load_spec(json_as_yaml)
    assert [o.path for o in jdoc.operations] == ["/j"]
    assert jdoc.label == "spec.yaml"  # no title: the file name


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"openapi: 3.0.0\npaths: [unclosed\n", "not valid JSON or YAML"),  # YAML syntax error
        (b'{"openapi": "3.0.0",', "not valid JSON or YAML"),  # truncated JSON
        (b"\xff\xfe\x00o\x00p", "not UTF-8"),  # UTF-16 / binary
        (b"", "not a recognised spec"),  # empty file parses as null
        (b"- openapi: 3.0.0\n", "not a recognised spec"),  # a list, not a mapping
        (b'{"openapi": "2.0"}', "not a recognised spec"),  # near-miss: wrong major version
        (b'{"resourceType": "Patient"}', "not a recognised spec"),  # FHIR but not a capability
        (b"asyncapi: 2.6.0\n", "not a recognised spec"),  # another spec language
    ],
)
def test_load_spec_rejects_with_one_line_naming_the_file(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "partner-api.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as err:
        load_spec(path)
    message = str(err.value)
    assert message.startswith(str(path)) and why in message and "\n" not in message


def test_load_spec_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: cannot read spec"):
        load_spec(tmp_path / "nope.yaml")


def test_bom_and_yaml_float_versions() -> None:
    assert parse_text(b'\xef\xbb\xbf{"a": 1}', "x") == {"a": 1}
    doc = parse_spec({"openapi": 3.0, "paths": {"/f": {"get": {}}}}, "f.yaml")  # YAML reads 3.0 as float
    assert doc.kind == "openapi" and len(doc.operations) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://API.Example.org/fhir/r4", ("https", "api.example.org", "/fhir/r4")),
        ("https://api.example.org:443", ("https", "api.example.org", "/")),
        ("http://api.example.org:8080/x?y=1#z", ("http", "api.example.org:8080", "/x")),
        ("https://user:pw@api.example.org/", ("https", "api.example.org", "/")),  # userinfo dropped
        ("https://localhost:IGNORED_FIELD/v1/fhir", ("https", "", "/v1/fhir")),  # CMS BFD placeholder
        ("https:///v1/fhir", ("https", "", "/v1/fhir")),  # empty host
        ("https://127.0.0.1:9000/api", ("https", "", "/api")),  # loopback: no real host
        ("/relative/base", ("", "", "/relative/base")),
        ("https://[2001:db8::1]/p", ("https", "[2001:db8::1]", "/p")),  # IPv6 literal kept
    ],
)
def test_split_url(url: str, expected: tuple[str, str, str]) -> None:
    assert split_url(url) == expected


def test_normalize_host_keeps_real_ports() -> None:
    assert normalize_host("EHR.example.org:9443", "https") == "ehr.example.org:9443"
    assert normalize_host("{tenant}.example.org") == ""  # unresolved server variable


# -- real specs from the shared corpus -----------------------------------------------------------------


def independent_count(path: Path) -> int:
    """Operations x servers, walked with plain PyYAML (path-item $refs left to the loader)."""
    raw = yaml.safe_load(path.read_text())
    if "swagger" in raw:
        servers = 1
    else:
        servers = len({s["url"] for s in raw.get("servers") or []}) or 1
    return sum(
        servers
        for key, item in (raw.get("paths") or {}).items()
        if not key.startswith("x-")
        for method in item
        if method in METHODS
    )


@pytest.mark.parametrize(
    ("parts", "kind", "count", "label"),
    [
        (("specs", "cms-bcda-openapi-3.0.1.json"), "openapi", 19, "Beneficiary Claims Data API 1.0.0"),
        (("specs", "healthcare.gov-swagger-2.0.yaml"), "swagger", 16, "Healthcare 1.0.0"),
        (("specs", "oai-tictactoe-3.1.yaml"), "openapi", 3, "Tic Tac Toe 1.0.0"),
        (("specs", "oai-webhook-example-3.1.yaml"), "openapi", 0, "Webhook Example 1.0.0"),  # webhooks only
        (("specs", "nhs-pds", "personal-demographics.yaml"), "openapi", 7 * 3, None),  # 3 servers
        (("hostile", "nhs-pds-root-only-dangling-refs.yaml"), "openapi", 7 * 3, None),
    ],
)
def test_real_specs_load_with_expected_counts(
    parts: tuple[str, ...], kind: str, count: int, label: str | None
) -> None:
    path = need_shared("corpora", "ingest", *parts)
    doc = load_spec(path)
    assert doc.kind == kind
    assert len(doc.operations) == count == independent_count(path)
    if label is not None:
        assert doc.label == label


def test_real_bcda_details() -> None:
    doc = load_spec(need_shared("corpora", "ingest", "specs", "cms-bcda-openapi-3.0.1.json"))
    assert doc.warnings == []
    export = next(o for o in doc.operations if o.path == "/api/v1/Group/{groupId}/$export")
    assert export.host == "" and export.operation_id == "bulkGroupRequest"
    assert {"_since", "_type"} <= set(export.query_params)


def test_real_healthcare_gov_swagger_host() -> None:
    doc = load_spec(need_shared("corpora", "ingest", "specs", "healthcare.gov-swagger-2.0.yaml"))
    assert {o.host for o in doc.operations} == {"www.healthcare.gov"}
    assert "/api/articles{mediaTypeExtension}" in {o.path for o in doc.operations}


def test_real_nhs_pds_multi_file_resolves_external_refs() -> None:
    doc = load_spec(need_shared("corpora", "ingest", "specs", "nhs-pds", "personal-demographics.yaml"))
    assert doc.warnings == []
    hosts = {o.host for o in doc.operations}
    assert hosts == {"sandbox.api.service.nhs.uk", "int.api.service.nhs.uk", "api.service.nhs.uk"}
    search = next(o for o in doc.operations if o.method == "GET" and o.path.endswith("/FHIR/R4/Patient"))
    assert search.path == "/personal-demographics/FHIR/R4/Patient"
    assert search.operation_id == "search-patient"  # read from components/paths/patient-search.yaml
    assert {"family", "birthdate", "gender"} <= set(search.query_params)


def test_real_nhs_pds_root_only_warns_each_dangling_file() -> None:
    doc = load_spec(need_shared("corpora", "ingest", "hostile", "nhs-pds-root-only-dangling-refs.yaml"))
    files = ("patient-search", "patient-create", "patient-get", "patient-patch", "relatedpersons-get")
    files += ("coverage-get", "coverage-post")
    assert sorted(doc.warnings) == sorted(
        f"dangling $ref: components/paths/{f}.yaml (file not found or unreadable)" for f in files
    )
    assert all(o.operation_id == "" for o in doc.operations)  # details lost, operations kept


# -- property test: mutated specs never raise anything but ConfigError ------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=12),
    st.sampled_from(["#/", "#/paths", "#/components/x", "other.yaml", "../x.yaml#/a", "{a}", "/", "3.0"]),
)  # fmt: skip
_keys = st.sampled_from(
    ["$ref", "get", "url", "servers", "parameters", "name", "in", "deprecated", "variables", "default",
     "paths", "/p/{x}", "host", "basePath", "schemes", "responses", "content", "schema"]
) | st.text(max_size=6)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=12,
)
_BASES = [
    yaml.safe_load((SPECS / "clinic-openapi-3.0.yaml").read_text()),
    json.loads((SPECS / "billing-swagger-2.0.json").read_text()),
]


def _mutate(doc: Any, path: list[int], value: Any) -> Any:
    """Replace one node (chosen by the index path) with ``value``."""
    node = doc
    for step in path:
        children = (
            list(node.items())
            if isinstance(node, dict)
            else list(enumerate(node))
            if isinstance(node, list)
            else []
        )
        if not children:
            break
        key, child = children[step % len(children)]
        if not isinstance(child, (dict, list)) or step % 3 == 0:
            node[key] = value
            return doc
        node = child
    if isinstance(node, dict):
        node[str(value)[:8]] = value
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(range(len(_BASES))),
    mutations=st.lists(st.tuples(st.lists(st.integers(0, 50), max_size=6), _values), min_size=1, max_size=4),
)
def test_mutated_specs_only_raise_config_error(base: int, mutations: list[tuple[list[int], Any]]) -> None:
    doc = copy.deepcopy(_BASES[base])
    for path, value in mutations:
        doc = _mutate(doc, path, value)
    try:
        result = parse_spec(doc, SPECS / "clinic-openapi-3.0.yaml")
    except ConfigError:
        return
    assert all(isinstance(w, str) and "\n" not in w for w in result.warnings)
    for op in result.operations:
        assert op.path.startswith("/") and op.method.isupper()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_only_raise_config_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "spec"
    path.write_bytes(data)
    with contextlib.suppress(ConfigError):
        load_spec(path)
