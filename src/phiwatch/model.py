"""The records every part of phiwatch shares, as msgspec Structs.

``Event`` is one HTTP exchange. Sources build it; pipeline stages attach what they learn
(identity, endpoint, PHI hits, alerts) so later stages never re-parse. Bodies stay bytes
until a stage needs them; ``None`` means "not captured" (logs carry no bodies), ``b""``
means "captured and empty".
"""

from __future__ import annotations

import msgspec

# Auth kinds, as reported in endpoints[].auth
AUTH_NONE = "none"
AUTH_JWT = "jwt"  # Bearer token that decodes as a JWT
AUTH_BEARER = "bearer"  # opaque Bearer token
AUTH_BASIC = "basic"
AUTH_API_KEY = "api_key"
AUTH_COOKIE = "cookie"  # session cookie only
AUTH_KINDS = (AUTH_NONE, AUTH_JWT, AUTH_BEARER, AUTH_BASIC, AUTH_API_KEY, AUTH_COOKIE)


class Identity(msgspec.Struct, omit_defaults=True):
    """Who made a request, read from its credential. Raw credentials are never kept:
    ``fingerprint`` is a keyed hash of the credential (stable within one installation)."""

    kind: str = AUTH_NONE
    fingerprint: str = ""
    location: str = ""  # "header:authorization", "query:api_key", ...
    subject: str | None = None  # JWT sub, Basic user: in memory only, never reported
    subject_key: str = ""  # keyed hash of the subject: what actors and reports show
    client_id: str | None = None  # client_id / azp / cid
    patient: str | None = None  # SMART launch context: bare patient id
    fhir_user: str | None = None  # SMART fhirUser: a full URL
    scopes: tuple[str, ...] = ()
    issuer: str | None = None
    audience: str | None = None
    alg: str | None = None  # JWT header alg
    issued_at: float | None = None
    expires_at: float | None = None
    roles: tuple[str, ...] = ()

    @property
    def actor(self) -> str:
        """A stable name for the caller that holds no secret and no PHI: the client id, else
        the subject's keyed hash (a patient's user id is an identifier), else the credential's."""
        if self.client_id:
            return f"client:{self.client_id}"
        if self.subject_key:
            return f"sub:{self.subject_key}"
        if self.fingerprint:
            return f"{self.kind}:{self.fingerprint}"
        return ""


class Request(msgspec.Struct):
    method: str
    path: str  # decoded path only, no query
    scheme: str = "https"
    host: str = ""  # lower-case, without default port
    query: str = ""  # raw query string, without "?"
    headers: dict[str, str] = msgspec.field(default_factory=dict)  # lower-case names
    body: bytes | None = None
    body_size: int | None = None  # bytes on the wire when known (logs)
    http_version: str = ""


class Response(msgspec.Struct):
    status: int = 0  # 0: no response seen
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    body: bytes | None = None
    body_size: int | None = None
    duration_ms: float | None = None


class EndpointKey(msgspec.Struct, frozen=True, order=True):
    """An endpoint: a method on a templated path of one host."""

    method: str
    host: str
    path: str  # template, e.g. /Patient/{id}


class PhiHit(msgspec.Struct, omit_defaults=True):
    """One PHI value found in an exchange. ``masked`` never holds the raw value."""

    category: str  # fixed names, see DESIGN.md
    location: str  # path, query, request_header, request_body, response_body
    masked: str = ""
    field: str = ""  # JSON path or key where it was found, when known
    count: int = 1


class Alert(msgspec.Struct, omit_defaults=True):
    detector: str
    severity: str
    actor: str
    endpoint: EndpointKey | None = None
    first_seen: float = 0.0
    last_seen: float = 0.0
    count: int = 1
    action: str = "alert"  # alert | deny
    evidence: dict[str, object] = msgspec.field(default_factory=dict)


class Finding(msgspec.Struct, omit_defaults=True):
    id: str
    check: str
    title: str
    severity: str
    owasp: str
    hipaa: tuple[str, ...] = ()
    endpoint: EndpointKey | None = None
    evidence: dict[str, object] = msgspec.field(default_factory=dict)
    first_seen: float | None = None
    last_seen: float | None = None


class Endpoint(msgspec.Struct, omit_defaults=False):
    """One inventory row, as in the JSON contract (``endpoints[]``) plus detail columns.

    ``path`` is the template (``/Patient/{id}``). Variable segments are named ``{id}``; a
    second and third one in the same path ``{id2}``, ``{id3}``; a FHIR history version
    ``{vid}``. ``status``: documented | shadow | zombie | orphan | undocumented, with a
    one-line ``reason`` for every status but documented.
    """

    method: str
    host: str
    path: str
    status: str = "undocumented"
    reason: str = ""
    requests: int = 0
    clients: int = 0
    auth: list[str] = msgspec.field(default_factory=list)
    phi: list[str] = msgspec.field(default_factory=list)
    phi_in_url: bool = False
    first_seen: float | None = None
    last_seen: float | None = None
    spec: str | None = None  # "<spec title or file> <METHOD> <spec path>" when matched
    query_params: list[str] = msgspec.field(default_factory=list)
    statuses: dict[str, int] = msgspec.field(default_factory=dict)  # "200" -> count
    phi_counts: dict[str, int] = msgspec.field(default_factory=dict)
    deprecated: bool = False  # the matched spec operation is marked deprecated

    @property
    def key(self) -> EndpointKey:
        return EndpointKey(self.method, self.host, self.path)


class Event(msgspec.Struct):
    """One HTTP exchange and everything the pipeline learned about it."""

    ts: float  # seconds since the epoch, UTC
    request: Request
    response: Response = msgspec.field(default_factory=Response)
    client_ip: str = ""
    source: str = ""  # file name or source label
    line: int = 0  # line or entry number in the source (1-based)
    # Attached by stages:
    identity: Identity | None = None
    endpoint: EndpointKey | None = None
    phi: list[PhiHit] = msgspec.field(default_factory=list)
    alerts: list[Alert] = msgspec.field(default_factory=list)

    @property
    def user_agent(self) -> str:
        return self.request.headers.get("user-agent", "")


class Rejected(msgspec.Struct):
    """An input item that could not be used: counted and reported, never silent."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"
