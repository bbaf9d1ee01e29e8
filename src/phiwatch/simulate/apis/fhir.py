"""The FHIR R4 server at ``https://fhir.<org>.example.org/r4``.

Protected interactions answer 401 (OperationOutcome + ``WWW-Authenticate``) to a missing or
expired token, and a small share fail with 500 as real servers do; unknown ids give 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

import orjson

from phiwatch.simulate import clock, ids, phi
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, JSON, Client, Cred, Emitted, Sim
from phiwatch.simulate.world import Patient

BASE = "/r4"
ERROR_RATE = 0.004
Json = dict[str, object]
Result = tuple[int, Json | None, dict[str, str] | None]


_PLAIN = re.compile(r"^[A-Za-z0-9._~/,:|-]*$").match  # short query values only


def _q(params: list[tuple[str, str]]) -> str:
    """``urlencode`` with FHIR's ``/ , : |`` left readable; quotes only values that need it."""
    return "&".join(f"{k}={v if _PLAIN(v) else quote(v, safe='/,:|')}" for k, v in params)


def _call(
    sim: Sim,
    client: Client,
    cred: Cred,
    method: str,
    path: str,
    template: str,
    produce: Callable[[], Result],
    *,
    query: str = "",
    auth_ok: bool = True,
    public: bool = False,
    req: Json | None = None,
    req_headers: dict[str, str] | None = None,
    cache: str = "no-store",
    url_phi: frozenset[str] = frozenset(),
) -> Emitted:
    w = sim.world
    extra: dict[str, str] | None = None
    obj: Json | None
    if not public and (cred.kind == "none" or not auth_ok):
        status, obj = 401, res.outcome("error", "login", "Missing or expired access token")
        extra = {"www-authenticate": 'Bearer realm="fhir", error="invalid_token"'}
    elif sim.rng.random() < ERROR_RATE:
        status, obj = 500, res.outcome("fatal", "exception", "Internal error: upstream EHR timeout")
    else:
        status, obj, extra = produce()
    return sim.exchange(
        client,
        cred,
        method,
        w.fhir_host,
        path,
        template,
        query=query,
        status=status,
        body=orjson.dumps(obj) if obj is not None else None,
        server=w.server_fhir,
        req_body=orjson.dumps(req) if req is not None else None,
        req_type=FHIR_JSON,
        req_headers=req_headers,
        resp_headers=extra,
        cache=cache,
        latency_ms=35.0,
        phi=phi.fhir(obj, url_phi),
    )


def _not_found(rtype: str, rid: str) -> Result:
    return 404, res.outcome("error", "not-found", f"Resource {rtype}/{rid} is not known"), None


def _etag(vid: int | str) -> dict[str, str]:
    return {"etag": f'W/"{vid}"', "last-modified": "Tue, 16 Dec 2025 09:30:00 GMT"}


def unknown_id(sim: Sim) -> str:
    """An id that no resource has: numeric beyond the population, or a fresh UUID."""
    if sim.rng.random() < 0.5:
        return str(9_000_000 + sim.rng.randrange(900_000))
    return ids.uuid4(sim.rng)


def metadata(sim: Sim, client: Client, cred: Cred, statement: bytes) -> Emitted:
    w = sim.world
    return sim.exchange(
        client,
        cred,
        "GET",
        w.fhir_host,
        BASE + "/metadata",
        BASE + "/metadata",
        body=statement,
        server=w.server_fhir,
        cache="public, max-age=3600",
        latency_ms=12.0,
    )


def smart_configuration(sim: Sim, client: Client) -> Emitted:
    w = sim.world
    iss = w.auth_issuer
    doc = {
        "issuer": iss,
        "authorization_endpoint": f"{iss}/oauth2/authorize",
        "token_endpoint": f"{iss}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "scopes_supported": [
            "openid",
            "fhirUser",
            "launch/patient",
            "patient/*.read",
            "user/*.cruds",
            "system/*.read",
            "offline_access",
        ],
        "response_types_supported": ["code"],
        "capabilities": [
            "launch-standalone",
            "client-public",
            "client-confidential-symmetric",
            "context-standalone-patient",
            "permission-patient",
            "permission-user",
            "sso-openid-connect",
        ],
        "code_challenge_methods_supported": ["S256"],
    }
    path = BASE + "/.well-known/smart-configuration"
    return sim.exchange(
        client,
        Cred("none", "", ""),
        "GET",
        w.fhir_host,
        path,
        path,
        body=orjson.dumps(doc),
        content_type=JSON,
        server=w.server_fhir,
        cache="public, max-age=86400",
        latency_ms=8.0,
    )


def read_patient(sim: Sim, client: Client, cred: Cred, p: Patient | None, *, auth_ok: bool = True) -> Emitted:
    w = sim.world
    rid = p.id if p else unknown_id(sim)

    def produce() -> Result:
        if p is None:
            return _not_found("Patient", rid)
        return 200, res.patient(w, p), _etag(p.versions)

    return _call(
        sim, client, cred, "GET", f"{BASE}/Patient/{rid}", BASE + "/Patient/{id}", produce, auth_ok=auth_ok
    )


def read(
    sim: Sim, client: Client, cred: Cred, rtype: str, rid: str, resource: Json | None, *, auth_ok: bool = True
) -> Emitted:
    def produce() -> Result:
        if resource is None:
            return _not_found(rtype, rid)
        return 200, resource, _etag(1)

    path, template = f"{BASE}/{rtype}/{rid}", f"{BASE}/{rtype}/{{id}}"
    return _call(sim, client, cred, "GET", path, template, produce, auth_ok=auth_ok)


def search(
    sim: Sim,
    client: Client,
    cred: Cred,
    rtype: str,
    params: list[tuple[str, str]],
    found: list[Json],
    *,
    auth_ok: bool = True,
    compartment: Patient | None = None,
) -> Emitted:
    """Type search (``/Observation?patient=..``) or compartment search (``/Patient/{id}/Observation``)."""
    w = sim.world
    if compartment is not None:
        path, template = f"{BASE}/Patient/{compartment.id}/{rtype}", BASE + "/Patient/{id}/" + rtype
    else:
        path, template = f"{BASE}/{rtype}", f"{BASE}/{rtype}"
    query = _q(params)
    count = next((int(v) for k, v in params if k == "_count"), 20)

    def produce() -> Result:
        page = found[:count]
        url = f"https://{w.fhir_host}{path}"
        nxt = f"{url}?{query}&_offset={count}" if len(found) > count else None
        b = res.bundle(
            ids.uuid4(sim.rng), f"{url}?{query}" if query else url, nxt, len(found), w.fhir_base, page
        )
        return 200, b, None

    url_phi = phi.search_url(params, w.mrn_system)
    return _call(
        sim, client, cred, "GET", path, template, produce, query=query, auth_ok=auth_ok, url_phi=url_phi
    )


def history(sim: Sim, client: Client, cred: Cred, p: Patient) -> Emitted:
    w = sim.world

    def produce() -> Result:
        entries = [res.patient(w, p, v) for v in range(p.versions, 0, -1)]
        b = res.bundle(
            ids.uuid4(sim.rng),
            f"{w.fhir_base}/Patient/{p.id}/_history",
            None,
            p.versions,
            w.fhir_base,
            entries,
        )
        b["type"] = "history"
        return 200, b, None

    path = f"{BASE}/Patient/{p.id}/_history"
    return _call(sim, client, cred, "GET", path, BASE + "/Patient/{id}/_history", produce)


def vread(sim: Sim, client: Client, cred: Cred, p: Patient, vid: int) -> Emitted:
    w = sim.world

    def produce() -> Result:
        if vid > p.versions:
            return (
                404,
                res.outcome("error", "not-found", f"Version {vid} of Patient/{p.id} is not known"),
                None,
            )
        return 200, res.patient(w, p, vid), _etag(vid)

    path = f"{BASE}/Patient/{p.id}/_history/{vid}"
    return _call(sim, client, cred, "GET", path, BASE + "/Patient/{id}/_history/{vid}", produce)


def everything(sim: Sim, client: Client, cred: Cred, p: Patient) -> Emitted:
    w = sim.world

    def produce() -> Result:
        entries: list[Json] = [res.patient(w, p), res.coverage(w, p)]
        entries += [res.observation(p, o) for o in p.observations]
        entries += [res.condition(p, c) for c in p.conditions]
        entries += [res.medication_request(p, m) for m in p.meds]
        entries += [res.encounter(p, e) for e in p.encounters]
        url = f"{w.fhir_base}/Patient/{p.id}/$everything"
        return 200, res.bundle(ids.uuid4(sim.rng), url, None, len(entries), w.fhir_base, entries), None

    path = f"{BASE}/Patient/{p.id}/$everything"
    return _call(sim, client, cred, "GET", path, BASE + "/Patient/{id}/$everything", produce)


def lastn(sim: Sim, client: Client, cred: Cred, p: Patient) -> Emitted:
    params = [("patient", p.id), ("category", "vital-signs"), ("max", "1")]
    found = [res.observation(p, o) for o in p.observations if o.category == "vital-signs"]
    w = sim.world
    query = _q(params)

    def produce() -> Result:
        url = f"{w.fhir_base}/Observation/$lastn?{query}"
        return 200, res.bundle(ids.uuid4(sim.rng), url, None, len(found), w.fhir_base, found), None

    path = BASE + "/Observation/$lastn"
    return _call(sim, client, cred, "GET", path, path, produce, query=query)


def export_kickoff(
    sim: Sim, client: Client, cred: Cred, job: str, *, patient_level: bool, since: str
) -> Emitted:
    w = sim.world
    path = BASE + ("/Patient/$export" if patient_level else "/$export")
    params = [("_type", "Patient,Coverage,ExplanationOfBenefit"), ("_since", since)]

    def produce() -> Result:
        return 202, None, {"content-location": f"{w.fhir_base}/bulkstatus/{job}"}

    return _call(
        sim,
        client,
        cred,
        "GET",
        path,
        path,
        produce,
        query=_q(params),
        req_headers={"prefer": "respond-async", "accept": FHIR_JSON},
    )


def bulk_status(
    sim: Sim, client: Client, cred: Cred, job: str, *, done: bool, patient_level: bool
) -> Emitted:
    w = sim.world

    def produce() -> Result:
        if not done:
            pct = sim.rng.randint(5, 95)
            return 202, None, {"x-progress": f"{pct}% complete", "retry-after": "120"}
        out = [
            {
                "type": t,
                "url": f"{w.fhir_base}/bulkfiles/{job}/{t}.ndjson",
                "count": sim.rng.randint(50, 5000),
            }
            for t in ("Patient", "Coverage", "ExplanationOfBenefit")
        ]
        manifest: Json = {
            "transactionTime": clock.rfc3339(sim.now - 600_000),
            "request": f"{w.fhir_base}/{'Patient/' if patient_level else ''}$export",
            "requiresAccessToken": True,
            "output": out,
            "error": [],
        }
        return 200, manifest, {"expires": clock.http_date(sim.now + 86_400_000)}

    path = f"{BASE}/bulkstatus/{job}"
    return _call(sim, client, cred, "GET", path, BASE + "/bulkstatus/{id}", produce)


def create(sim: Sim, client: Client, cred: Cred, rtype: str, resource: Json, new_id: str) -> Emitted:
    w = sim.world

    def produce() -> Result:
        body = dict(resource, id=new_id, meta={"versionId": "1", "lastUpdated": clock.rfc3339(sim.now)})
        loc = f"{w.fhir_base}/{rtype}/{new_id}/_history/1"
        return 201, body, {"location": loc, "etag": 'W/"1"'}

    path = f"{BASE}/{rtype}"
    return _call(sim, client, cred, "POST", path, path, produce, req=resource)


def update(sim: Sim, client: Client, cred: Cred, rtype: str, rid: str, resource: Json, vid: int) -> Emitted:
    def produce() -> Result:
        body = dict(resource, meta={"versionId": str(vid), "lastUpdated": clock.rfc3339(sim.now)})
        return 200, body, {"etag": f'W/"{vid}"'}

    path, template = f"{BASE}/{rtype}/{rid}", f"{BASE}/{rtype}/{{id}}"
    return _call(
        sim,
        client,
        cred,
        "PUT",
        path,
        template,
        produce,
        req=resource,
        req_headers={"if-match": f'W/"{vid - 1}"'},
    )
