"""One simulated HTTP exchange, built in the canonical JSONL shape, plus the sim context.

``Sim`` is the state every API and actor shares: the world, the one traffic RNG, the current
simulated time and the count of exchanges emitted so far. ``Emitted`` carries the canonical
record together with what the ground truth needs (method, host, path template, auth kind),
which the simulator knows by construction and never re-derives from the URL.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

import jwt

from phiwatch.simulate import clock
from phiwatch.simulate.phi import NO_PHI, Phi
from phiwatch.simulate.tokens import Tokens
from phiwatch.simulate.world import World

FHIR_JSON = "application/fhir+json; fhirVersion=4.0"
JSON = "application/json"
HTTP_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
}


@dataclass(slots=True)
class Client:
    """A calling application: where it connects from and how it introduces itself."""

    name: str
    ip: str
    user_agent: str
    accept: str = JSON


@dataclass(slots=True)
class Cred:
    """A credential as sent: auth kind (model.AUTH_*), header name (lower-case), value."""

    kind: str
    header: str
    value: str


NO_CRED = Cred("none", "", "")


@dataclass(slots=True)
class Emitted:
    method: str
    host: str
    template: str  # the path template in the project's convention ({id}, {id2}, {vid})
    auth: str
    record: dict[str, object]
    then_ms: int = 0  # pause before the session's next request
    phi: Phi = NO_PHI  # what the response carries, for the PHI ground truth (phi.py)
    client: str = ""  # who received it, as the truth names clients (``Sim.client_label``)


class Sim:
    """Shared state of one run (single-threaded, so plain attributes)."""

    def __init__(self, world: World, seed: int, events: int) -> None:
        self.world = world
        self.rng = random.Random(f"traffic:{seed}")
        self.now = clock.start_ms(seed)
        self.events = events
        self.emitted = 0
        self.tokens = Tokens(world.auth_issuer, world.fhir_base)
        self.capability = b""  # the served CapabilityStatement, set once by the scheduler
        self._labels: dict[str, str] = {}

    def client_label(self, client: Client, cred: Cred) -> str:
        """The truth's name for a caller: ``client:<client_id>`` for a SMART JWT (read from the
        token the simulator minted), else ``<auth kind>:<application name>``, ``anonymous``
        without a credential."""
        if cred.kind == "none" or not cred.value:
            return "anonymous"
        if cred.kind != "jwt":
            return f"{cred.kind}:{client.name}"
        label = self._labels.get(cred.value)
        if label is None:
            try:  # our own token: read back, independently of phiwatch.identity
                claims = jwt.decode(cred.value.removeprefix("Bearer "), options={"verify_signature": False})
                cid = claims.get("client_id")
            except jwt.PyJWTError:
                cid = None
            label = f"client:{cid}" if cid else f"jwt:{client.name}"
            if len(self._labels) > 10_000:  # tokens roll every window: keep memory flat
                self._labels.clear()
            self._labels[cred.value] = label
        return label

    @property
    def progress(self) -> float:
        """Share of the run already emitted, 0..1 (drives slow trends such as /v1 decline)."""
        return self.emitted / self.events if self.events else 1.0

    def request_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def exchange(
        self,
        client: Client,
        cred: Cred,
        method: str,
        host: str,
        path: str,
        template: str,
        *,
        query: str = "",
        status: int = 200,
        body: bytes | None = None,
        content_type: str = FHIR_JSON,
        req_body: bytes | None = None,
        req_type: str = JSON,
        req_headers: dict[str, str] | None = None,
        resp_headers: dict[str, str] | None = None,
        server: str = "nginx/1.25.4",
        cache: str = "no-store",
        binary: bool = False,
        latency_ms: float = 40.0,
        accept: str | None = None,
        phi: Phi | None = None,
    ) -> Emitted:
        rng = self.rng
        trace = rng.getrandbits(192)
        rid = f"{trace >> 64:032x}"
        headers: dict[str, str] = {
            "user-agent": client.user_agent,
            "accept": accept or client.accept,
            "accept-encoding": "gzip, deflate, br",
            "x-request-id": f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:]}",
            "traceparent": f"00-{rid}-{trace & 0xFFFFFFFFFFFFFFFF:016x}-01",
        }
        if cred.header:
            headers[cred.header] = cred.value
        if req_headers:
            headers.update(req_headers)
        request: dict[str, object] = {
            "method": method,
            "url": f"https://{host}{path}?{query}" if query else f"https://{host}{path}",
            "headers": headers,
        }
        if req_body is not None:
            headers["content-type"] = req_type
            headers["content-length"] = str(len(req_body))
            request["body"] = req_body.decode()
        rh: dict[str, str] = {"server": server, "date": clock.http_date(self.now)}
        if body is not None:
            rh["content-type"] = content_type
            rh["content-length"] = str(len(body))
        rh["cache-control"] = cache
        rh["x-request-id"] = headers["x-request-id"]
        if resp_headers:
            rh.update(resp_headers)
        size = len(body) if body else 0
        duration = round(latency_ms * rng.lognormvariate(0.0, 0.45) + size / 40_000.0, 1)
        response: dict[str, object] = {"status": status, "headers": rh}
        if body is not None:
            if binary:
                response["body_base64"] = base64.b64encode(body).decode("ascii")
            else:
                response["body"] = body.decode()
        response["duration_ms"] = duration
        record: dict[str, object] = {
            "ts": clock.rfc3339(self.now),
            "client_ip": client.ip,
            "request": request,
            "response": response,
        }
        return Emitted(
            method,
            host,
            template,
            cred.kind,
            record,
            int(duration) + 1,
            phi or NO_PHI,
            self.client_label(client, cred),
        )
