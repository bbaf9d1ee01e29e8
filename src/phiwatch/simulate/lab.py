"""The posture lab: the organisation's APIs in a "vulnerable" and a "hardened" variant.

Both variants serve the same API surface to the same kinds of callers; the vulnerable one
plants every posture flaw of issue 5 on a known endpoint (``planted()`` lists them as
``{check, method, host, path}``), the hardened one fixes each flaw the way an API owner would
(TLS, SMART tokens with short lifetimes, 429s, 405s, paging, security headers, no PHI in URLs,
an exact spec). Traffic starts with one call of every operation, then the bursts (rate limits,
login attempts), then a background mix until the requested number of events.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import orjson

from phiwatch.simulate import ids, vocab
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, JSON, NO_CRED, Client, Cred, Emitted, Sim
from phiwatch.simulate.world import Patient, World

VARIANTS = ("vulnerable", "hardened")
MIN_EVENTS = 800  # the planted flaws need this many exchanges (bursts included)
BASE = "/r4"
RATE_BURST = 150  # Observation searches by one client within a minute (limit: 120)
LOGIN_BURST = 30  # login attempts from one address within a minute (limit: 10)
Json = dict[str, object]
Thunk = Callable[[], Emitted]


@dataclass(frozen=True, slots=True)
class Op:
    """One operation of the lab's surface, as the spec documents it."""

    method: str
    host: str
    path: str  # spec path, parameter names in braces
    template: str  # inventory template
    summary: str
    deprecated: bool = False
    schema: str | None = None  # response schema (components/schemas) name


class Lab:
    def __init__(self, sim: Sim, variant: str) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown lab variant {variant!r}")
        self.sim = sim
        self.v = variant == "vulnerable"
        w = sim.world
        self.w = w
        slug = w.slug
        self.F, self.P, self.B, self.L = w.fhir_host, w.portal_host, w.billing_host, w.lab_host
        self.D = f"fhir-dev.{slug}.example.org"
        self.X = "www.facebook.com"
        self.E = "edi.clearinghouse-partner.example.net"
        rng = random.Random(f"lab:{w.seed}")
        self.users = [w.patient(i) for i in range(0, 240, 2)]  # patient-app users, low indices
        self.patient_clients = [
            Client("pulse-patient-app", f"203.0.113.{rng.randint(2, 254)}", vocab.UA_PATIENT_IOS, FHIR_JSON)
            for _ in range(12)
        ]
        self.clinician = Client("cedar-clinician", "10.20.0.31", vocab.UA_CLINICIAN, FHIR_JSON)
        self.analytics = Client("pop-health-analytics", "10.40.0.12", "python-httpx/0.27.0", FHIR_JSON)
        self.browser = Client("portal-web", "198.51.100.77", vocab.UA_BROWSERS[0], JSON)
        self.attacker = Client("portal-web", "192.0.2.66", "python-requests/2.32.3", JSON)
        self.billing_client = Client("billing-batch", "10.30.0.9", "billing-batch/3.4", JSON)
        self.lab_bridge = Client("lab-bridge", "10.50.0.5", "LabBridge/5.1 (Java/17)", JSON)
        self.accounts = [str(rng.randrange(10**9, 10**10)) for _ in range(40)]  # random: not guessable
        self.results = [str(rng.randrange(10**8, 10**9)) for _ in range(40)]
        self.group = ids.uuid4(rng)

    # -- identity helpers ----------------------------------------------------------------
    def fid(self, p: Patient) -> str:
        """Patient ids: sequential numbers (vulnerable) or UUIDs (hardened)."""
        if self.v:
            return str(1_000_000 + p.index)
        return ids.uuid4(random.Random(self.w.seed * 7_919 + p.index))

    def patient_token(self, p: Patient, **kw: object) -> Cred:
        sim = self.sim
        tok = sim.tokens.jwt(
            sim.now,
            "pulse-patient-app",
            f"pt-{p.index:07d}",
            "launch/patient openid fhirUser patient/*.read",
            patient=self.fid(p),
            fhir_user=f"{self.w.fhir_base}/Patient/{self.fid(p)}",
            **kw,  # type: ignore[arg-type]
        )
        return Cred("jwt", "authorization", "Bearer " + tok)

    def clinician_token(self, **kw: object) -> Cred:
        sim = self.sim
        tok = sim.tokens.jwt(sim.now, "cedar-clinician", "dr-0001", "openid fhirUser user/*.read", **kw)  # type: ignore[arg-type]
        return Cred("jwt", "authorization", "Bearer " + tok)

    def system_token(self, client_id: str, scope: str) -> Cred:
        tok = self.sim.tokens.jwt(self.sim.now, client_id, client_id, scope)
        return Cred("jwt", "authorization", "Bearer " + tok)

    def admin_token(self) -> Cred:
        tok = self.sim.tokens.jwt(self.sim.now, "portal-admin", "ops-01", "openid admin", roles=("admin",))
        return Cred("jwt", "authorization", "Bearer " + tok)

    def portal_user_token(self, p: Patient) -> Cred:
        tok = self.sim.tokens.jwt(
            self.sim.now, "portal-web", f"pt-{p.index:07d}", "openid profile", roles=("patient",)
        )
        return Cred("jwt", "authorization", "Bearer " + tok)

    def user(self) -> Patient:
        return self.sim.rng.choice(self.users)

    # -- the one place responses get their headers ----------------------------------------
    def x(
        self,
        client: Client,
        cred: Cred,
        method: str,
        host: str,
        path: str,
        template: str,
        *,
        body: object = None,
        status: int = 200,
        query: str = "",
        req: Json | None = None,
        ctype: str = JSON,
        headers: dict[str, str] | None = None,
        http: bool = False,
        binary: bool = False,
    ) -> Emitted:
        rh: dict[str, str] = dict(headers or {})
        if self.v:
            server = "nginx/1.25.4"
            if host == self.B:
                rh["x-powered-by"] = "Express 4.18.2"
        else:
            server = "nginx"
            rh["strict-transport-security"] = "max-age=63072000; includeSubDomains"
            rh["x-content-type-options"] = "nosniff"
        raw = body if isinstance(body, bytes) or body is None else orjson.dumps(body)
        em = self.sim.exchange(
            client,
            cred,
            method,
            host,
            path,
            template,
            query=query,
            status=status,
            body=raw,
            content_type=ctype,
            req_body=orjson.dumps(req) if req is not None else None,
            resp_headers=rh,
            server=server,
            binary=binary,
            accept=ctype,
        )
        if http:  # the simulator's exchanges are https; this one travels in clear
            request = em.record["request"]
            assert isinstance(request, dict)
            request["url"] = "http://" + str(request["url"])[len("https://") :]
        return em

    def fhir_bundle(self, path: str, entries: list[Json], *, next_page: bool = False) -> Json:
        base = self.w.fhir_base
        nxt = f"https://{self.F}{path}?_getpages={ids.hex_token(self.sim.rng, 8)}" if next_page else None
        return res.bundle(
            ids.uuid4(self.sim.rng), f"https://{self.F}{path}", nxt, len(entries), base, entries
        )

    def observations(self, p: Patient, n: int) -> list[Json]:
        out = []
        for k in range(n):
            o = p.observations[k % len(p.observations)]
            r = res.observation(p, o)
            r["id"] = f"{o.id}-{k}" if k >= len(p.observations) else o.id
            r["subject"] = {"reference": f"Patient/{self.fid(p)}"}
            out.append(r)
        return out

    def patient_resource(self, p: Patient) -> Json:
        r = res.patient(self.w, p)
        r["id"] = self.fid(p)
        return r

    # -- the surface ---------------------------------------------------------------------
    def read_patient(self, p: Patient, cred: Cred, client: Client, *, host: str | None = None) -> Emitted:
        path = f"{BASE}/Patient/{self.fid(p)}"
        return self.x(
            client,
            cred,
            "GET",
            host or self.F,
            path,
            f"{BASE}/Patient/{{id}}",
            body=self.patient_resource(p),
            ctype=FHIR_JSON,
        )

    def search(
        self,
        rtype: str,
        cred: Cred,
        client: Client,
        params: str,
        entries: list[Json],
        *,
        next_page: bool = False,
        status: int = 200,
    ) -> Emitted:
        path = f"{BASE}/{rtype}"
        if status != 200:
            body: Json = res.outcome("error", "throttled", "Too many requests")
            return self.x(
                client,
                cred,
                "GET",
                self.F,
                path,
                path,
                query=params,
                status=status,
                body=body,
                ctype=FHIR_JSON,
                headers={"retry-after": "30"},
            )
        return self.x(
            client,
            cred,
            "GET",
            self.F,
            path,
            path,
            query=params,
            body=self.fhir_bundle(path, entries, next_page=next_page),
            ctype=FHIR_JSON,
        )

    def conditions(self) -> Emitted:
        p = self.user()
        entries: list[Json] = [res.condition(p, c) for c in p.conditions] or [
            res.observation(p, p.observations[0])
        ]
        cred = NO_CRED if self.v else self.patient_token(p)
        return self.search("Condition", cred, self.patient_clients[0], f"patient={self.fid(p)}", entries)

    def documents(self) -> Emitted:
        p = self.user()
        cred = self.patient_token(p)
        doc: Json = {
            "resourceType": "DocumentReference",
            "id": ids.uuid4(self.sim.rng),
            "status": "current",
            "subject": {"reference": f"Patient/{self.fid(p)}"},
            "description": "Discharge summary",
            "date": "2025-11-02T10:00:00Z",
        }
        q = f"patient={self.fid(p)}"
        if self.v:  # the token travels in the query string
            q += "&access_token=" + cred.value.removeprefix("Bearer ")
            cred = Cred("jwt", "", "")
        return self.search("DocumentReference", cred, self.patient_clients[1], q, [doc])

    def encounters(self, *, include: bool = False) -> Emitted:
        p = self.user()
        cred = self.patient_token(p, alg="none") if self.v and not include else self.patient_token(p)
        entries: list[Json] = [res.encounter(p, e) for e in p.encounters]
        q = f"patient={self.fid(p)}"
        if include:  # _include=* answered in one bundle (vulnerable) or paged (hardened)
            q += "&_include=*"
            pool = [*self.observations(p, 260 if self.v else 40), self.patient_resource(p)]
            return self.search(
                "Encounter", cred, self.patient_clients[2], q, entries + pool, next_page=not self.v
            )
        return self.search("Encounter", cred, self.patient_clients[2], q, entries)

    def meds(self) -> Emitted:
        p = self.user()
        cred = self.patient_token(p, with_exp=False) if self.v else self.patient_token(p)
        entries: list[Json] = [res.medication_request(p, m) for m in p.meds]
        return self.search(
            "MedicationRequest", cred, self.patient_clients[3], f"patient={self.fid(p)}", entries
        )

    def coverage(self) -> Emitted:
        p = self.user()
        cred = self.patient_token(p, lifetime_s=30 * 86_400) if self.v else self.patient_token(p)
        return self.search(
            "Coverage", cred, self.patient_clients[4], f"beneficiary={self.fid(p)}", [res.coverage(self.w, p)]
        )

    def allergies(self) -> Emitted:
        p = self.user()
        cred = (
            Cred("api_key", "x-api-key", ids.hex_token(random.Random(self.w.seed), 20))
            if self.v
            else self.patient_token(p)
        )
        a: Json = {
            "resourceType": "AllergyIntolerance",
            "id": ids.uuid4(self.sim.rng),
            "patient": {"reference": f"Patient/{self.fid(p)}", "display": f"{p.given} {p.family}"},
            "code": {
                "coding": [
                    {
                        "system": "http://snomed.info/sct",
                        "code": "91936005",
                        "display": "Allergy to penicillin",
                    }
                ]
            },
            "recordedDate": p.birth_date,
        }
        return self.search("AllergyIntolerance", cred, self.patient_clients[5], f"patient={self.fid(p)}", [a])

    def observations_search(self, *, big: bool = False, throttled: bool = False) -> Emitted:
        p = self.user()
        cred = self.system_token("pop-health-analytics", "system/Observation.read")
        if throttled:
            return self.search("Observation", cred, self.analytics, f"patient={self.fid(p)}", [], status=429)
        if big:  # _count=1000 honoured (vulnerable) or capped at 100 with a next link (hardened)
            n = 600 if self.v else 100
            return self.search(
                "Observation",
                cred,
                self.analytics,
                f"patient={self.fid(p)}&_count=1000",
                self.observations(p, n),
                next_page=not self.v,
            )
        return self.search(
            "Observation",
            cred,
            self.analytics,
            f"patient={self.fid(p)}&category=vital-signs",
            self.observations(p, 3),
        )

    def binary(self) -> Emitted:
        rid = ids.uuid4(self.sim.rng)
        size = 1_500_000 if self.v else 300_000
        blob = b"%PDF-1.7\n" + random.Random(rid).randbytes(size)
        path = f"{BASE}/Binary/{rid}"
        cred = self.clinician_token()
        return self.x(
            self.clinician,
            cred,
            "GET",
            self.F,
            path,
            f"{BASE}/Binary/{{id}}",
            body=blob,
            ctype="application/pdf",
            binary=True,
        )

    def smart_config(self) -> Emitted:
        path = f"{BASE}/.well-known/smart-configuration"
        if self.v:
            return self.x(
                self.patient_clients[0],
                NO_CRED,
                "GET",
                self.F,
                path,
                path,
                status=404,
                body=res.outcome("error", "not-found", "Not found"),
                ctype=FHIR_JSON,
            )
        iss = self.w.auth_issuer
        doc: Json = {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/oauth2/authorize",
            "token_endpoint": f"{iss}/oauth2/token",
            "capabilities": ["launch-standalone"],
        }
        return self.x(self.patient_clients[0], NO_CRED, "GET", self.F, path, path, body=doc)

    def export(self) -> Emitted:
        path = f"{BASE}/Group/{self.group}/$export"
        cred = self.clinician_token() if self.v else self.system_token("payer-bulk", "system/*.read")
        loc = f"https://{self.F}{BASE}/bulkstatus/{ids.hex_token(self.sim.rng, 8)}"
        return self.x(
            self.analytics,
            cred,
            "GET",
            self.F,
            path,
            f"{BASE}/Group/{{id}}/$export",
            status=202,
            body=b"",
            headers={"content-location": loc},
            ctype=FHIR_JSON,
        )

    def everything(self) -> Emitted:
        p = self.user()
        cred = self.clinician_token() if self.v else self.patient_token(p)
        path = f"{BASE}/Patient/{self.fid(p)}/$everything"
        entries = [self.patient_resource(p), *self.observations(p, 5)]
        return self.x(
            self.clinician,
            cred,
            "GET",
            self.F,
            path,
            f"{BASE}/Patient/{{id}}/$everything",
            body=self.fhir_bundle(path, entries),
            ctype=FHIR_JSON,
        )

    def directory(self) -> Emitted:
        pr = self.w.practitioner(self.sim.rng.randrange(self.w.n_practitioners))
        loc = self.w.locations[pr.location]
        path = f"{BASE}/PractitionerRole"
        return self.x(
            self.browser,
            NO_CRED,
            "GET",
            self.F,
            path,
            path,
            query=f"specialty={pr.specialty}",
            body=self.fhir_bundle(path, [res.practitioner_role(pr, loc)]),
            ctype=FHIR_JSON,
        )

    def lab_result(self) -> Emitted:
        p = self.user()
        rid = self.sim.rng.choice(self.results)
        body: Json = {
            "resultId": rid,
            "mrn": p.mrn,
            "patient": f"{p.family}, {p.given}",
            "dob": p.birth_date,
            "test": "Hemoglobin A1c",
            "loinc": "4548-4",
            "value": 6.1,
            "unit": "%",
        }
        if self.v:
            cred = Cred("basic", "authorization", "Basic " + ids.hex_token(random.Random(7), 16))
        else:
            cred = self.system_token("lab-bridge", "system/Observation.read")
        return self.x(
            self.lab_bridge, cred, "GET", self.L, f"/results/{rid}", "/results/{id}", body=body, http=self.v
        )

    def partner_claim(self) -> Emitted:
        p = self.user()
        claim: Json = {
            "memberId": p.mrn,
            "patientName": f"{p.given} {p.family}",
            "birthDate": p.birth_date,
            "diagnosis": "E11.9",
            "amount": 182.5,
        }
        cred = Cred("api_key", "x-api-key", ids.hex_token(random.Random(11), 20))
        return self.x(
            self.billing_client,
            cred,
            "POST",
            self.E,
            "/claims/submissions",
            "/claims/submissions",
            req=claim,
            status=202,
            body={"accepted": True},
            http=self.v,
        )

    def pixel(self) -> Emitted:
        p = self.user()
        q = "id=1234567890&ev=PageView"
        if self.v:  # the tracking pixel on the appointment page sends the patient's contact details
            q += f"&ud[em]={p.email}&ud[ph]={p.phone}&ud[fn]={p.given.lower()}&ud[ln]={p.family.lower()}"
        return self.x(
            self.browser,
            NO_CRED,
            "GET",
            self.X,
            "/tr",
            "/tr",
            query=q,
            body=b"GIF89a",
            ctype="image/gif",
            binary=True,
        )

    def account(self, *, v1: bool = False) -> Emitted:
        p = self.user()
        aid = self.sim.rng.choice(self.accounts)
        body: Json = {
            "id": aid,
            "status": "open",
            "balance": 120.5,
            "currency": "USD",
            "patientName": f"{p.given} {p.family}",
        }
        if self.v:  # the whole database row leaks
            body |= {"ssn": p.ssn, "internalNotes": "collections review"}
        prefix = "/api/v1" if v1 else "/api/v2"
        cred = self.system_token("billing-batch", "billing.read")
        return self.x(
            self.billing_client,
            cred,
            "GET",
            self.B,
            f"{prefix}/accounts/{aid}",
            f"{prefix}/accounts/{{id}}",
            body=body,
        )

    def patch_account(self) -> Emitted:
        aid = self.sim.rng.choice(self.accounts)
        cred = self.system_token("billing-batch", "billing.write")
        req: Json = {"status": "paperless", "balance": 0}
        if self.v:
            return self.x(
                self.billing_client,
                cred,
                "PATCH",
                self.B,
                f"/api/v2/accounts/{aid}",
                "/api/v2/accounts/{id}",
                req=req,
                body={"id": aid, "status": "paperless"},
            )
        return self.x(
            self.billing_client,
            cred,
            "PATCH",
            self.B,
            f"/api/v2/accounts/{aid}",
            "/api/v2/accounts/{id}",
            req=req,
            status=422,
            body={"title": "balance is read-only"},
            ctype="application/problem+json",
        )

    def invoice(self, *, delete: bool = False) -> Emitted:
        inv = str(random.Random(self.sim.rng.random()).randrange(10**11, 10**12))
        cred = self.system_token("billing-batch", "billing.write")
        path = f"/api/v2/invoices/{inv}"
        if not delete:
            return self.x(
                self.billing_client,
                cred,
                "GET",
                self.B,
                path,
                "/api/v2/invoices/{id}",
                body={"id": inv, "amount": 80.0, "status": "due"},
            )
        return self.x(
            self.billing_client,
            cred,
            "DELETE",
            self.B,
            path,
            "/api/v2/invoices/{id}",
            status=204 if self.v else 405,
            body=None if self.v else {"title": "method not allowed"},
        )

    def claims_search(self) -> Emitted:
        cred = self.system_token("billing-batch", "billing.read")
        if self.v:
            text = (
                b"<html><body><h1>500 Internal Server Error</h1><pre>org.postgresql.util.PSQLException: "
                b'ERROR: syntax error at or near "\'"\n  Position: 58\n'
                b"\tat org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:733)\n"
                b"\tat java.base/java.lang.Thread.run(Thread.java:833)</pre></body></html>"
            )
            return self.x(
                self.billing_client,
                cred,
                "GET",
                self.B,
                "/api/v2/claims/search",
                "/api/v2/claims/search",
                query="q=O%27Brien",
                status=500,
                body=text,
                ctype="text/html; charset=utf-8",
            )
        return self.x(
            self.billing_client,
            cred,
            "GET",
            self.B,
            "/api/v2/claims/search",
            "/api/v2/claims/search",
            query="q=O%27Brien",
            status=400,
            body={"title": "invalid query"},
            ctype="application/problem+json",
        )

    def admin_users(self) -> Emitted:
        p = self.user()
        cred = self.portal_user_token(p) if self.v else self.admin_token()
        body = {
            "users": [{"username": "ops-01", "role": "admin"}, {"username": "frontdesk", "role": "staff"}]
        }
        return self.x(self.browser, cred, "GET", self.P, "/api/admin/users", "/api/admin/users", body=body)

    def login(self, *, attacker: bool = False, throttled: bool = False) -> Emitted:
        user = f"user{self.sim.rng.randrange(10_000)}@mail.example.com"
        req: Json = {"username": user, "password": "********"}
        client = self.attacker if attacker else self.browser
        if throttled:
            return self.x(
                client,
                NO_CRED,
                "POST",
                self.P,
                "/api/v2/auth/login",
                "/api/v2/auth/login",
                req=req,
                status=429,
                body={"error": "too_many_attempts"},
                headers={"retry-after": "60"},
            )
        status = 401 if attacker else 200
        body: Json = (
            {"error": "invalid_credentials"} if attacker else {"token_type": "Bearer", "expires_in": 900}
        )
        return self.x(
            client,
            NO_CRED,
            "POST",
            self.P,
            "/api/v2/auth/login",
            "/api/v2/auth/login",
            req=req,
            status=status,
            body=body,
        )

    def document_import(self) -> Emitted:
        p = self.user()
        cred = self.portal_user_token(p)
        req: Json = (
            {"url": "https://files.partner.example.com/scan.pdf"}
            if self.v
            else {"uploadId": ids.uuid4(self.sim.rng)}
        )
        return self.x(
            self.browser,
            cred,
            "POST",
            self.P,
            "/api/v2/documents/import",
            "/api/v2/documents/import",
            req=req,
            status=202,
            body={"status": "queued"},
        )

    def profile(self, *, trace: bool = False) -> Emitted:
        p = self.user()
        cred = self.portal_user_token(p)
        origin = f"https://{self.P}"
        cors = {
            "access-control-allow-origin": "*" if self.v else origin,
            "access-control-allow-credentials": "true",
        }
        if trace:
            if self.v:
                return self.x(
                    self.browser,
                    cred,
                    "TRACE",
                    self.P,
                    "/api/v2/profile",
                    "/api/v2/profile",
                    body=b"TRACE /api/v2/profile HTTP/1.1",
                    ctype="message/http",
                )
            return self.x(
                self.browser,
                cred,
                "TRACE",
                self.P,
                "/api/v2/profile",
                "/api/v2/profile",
                status=405,
                body={"title": "method not allowed"},
            )
        body = {"displayName": f"{p.given} {p.family}", "preferences": {"language": "en", "paperless": True}}
        return self.x(
            self.browser, cred, "GET", self.P, "/api/v2/profile", "/api/v2/profile", body=body, headers=cors
        )

    def lookup(self) -> Emitted:
        p = self.user()
        cred = self.admin_token() if not self.v else self.portal_user_token(p)
        body = {"matches": 1, "patientId": self.fid(p)}
        if self.v:  # SSN and birth date in the query string
            return self.x(
                self.browser,
                cred,
                "GET",
                self.P,
                "/api/v2/patients/lookup",
                "/api/v2/patients/lookup",
                query=f"ssn={p.ssn}&dob={p.birth_date}",
                body=body,
            )
        return self.x(
            self.browser,
            cred,
            "POST",
            self.P,
            "/api/v2/patients/lookup",
            "/api/v2/patients/lookup",
            req={"ssn": p.ssn, "dob": p.birth_date},
            body=body,
        )

    def debug_accounts(self) -> Emitted:
        p = self.user()
        body = [{"account": self.accounts[0], "patient": f"{p.given} {p.family}", "email": p.email}]
        return self.x(
            self.billing_client,
            NO_CRED,
            "GET",
            self.B,
            "/internal/debug/accounts",
            "/internal/debug/accounts",
            body=body,
        )

    def dev_patient(self) -> Emitted:
        p = self.user()
        r = self.patient_resource(p)
        r["id"] = ids.uuid4(random.Random(p.index))
        path = f"{BASE}/Patient/{r['id']}"
        return self.x(
            self.clinician,
            self.clinician_token(),
            "GET",
            self.D,
            path,
            f"{BASE}/Patient/{{id}}",
            body=r,
            ctype=FHIR_JSON,
        )

    def cross_read(self, target: Patient, reader: Patient) -> Emitted:
        return self.read_patient(target, self.patient_token(reader), self.patient_clients[6])

    # -- schedule ------------------------------------------------------------------------
    def coverage_calls(self) -> list[Thunk]:
        """One call of every operation the variant's spec documents (no orphans in hardened)."""
        calls: list[Thunk] = [
            self.smart_config,
            lambda: self.read_patient(self.user(), self.clinician_token(), self.clinician),
            self.conditions,
            self.documents,
            self.encounters,
            lambda: self.encounters(include=True),
            self.meds,
            self.coverage,
            self.allergies,
            self.observations_search,
            lambda: self.observations_search(big=True),
            self.binary,
            self.export,
            self.everything,
            self.directory,
            self.lab_result,
            self.partner_claim,
            self.pixel,
            self.account,
            self.patch_account,
            self.invoice,
            self.claims_search,
            self.admin_users,
            self.login,
            self.document_import,
            self.profile,
            lambda: self.profile(trace=True),
            self.lookup,
        ]
        if self.v:
            calls += [
                lambda: self.account(v1=True),
                lambda: self.invoice(delete=True),
                self.debug_accounts,
                self.dev_patient,
            ]
        return calls

    def mix(self) -> list[Thunk]:
        return [
            lambda: self.read_patient(u := self.user(), self.patient_token(u), self.patient_clients[7]),
            lambda: self.read_patient(self.user(), self.clinician_token(), self.clinician),
            self.conditions,
            self.documents,
            self.encounters,
            self.meds,
            self.coverage,
            self.allergies,
            self.observations_search,
            self.everything,
            self.directory,
            self.directory,
            self.lab_result,
            self.partner_claim,
            self.pixel,
            self.account,
            self.invoice,
            self.login,
            self.profile,
            self.lookup,
        ]


def planted(world: World) -> list[dict[str, str]]:
    """The flaws the vulnerable variant plants: ``{check, method, host, path}``; a host-wide
    flaw has method ``*`` and path ``/*``."""
    slug = world.slug
    F, P, B, L = world.fhir_host, world.portal_host, world.billing_host, world.lab_host
    D, X, E = f"fhir-dev.{slug}.example.org", "www.facebook.com", "edi.clearinghouse-partner.example.net"
    rows = [
        ("sequential_ids", "GET", F, f"{BASE}/Patient/{{id}}"),
        ("shared_object", "GET", F, f"{BASE}/Patient/{{id}}"),
        ("missing_auth", "GET", F, f"{BASE}/Condition"),
        ("credentials_in_url", "GET", F, f"{BASE}/DocumentReference"),
        ("cleartext_auth", "GET", L, "/results/{id}"),
        ("jwt_alg_none", "GET", F, f"{BASE}/Encounter"),
        ("jwt_no_expiry", "GET", F, f"{BASE}/MedicationRequest"),
        ("jwt_long_lived", "GET", F, f"{BASE}/Coverage"),
        ("excessive_exposure", "GET", B, "/api/v2/accounts/{id}"),
        ("undeclared_phi_fields", "GET", B, "/api/v2/accounts/{id}"),
        ("readonly_field_write", "PATCH", B, "/api/v2/accounts/{id}"),
        ("no_rate_limit", "GET", F, f"{BASE}/Observation"),
        ("unbounded_page_size", "GET", F, f"{BASE}/Observation"),
        ("unpaged_include", "GET", F, f"{BASE}/Encounter"),
        ("large_response", "GET", F, f"{BASE}/Binary/{{id}}"),
        ("admin_by_non_admin", "GET", P, "/api/admin/users"),
        ("method_not_in_spec", "DELETE", B, "/api/v2/invoices/{id}"),
        ("unthrottled_auth_flow", "POST", P, "/api/v2/auth/login"),
        ("ssrf_url_params", "POST", P, "/api/v2/documents/import"),
        ("plain_http", "*", L, "/*"),
        ("plain_http", "*", E, "/*"),
        ("cors_wildcard_credentials", "GET", P, "/api/v2/profile"),
        ("missing_security_headers", "*", F, "/*"),
        ("missing_security_headers", "*", P, "/*"),
        ("missing_security_headers", "*", B, "/*"),
        ("error_disclosure", "GET", B, "/api/v2/claims/search"),
        ("version_disclosure", "*", F, "/*"),
        ("version_disclosure", "*", B, "/*"),
        ("trace_enabled", "TRACE", P, "/api/v2/profile"),
        ("shadow_endpoint", "GET", B, "/internal/debug/accounts"),
        ("shadow_endpoint", "GET", D, f"{BASE}/Patient/{{id}}"),
        ("zombie_endpoint", "GET", B, "/api/v1/accounts/{id}"),
        ("orphan_endpoint", "GET", B, "/api/v2/statements/{statementId}"),
        ("nonprod_phi", "GET", D, f"{BASE}/Patient/{{id}}"),
        ("third_party_phi", "GET", X, "/tr"),
        ("phi_over_http", "POST", E, "/claims/submissions"),
        ("phi_over_http", "GET", L, "/results/{id}"),
        ("phi_in_url", "GET", P, "/api/v2/patients/lookup"),
        ("phi_in_url", "GET", X, "/tr"),
        ("cleartext_auth", "POST", E, "/claims/submissions"),
        ("missing_auth", "GET", B, "/internal/debug/accounts"),
        ("sequential_ids", "GET", F, f"{BASE}/Patient/{{id}}/$everything"),
        ("patient_access_without_smart", "GET", F, f"{BASE}/AllergyIntolerance"),
        ("smart_config_missing", "GET", F, f"{BASE}/.well-known/smart-configuration"),
        ("export_without_system_scope", "GET", F, f"{BASE}/Group/{{id}}/$export"),
        ("everything_without_patient_context", "GET", F, f"{BASE}/Patient/{{id}}/$everything"),
    ]
    return [{"check": c, "method": m, "host": h, "path": p} for c, m, h, p in rows]


def emitted(seed: int, events: int, variant: str) -> Iterator[Emitted]:
    """Exactly ``events`` exchanges of the lab in ``variant``, in time order."""
    world = World(seed, max(events, MIN_EVENTS))
    sim = Sim(world, seed, events)
    lab = Lab(sim, variant)
    rng = sim.rng
    t0 = sim.now
    plan: list[tuple[int, int, Thunk]] = []

    def at(t: int, thunk: Thunk) -> None:
        plan.append((t, len(plan), thunk))

    for i, call in enumerate(lab.coverage_calls()):
        at(t0 + i * 2_000, call)
    t = t0 + 120_000
    for _ in range(2):  # a few more of the planted big pages, files and cross-patient reads
        at(t, lambda: lab.observations_search(big=True))
        at(t + 500, lab.binary)
        at(t + 900, lambda: lab.encounters(include=True))
        t += 5_000
    if lab.v:
        for k in range(4):  # four records, each read by three other patients' tokens
            target = lab.users[k]
            for j in range(3):
                reader = lab.users[10 + k * 3 + j]
                at(t + k * 1_000 + j * 200, partial(lab.cross_read, target, reader))
    burst = t0 + 300_000  # a minute-aligned burst by the analytics client
    burst -= burst % 60_000
    for k in range(RATE_BURST):
        throttled = not lab.v and k >= 100
        at(burst + k * 390, partial(lab.observations_search, throttled=throttled))
    burst += 120_000
    for k in range(LOGIN_BURST):  # password guessing from one address
        throttled = not lab.v and k >= 5
        at(burst + k * 1_900, partial(lab.login, attacker=True, throttled=throttled))
    heapq.heapify(plan)
    mix = lab.mix()
    background = t0 + 1_000
    count = 0
    while count < events:
        if plan and plan[0][0] <= background:
            ts, _, thunk = heapq.heappop(plan)
        else:
            ts, thunk = background, rng.choice(mix)
            background += rng.randint(1_500, 4_500)
        sim.now = ts
        em = thunk()
        sim.emitted += 1
        count += 1
        yield em


def openapi(world: World, variant: str) -> Json:
    """The variant's published OpenAPI 3.0 document (per-path servers, one per host)."""
    v = variant == "vulnerable"
    F, P, B, L = world.fhir_host, world.portal_host, world.billing_host, world.lab_host
    ops: list[
        tuple[str, str, str, str, bool, str | None]
    ] = [  # method, host, path, summary, deprecated, schema
        ("GET", F, f"{BASE}/.well-known/smart-configuration", "SMART configuration", False, None),
        ("GET", F, f"{BASE}/Patient/{{patientId}}", "Read a patient", False, None),
        ("GET", F, f"{BASE}/Patient/{{patientId}}/$everything", "Patient everything", False, None),
        ("GET", F, f"{BASE}/Condition", "Search conditions", False, None),
        ("GET", F, f"{BASE}/DocumentReference", "Search documents", False, None),
        ("GET", F, f"{BASE}/Encounter", "Search encounters", False, None),
        ("GET", F, f"{BASE}/MedicationRequest", "Search medication requests", False, None),
        ("GET", F, f"{BASE}/Coverage", "Search coverage", False, None),
        ("GET", F, f"{BASE}/AllergyIntolerance", "Search allergies", False, None),
        ("GET", F, f"{BASE}/Observation", "Search observations", False, None),
        ("GET", F, f"{BASE}/Binary/{{binaryId}}", "Read a document file", False, None),
        ("GET", F, f"{BASE}/Group/{{groupId}}/$export", "Bulk export of a group", False, None),
        ("GET", F, f"{BASE}/PractitionerRole", "Provider Directory: practitioner roles", False, None),
        ("GET", L, "/results/{resultId}", "Lab result", False, None),
        ("GET", B, "/api/v2/accounts/{accountId}", "Read an account", False, "Account"),
        ("PATCH", B, "/api/v2/accounts/{accountId}", "Update an account", False, "Account"),
        ("GET", B, "/api/v2/invoices/{invoiceId}", "Read an invoice", False, None),
        ("GET", B, "/api/v2/claims/search", "Search claims", False, None),
        ("GET", P, "/api/admin/users", "List portal users (admin)", False, None),
        ("POST", P, "/api/v2/auth/login", "Log in", False, None),
        ("POST", P, "/api/v2/documents/import", "Import a document", False, None),
        ("GET", P, "/api/v2/profile", "Read the caller's profile", False, None),
        ("TRACE", P, "/api/v2/profile", "Trace (diagnostics)", False, None),
        ("GET" if v else "POST", P, "/api/v2/patients/lookup", "Find a patient", False, None),
    ]
    if v:
        ops += [
            ("GET", B, "/api/v1/accounts/{accountId}", "Read an account (v1)", True, None),
            ("GET", B, "/api/v2/statements/{statementId}", "Read a statement", False, None),
        ]
    else:  # TRACE is not part of the hardened API
        ops = [o for o in ops if o[0] != "TRACE"]
    paths: dict[str, Json] = {}
    for method, host, path, summary, deprecated, schema in ops:
        item = paths.setdefault(path, {"servers": [{"url": f"https://{host}"}]})
        op: Json = {"summary": summary, "operationId": f"{method.lower()}{len(paths)}_{len(item)}"}
        params = [
            {"name": seg[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
            for seg in path.split("/")
            if seg.startswith("{")
        ]
        if params:
            op["parameters"] = params
        if deprecated:
            op["deprecated"] = True
        ok: Json = {"description": "OK"}
        if schema:
            ok["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
            if method == "PATCH":
                op["requestBody"] = {
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
                }
        op["responses"] = {"200": ok}
        item[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": f"{world.org_name} APIs ({variant})", "version": "2026.02"},
        "paths": paths,
        "components": {
            "schemas": {
                "Account": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string", "readOnly": True},
                        "status": {"type": "string"},
                        "balance": {"type": "number", "readOnly": True},
                        "currency": {"type": "string"},
                        "patientName": {"type": "string"},
                    },
                }
            }
        },
    }
