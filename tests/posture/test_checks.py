"""One positive and one near-miss per check, through real pipeline components.

Each row: the check, the exchanges (and spec) it sees, whether it must fire, and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
import yaml

from phiwatch.discovery.spec import load_spec
from phiwatch.model import Event
from phiwatch.posture.checks import registered
from tests.factories import tevent
from tests.posture.harness import Run, bearer

SEC = {
    "content-type": "application/fhir+json",
    "strict-transport-security": "max-age=63072000",
    "x-content-type-options": "nosniff",
}
PATIENT = orjson.dumps(
    {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"family": "Okafor", "given": ["Adaeze"]}],
        "birthDate": "1971-04-09",
        "telecom": [{"system": "phone", "value": "(617) 555-0142"}],
    }
)
SMART = {"scope": "launch/patient patient/*.read", "patient": "p1", "client_id": "app"}
USER = {"scope": "openid fhirUser user/*.read", "client_id": "ehr"}


def ev(path: str = "/r4/Patient/p1", **kw: object) -> Event:
    kw.setdefault("resp_headers", dict(SEC))
    kw.setdefault("req_headers", bearer(**SMART))
    kw.setdefault("resp_body", PATIENT)
    return tevent(path=path, **kw)  # type: ignore[arg-type]


def bundle(n: int, *, next_link: bool = False) -> bytes:
    links = [{"relation": "self", "url": "https://fhir.example.org/r4/Observation"}]
    if next_link:
        links.append({"relation": "next", "url": "https://fhir.example.org/r4?page=2"})
    entries = [
        {"resource": {"resourceType": "Observation", "id": str(i), "status": "final"}} for i in range(n)
    ]
    return orjson.dumps({"resourceType": "Bundle", "type": "searchset", "link": links, "entry": entries})


def burst(
    n: int, path: str, method: str = "GET", status_at: Callable[[int], int] = lambda k: 200
) -> list[Event]:
    return [
        ev(path, method=method, ts=1_767_225_600.0 + k * 0.4, status=status_at(k), resp_body=b"{}")
        for k in range(n)
    ]


ACCOUNT_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Billing", "version": "1"},
    "servers": [{"url": "https://billing.example.org"}],
    "paths": {
        "/api/v2/accounts/{accountId}": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Account"}}},
                    }
                }
            },
            "patch": {
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Account"}}}
                },
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/api/v1/accounts/{accountId}": {
            "get": {"deprecated": True, "responses": {"200": {"description": "ok"}}}
        },
        "/api/v2/invoices/{invoiceId}": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/api/v2/statements": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
    "components": {
        "schemas": {
            "Account": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "status": {"type": "string"},
                    "balance": {"type": "number", "readOnly": True},
                    "patientName": {"type": "string"},
                },
            }
        }
    },
}
BILL = {"host": "billing.example.org", "resp_headers": {**SEC, "content-type": "application/json"}}
ACCOUNT = {"id": "A1", "status": "open", "balance": 1.5, "patientName": "Adaeze Okafor"}


def acct(body: dict[str, object], **kw: object) -> Event:
    return ev("/api/v2/accounts/8812345", resp_body=orjson.dumps(body), **{**BILL, **kw})  # type: ignore[arg-type]


@dataclass
class Case:
    check: str
    events: Callable[[], list[Event]]
    fires: bool
    why: str
    spec: dict[str, object] | None = None


CASES = [
    Case(
        "sequential_ids", lambda: [ev(f"/r4/Patient/{1000 + i}") for i in range(12)], True, "ids 1000..1011"
    ),
    Case(
        "sequential_ids",
        lambda: [ev(f"/r4/Patient/{10**9 + i * 7_919_000}") for i in range(12)],
        False,
        "sparse random ids",
    ),
    Case(
        "shared_object",
        lambda: [
            ev("/r4/Patient/p9", req_headers=bearer(**{**SMART, "patient": p, "sub": p}))
            for p in ("p2", "p3")
        ],
        True,
        "two other patients read p9",
    ),
    Case(
        "shared_object",
        lambda: [ev("/r4/Patient/p1"), ev("/r4/Patient/p1", req_headers=bearer(**USER))],
        False,
        "owner and a clinician only",
    ),
    Case("missing_auth", lambda: [ev(req_headers={})], True, "PHI without credentials"),
    Case(
        "missing_auth",
        lambda: [ev("/r4/PractitionerRole", req_headers={})],
        False,
        "Provider Directory is public by CMS rule",
    ),
    Case("missing_auth", lambda: [ev()], False, "authenticated"),
    Case(
        "credentials_in_url",
        lambda: [ev(req_headers={}, query="access_token=" + bearer(**SMART)["authorization"][7:])],
        True,
        "token in query",
    ),
    Case("credentials_in_url", lambda: [ev()], False, "token in header"),
    Case(
        "cleartext_auth",
        lambda: [ev(scheme="http", req_headers={"authorization": "Basic dXNlcjpwYXNz"})],
        True,
        "Basic over http",
    ),
    Case(
        "cleartext_auth",
        lambda: [ev(req_headers={"authorization": "Basic dXNlcjpwYXNz"})],
        False,
        "Basic over TLS",
    ),
    Case(
        "jwt_alg_none",
        lambda: [
            ev(
                req_headers={
                    "authorization": "Bearer "
                    + __import__("tests.posture.harness", fromlist=["token"]).token(
                        {"sub": "x", "exp": 2_000_000_000}, alg="none"
                    )
                }
            )
        ],
        True,
        "unsigned token",
    ),
    Case("jwt_alg_none", lambda: [ev()], False, "HS256 token"),
    Case("jwt_no_expiry", lambda: [ev(req_headers=bearer(**{**SMART, "exp": None}))], True, "no exp claim"),
    Case("jwt_no_expiry", lambda: [ev()], False, "exp present"),
    Case(
        "jwt_long_lived", lambda: [ev(req_headers=bearer(exp=1_767_225_600 + 30 * 86_400))], True, "30 days"
    ),
    Case("jwt_long_lived", lambda: [ev()], False, "one hour"),
    Case(
        "excessive_exposure",
        lambda: [acct({**ACCOUNT, "internalNotes": "x"})],
        True,
        "field not in schema",
        ACCOUNT_SPEC,
    ),
    Case("excessive_exposure", lambda: [acct(ACCOUNT)], False, "exactly the schema", ACCOUNT_SPEC),
    Case(
        "undeclared_phi_fields",
        lambda: [acct({**ACCOUNT, "ssn": "536-22-8726"})],
        True,
        "SSN field undeclared",
        ACCOUNT_SPEC,
    ),
    Case("undeclared_phi_fields", lambda: [acct(ACCOUNT)], False, "declared patientName only", ACCOUNT_SPEC),
    Case(
        "readonly_field_write",
        lambda: [acct({"id": "A1"}, method="PATCH", req_body=b'{"balance": 0}')],
        True,
        "balance is readOnly, 200",
        ACCOUNT_SPEC,
    ),
    Case(
        "readonly_field_write",
        lambda: [acct({"title": "read-only"}, method="PATCH", status=422, req_body=b'{"balance": 0}')],
        False,
        "rejected with 422",
        ACCOUNT_SPEC,
    ),
    Case("no_rate_limit", lambda: burst(130, "/r4/Observation"), True, "130/min, never 429"),
    Case(
        "no_rate_limit",
        lambda: burst(130, "/r4/Observation", status_at=lambda k: 429 if k > 100 else 200),
        False,
        "429 after 100",
    ),
    Case(
        "unbounded_page_size",
        lambda: [ev("/r4/Observation", query="_count=1000", resp_body=bundle(600))],
        True,
        "600 items for _count=1000",
    ),
    Case(
        "unbounded_page_size",
        lambda: [ev("/r4/Observation", query="_count=1000", resp_body=bundle(100, next_link=True))],
        False,
        "capped at 100",
    ),
    Case(
        "unpaged_include",
        lambda: [ev("/r4/Encounter", query="_include=*", resp_body=bundle(250))],
        True,
        "250 entries, no next",
    ),
    Case(
        "unpaged_include",
        lambda: [ev("/r4/Encounter", query="_include=*", resp_body=bundle(250, next_link=True))],
        False,
        "paged",
    ),
    Case("large_response", lambda: [ev(resp_headers={**SEC, "content-length": "2500000"})], True, "2.5 MB"),
    Case("large_response", lambda: [ev()], False, "small"),
    Case(
        "admin_by_non_admin",
        lambda: [ev("/api/admin/users", resp_body=b"{}")],
        True,
        "patient token on admin",
    ),
    Case(
        "admin_by_non_admin",
        lambda: [ev("/api/admin/users", resp_body=b"{}", req_headers=bearer(roles=["admin"]))],
        False,
        "admin role",
    ),
    Case(
        "method_not_in_spec",
        lambda: [ev("/api/v2/invoices/77123", method="DELETE", status=204, resp_body=None, **BILL)],
        True,
        "DELETE not documented",
        ACCOUNT_SPEC,
    ),
    Case(
        "method_not_in_spec",
        lambda: [ev("/api/v2/invoices/77123", method="DELETE", status=405, resp_body=b"{}", **BILL)],
        False,
        "405",
        ACCOUNT_SPEC,
    ),
    Case(
        "unthrottled_auth_flow",
        lambda: burst(15, "/api/login", "POST", lambda k: 401),
        True,
        "15 attempts/min",
    ),
    Case(
        "unthrottled_auth_flow",
        lambda: burst(15, "/api/login", "POST", lambda k: 429 if k > 4 else 401),
        False,
        "429 after 5",
    ),
    Case(
        "ssrf_url_params",
        lambda: [ev("/api/preview", query="callback=https%3A%2F%2Fevil.example%2Fx", resp_body=b"{}")],
        True,
        "callback URL",
    ),
    Case(
        "ssrf_url_params",
        lambda: [ev("/r4/Observation", query="code=http://loinc.org|4548-4", resp_body=b"{}")],
        False,
        "FHIR token system URI",
    ),
    Case("plain_http", lambda: [ev(scheme="http", resp_body=b"{}")], True, "http"),
    Case("plain_http", lambda: [ev(resp_body=b"{}")], False, "https"),
    Case(
        "cors_wildcard_credentials",
        lambda: [
            ev(
                resp_headers={
                    **SEC,
                    "access-control-allow-origin": "*",
                    "access-control-allow-credentials": "true",
                }
            )
        ],
        True,
        "* with credentials",
    ),
    Case(
        "cors_wildcard_credentials",
        lambda: [ev(resp_headers={**SEC, "access-control-allow-origin": "*"})],
        False,
        "* without credentials",
    ),
    Case(
        "missing_security_headers",
        lambda: [ev(resp_headers={"content-type": "application/json"})],
        True,
        "no HSTS or nosniff",
    ),
    Case("missing_security_headers", lambda: [ev()], False, "both present"),
    Case(
        "error_disclosure",
        lambda: [
            ev(
                status=500,
                resp_body=b'Traceback (most recent call last):\n  File "x.py"',
                resp_headers={**SEC, "content-type": "text/plain"},
            )
        ],
        True,
        "Python traceback",
    ),
    Case(
        "error_disclosure",
        lambda: [ev(status=500, resp_body=b'{"title":"Internal error"}')],
        False,
        "generic",
    ),
    Case(
        "version_disclosure",
        lambda: [ev(resp_headers={**SEC, "server": "nginx/1.25.4"})],
        True,
        "nginx/1.25.4",
    ),
    Case("version_disclosure", lambda: [ev(resp_headers={**SEC, "server": "nginx"})], False, "no version"),
    Case("trace_enabled", lambda: [ev(method="TRACE", resp_body=b"TRACE /")], True, "TRACE 200"),
    Case("trace_enabled", lambda: [ev(method="TRACE", status=405, resp_body=b"{}")], False, "TRACE 405"),
    Case(
        "shadow_endpoint",
        lambda: [ev("/internal/debug", resp_body=b"{}", **BILL)],
        True,
        "not in spec",
        ACCOUNT_SPEC,
    ),
    Case("shadow_endpoint", lambda: [acct(ACCOUNT)], False, "documented", ACCOUNT_SPEC),
    Case(
        "zombie_endpoint",
        lambda: [ev("/api/v1/accounts/8812345", resp_body=b"{}", **BILL)],
        True,
        "deprecated v1",
        ACCOUNT_SPEC,
    ),
    Case("zombie_endpoint", lambda: [acct(ACCOUNT)], False, "current v2", ACCOUNT_SPEC),
    Case("orphan_endpoint", lambda: [acct(ACCOUNT)], True, "statements never called", ACCOUNT_SPEC),
    Case("orphan_endpoint", lambda: [acct(ACCOUNT)], False, "no spec, no orphans"),
    Case("nonprod_phi", lambda: [ev(host="fhir-staging.example.org")], True, "staging host"),
    Case("nonprod_phi", lambda: [ev(host="fhir.example.org")], False, "production host"),
    Case(
        "third_party_phi",
        lambda: [
            ev(
                "/tr",
                host="www.facebook.com",
                req_headers={},
                resp_body=b"",
                query="id=1&ev=PageView&ud[em]=adaeze.okafor@mail.example.com",
            )
        ],
        True,
        "email to a pixel",
    ),
    Case(
        "third_party_phi",
        lambda: [ev("/tr", host="www.facebook.com", req_headers={}, resp_body=b"", query="id=1&ev=PageView")],
        False,
        "pixel without PHI",
    ),
    Case("phi_over_http", lambda: [ev(scheme="http")], True, "patient over http"),
    Case(
        "phi_over_http",
        lambda: [ev("/healthz", scheme="http", resp_body=b'{"status":"ok"}')],
        False,
        "no PHI",
    ),
    Case(
        "phi_in_url",
        lambda: [ev("/api/lookup", query="ssn=536-22-8726", resp_body=b"{}")],
        True,
        "SSN in query",
    ),
    Case(
        "phi_in_url",
        lambda: [ev("/api/lookup", method="POST", req_body=b'{"ssn":"536-22-8726"}', resp_body=b"{}")],
        False,
        "SSN in body",
    ),
    Case("patient_access_without_smart", lambda: [ev(req_headers={"x-api-key": "k" * 24})], True, "API key"),
    Case("patient_access_without_smart", lambda: [ev()], False, "SMART token"),
    Case(
        "smart_config_missing",
        lambda: [
            ev(),
            ev("/r4/.well-known/smart-configuration", req_headers={}, status=404, resp_body=b"{}"),
        ],
        True,
        "404",
    ),
    Case(
        "smart_config_missing",
        lambda: [ev(), ev("/r4/.well-known/smart-configuration", req_headers={}, resp_body=b"{}")],
        False,
        "served",
    ),
    Case(
        "export_without_system_scope",
        lambda: [ev("/r4/Group/g1/$export", status=202, resp_body=b"", req_headers=bearer(**USER))],
        True,
        "user scopes",
    ),
    Case(
        "export_without_system_scope",
        lambda: [
            ev("/r4/Group/g1/$export", status=202, resp_body=b"", req_headers=bearer(scope="system/*.read"))
        ],
        False,
        "system scopes",
    ),
    Case(
        "everything_without_patient_context",
        lambda: [ev("/r4/Patient/p1/$everything", req_headers=bearer(**USER))],
        True,
        "user token, no patient",
    ),
    Case(
        "everything_without_patient_context",
        lambda: [ev("/r4/Patient/p1/$everything")],
        False,
        "patient context",
    ),
]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.check}-{'fires' if c.fires else 'quiet'}-{c.why}" for c in CASES]
)
def test_check(case: Case, tmp_path: Path) -> None:
    specs = []
    if case.spec is not None:
        path = tmp_path / "spec.yaml"
        path.write_text(yaml.safe_dump(case.spec))
        specs.append(load_spec(path))
    run = Run().feed(case.events()).check(specs, only=[case.check])
    assert run.failed == {}
    fired = [f for f in run.findings if f.check == case.check]
    assert bool(fired) is case.fires, (case.why, fired)


def test_every_check_has_positive_and_negative_rows() -> None:
    for name in registered().names():
        outcomes = {c.fires for c in CASES if c.check == name}
        assert outcomes == {True, False}, name
