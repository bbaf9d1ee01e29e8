"""The emitted traffic: every API family, realistic headers and bodies, valid tokens and ids."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import jwt

from phiwatch.simulate import SimulationConfig, iter_exchanges
from phiwatch.simulate.tokens import SIGNING_KEY
from tests.simulate.checks import loinc_valid, mbi_valid, npi_valid, ssn_synthetic

Rec = dict[str, object]


def _req(r: Rec) -> dict[str, object]:
    v = r["request"]
    assert isinstance(v, dict)
    return v


def _resp(r: Rec) -> dict[str, object]:
    v = r["response"]
    assert isinstance(v, dict)
    return v


def _headers(part: dict[str, object]) -> dict[str, str]:
    v = part["headers"]
    assert isinstance(v, dict)
    return v


def _url(r: Rec) -> tuple[str, str, str]:
    u = urlsplit(str(_req(r)["url"]))
    return u.hostname or "", u.path, u.query


def test_every_api_family_is_present(records: list[Rec]) -> None:
    seen: Counter[str] = Counter()
    for r in records:
        host, path, _ = _url(r)
        family = host.split(".")[0]
        if path == "/healthz":
            family = "healthz"
        elif family == "billing":
            family += path[:3]  # billing/v1, billing/v2
        elif family == "fhir" and "$export" in path:
            family = "bulk-export"
        seen[family] += 1
    for family in (
        "fhir",
        "portal",
        "billing/v1",
        "billing/v2",
        "lab",
        "directory",
        "healthz",
        "bulk-export",
    ):
        assert seen[family] > 0, (family, seen)


def test_time_order_and_2026(records: list[Rec]) -> None:
    stamps = [str(r["ts"]) for r in records]
    assert stamps == sorted(stamps)
    first = datetime.fromisoformat(stamps[0].replace("Z", "+00:00"))
    assert first.year == 2026


def test_hosts_and_ips_are_reserved_ranges(records: list[Rec]) -> None:
    for r in records:
        host, _, _ = _url(r)
        assert host.endswith((".example.org", ".example.com")), host
        ip = str(r["client_ip"])
        assert ip.startswith(("10.", "192.0.2.", "198.51.100.", "203.0.113.")), ip


def test_request_and_response_headers(records: list[Rec]) -> None:
    for r in records[:500]:
        req, resp = _req(r), _resp(r)
        rh, sh = req["headers"], resp["headers"]
        assert isinstance(rh, dict) and isinstance(sh, dict)
        for name in ("user-agent", "accept", "x-request-id", "traceparent"):
            assert name in rh, name
        assert rh["traceparent"].startswith("00-") and len(rh["traceparent"]) == 55
        for name in ("server", "date", "cache-control"):
            assert name in sh, name
        assert isinstance(resp["duration_ms"], float) and resp["duration_ms"] > 0
        assert req["method"] not in ("HEAD", "OPTIONS")


def test_smart_tokens_decode_with_expected_claims(records: list[Rec]) -> None:
    by_client: dict[str, list[dict[str, object]]] = {}
    for r in records:
        auth = _headers(_req(r)).get("authorization", "")
        if not auth.startswith("Bearer ey"):
            continue
        claims = jwt.decode(
            auth[7:],
            SIGNING_KEY,
            algorithms=["HS256"],
            options={"verify_exp": False},
            audience=jwt.decode(auth[7:], options={"verify_signature": False})["aud"],
        )
        for key in ("iss", "sub", "aud", "exp", "iat", "client_id", "scope"):
            assert key in claims, key
        by_client.setdefault(str(claims["client_id"]), []).append(claims)
    patient = by_client["pulse-patient-app"]
    assert all("patient/" in str(c["scope"]) for c in patient)
    assert all(str(c["fhirUser"]).endswith("/Patient/" + str(c["patient"])) for c in patient)
    assert len({c["patient"] for c in patient}) > 3  # several patients, each with a token
    clinician = by_client["carebridge-clinician"]
    assert all(
        "user/*.cruds" in str(c["scope"]) and "/Practitioner/" in str(c["fhirUser"]) for c in clinician
    )
    assert all(str(c["scope"]).startswith("system/") for c in by_client["bluepeak-payer"])


def test_patient_app_reads_only_its_own_patient(records: list[Rec]) -> None:
    checked = 0
    for r in records:
        req = _req(r)
        auth = _headers(req).get("authorization", "")
        if not auth.startswith("Bearer ey"):
            continue
        claims = jwt.decode(auth[7:], options={"verify_signature": False})
        if claims["client_id"] != "pulse-patient-app":
            continue
        _, path, query = _url(r)
        pid = str(claims["patient"])
        params = parse_qs(query)
        if path.startswith("/r4/Patient/"):
            assert path.split("/")[3] == pid
        elif "patient" in params or "beneficiary" in params:
            assert (params.get("patient") or params["beneficiary"]) == [pid]
        checked += 1
    assert checked > 50


def test_fhir_bodies_carry_valid_identifiers(records: list[Rec]) -> None:
    npis, mbis, ssns, loincs = set(), set(), set(), set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            system, value = node.get("system"), node.get("value") or node.get("code")
            if system == "http://hl7.org/fhir/sid/us-npi":
                npis.add(value)
            elif system == "http://hl7.org/fhir/sid/us-mbi":
                mbis.add(value)
            elif system == "http://hl7.org/fhir/sid/us-ssn":
                ssns.add(value)
            elif system == "http://loinc.org":
                loincs.add(value)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for r in records:
        body = _resp(r).get("body")
        if isinstance(body, str) and body.startswith("{"):
            walk(json.loads(body))
    assert npis and mbis and ssns and loincs
    assert [n for n in npis if not npi_valid(str(n))] == []
    assert [m for m in mbis if not mbi_valid(str(m))] == []
    assert [s for s in ssns if not ssn_synthetic(str(s))] == []
    assert [c for c in loincs if not loinc_valid(str(c))] == []


def test_patient_resource_shape(records: list[Rec]) -> None:
    for r in records:
        _, path, _ = _url(r)
        resp = _resp(r)
        if _req(r)["method"] == "GET" and path.count("/") == 3 and path.startswith("/r4/Patient/"):
            if resp["status"] != 200:
                continue
            p = json.loads(str(resp["body"]))
            assert resp["headers"]["content-type"] == "application/fhir+json; fhirVersion=4.0"  # type: ignore[index]
            assert {"name", "address", "telecom", "birthDate", "gender", "identifier"} <= set(p)
            mr = [i for i in p["identifier"] if i["type"]["coding"][0]["code"] == "MR"]
            assert mr and mr[0]["value"].startswith("MRN")
            assert {t["system"] for t in p["telecom"]} == {"phone", "email"}
            return
    raise AssertionError("no Patient read in the traffic")


def test_error_paths_exist(records: list[Rec]) -> None:
    statuses = Counter((_url(r)[0].split(".")[0], _resp(r)["status"]) for r in records)
    assert statuses[("fhir", 404)] > 0
    assert statuses[("fhir", 401)] > 0
    assert statuses[("fhir", 500)] > 0
    assert statuses[("portal", 401)] > 0  # failed logins
    outcomes = [r for r in records if _resp(r)["status"] == 404 and _url(r)[0].startswith("fhir.")]
    assert json.loads(str(_resp(outcomes[0])["body"]))["resourceType"] == "OperationOutcome"


def test_bulk_export_is_async(records: list[Rec]) -> None:
    kick = [r for r in records if _url(r)[1].endswith("$export")]
    assert kick
    for r in kick:
        assert _req(r)["headers"]["prefer"] == "respond-async"  # type: ignore[index]
        assert _resp(r)["status"] == 202
        loc = _resp(r)["headers"]["content-location"]  # type: ignore[index]
        assert "/r4/bulkstatus/" in loc


def test_pdf_is_binary_base64(records: list[Rec]) -> None:
    pdfs = [r for r in records if _url(r)[1].endswith("/pdf") and _resp(r)["status"] == 200]
    assert pdfs
    raw = base64.b64decode(str(_resp(pdfs[0])["body_base64"]))
    assert raw.startswith(b"%PDF-1.4") and raw.rstrip().endswith(b"%%EOF")
    assert "body" not in _resp(pdfs[0])


def test_billing_v1_declines_over_time() -> None:
    recs = list(iter_exchanges(SimulationConfig(seed=5, events=6000)))
    half = len(recs) // 2

    def v1_share(part: list[Rec]) -> float:
        billing = [r for r in part if _url(r)[0].startswith("billing.") and _url(r)[1].startswith("/v")]
        return sum(_url(r)[1].startswith("/v1/") for r in billing) / len(billing)

    assert v1_share(recs[:half]) > v1_share(recs[half:])


def test_lab_export_by_mrn(records: list[Rec]) -> None:
    lab = [r for r in records if _url(r)[1] == "/internal/lab-results/export"]
    assert lab
    kinds = set()
    for r in lab:
        assert parse_qs(_url(r)[2])["mrn"][0].startswith("MRN")
        kinds.add(_resp(r)["headers"]["content-type"].split(";")[0])  # type: ignore[index]
    assert kinds == {"text/csv", "application/json"}
