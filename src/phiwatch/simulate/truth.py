"""Ground truth: the inventory phiwatch should find, computed from the simulator's own records.

Seen endpoints come from what the scheduler actually emitted (method, host, template, auth
kind per exchange), never from re-parsing URLs. Spec endpoints come from the two documents
as written, read with the derivation rules in ``phiwatch``'s contract (re-implemented here,
deliberately independent of ``phiwatch.discovery``).

Status rules, per ``(method, host, path)``:

* ``documented``: seen, and in a spec operation not marked deprecated (when a path is in both
  specs it is documented if either documents it undeprecated);
* ``zombie``: seen, and every matching spec operation is marked ``deprecated``, or the path is
  an older version (``/v1/...``) of a path whose newer version (``/v2/...``) is in a spec;
* ``shadow``: seen, and in no spec (the lab's ``/internal/...`` API, ``/healthz``);
* ``orphan``: in a spec, never seen (deprecated or not). Its ``path`` is the spec's own: the
  base path plus the OpenAPI path with the spec's parameter names, or for the
  CapabilityStatement the FHIR pattern with ``{id}``/``{vid}``; when an unseen endpoint is in
  both specs, the CapabilityStatement's form is used.

Matching a seen template against a spec path ignores parameter names (both sides become
``{}``). ``requests`` counts emitted exchanges; ``auth`` is the sorted set of auth kinds sent.

PHI truth (``phi.py`` says what each body carries): per endpoint ``phi``, the sorted categories
its responses carried, and ``phi_in_url``, whether a request put PHI in its path or query; per
client (``clients``: ``client:<client_id>`` for SMART JWTs, ``<auth kind>:<application>``
otherwise, ``anonymous``), the categories it received, the endpoints that sent them and the
exact number of distinct patients whose data it received.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from phiwatch.simulate.exchange import Emitted

_PARAM = re.compile(r"\{[^{}/]*\}")  # on short spec paths only
_VERSION = re.compile(r"/v(\d+)(?=/|$)")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# CapabilityStatement interaction -> (method, suffix after /{type})
TYPE_INTERACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "read": (("GET", "/{id}"),),
    "vread": (("GET", "/{id}/_history/{vid}"),),
    "update": (("PUT", "/{id}"),),
    "patch": (("PATCH", "/{id}"),),
    "delete": (("DELETE", "/{id}"),),
    "history-instance": (("GET", "/{id}/_history"),),
    "history-type": (("GET", "/_history"),),
    "create": (("POST", ""),),
    "search-type": (("GET", ""), ("POST", "/_search")),
}
SYSTEM_INTERACTIONS = {
    "transaction": ("POST", "/"),
    "batch": ("POST", "/"),
    "history-system": ("GET", "/_history"),
    "search-system": ("GET", "/"),
}
PATIENT_COMPARTMENT = "http://hl7.org/fhir/CompartmentDefinition/patient"


@dataclass(slots=True)
class SpecEndpoint:
    method: str
    host: str
    path: str  # as the spec writes it (full path, spec's parameter names)
    deprecated: bool
    source: str  # "openapi" | "capability"


@dataclass(slots=True)
class Seen:
    requests: int = 0
    auth: set[str] = field(default_factory=set)
    statuses: dict[int, int] = field(default_factory=dict)
    phi: set[str] = field(default_factory=set)
    phi_in_url: bool = False


@dataclass(slots=True)
class Flow:
    """What one client received: categories, endpoints (``METHOD host path``), patient ids."""

    auth: str
    phi: set[str] = field(default_factory=set)
    endpoints: set[str] = field(default_factory=set)
    patients: set[str] = field(default_factory=set)
    responses: int = 0  # responses that carried PHI


def shape(path: str) -> str:
    """A path with every ``{param}`` replaced by ``{}``: equal shapes match."""
    return _PARAM.sub("{}", path)


def _split(url: str) -> tuple[str, str]:
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    return host.lower(), "/" + path.rstrip("/") if path.strip("/") else ""


def _join(base: str, path: str) -> str:
    return (base.rstrip("/") + "/" + path.lstrip("/")) if path != "/" else (base or "/")


def openapi_endpoints(doc: dict[str, object]) -> list[SpecEndpoint]:
    out: list[SpecEndpoint] = []
    root = doc.get("servers") or [{"url": ""}]
    paths = doc.get("paths")
    assert isinstance(paths, dict) and isinstance(root, list)
    for path, item in paths.items():
        servers = item.get("servers") or root
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            servers_op = op.get("servers") or servers
            for server in servers_op:
                host, base = _split(str(server["url"]))
                out.append(
                    SpecEndpoint(
                        method.upper(), host, _join(base, path), bool(op.get("deprecated")), "openapi"
                    )
                )
    return out


def capability_endpoints(cs: dict[str, object]) -> list[SpecEndpoint]:
    impl = cs.get("implementation")
    assert isinstance(impl, dict)
    host, base = _split(str(impl["url"]))
    found: dict[tuple[str, str], None] = {}

    def add(method: str, path: str) -> None:
        found[(method, _join(base, path))] = None

    rests = cs.get("rest")
    assert isinstance(rests, list)
    add("GET", "/metadata")
    for rest in rests:
        searchable: list[str] = []
        for r in rest.get("resource", []):
            rtype = r["type"]
            for inter in r.get("interaction", []):
                for method, suffix in TYPE_INTERACTIONS.get(inter["code"], ()):
                    add(method, f"/{rtype}{suffix}")
                if inter["code"] == "search-type":
                    searchable.append(rtype)
            for op in r.get("operation", []):
                name = op["name"]
                if name == "everything":
                    add("GET", f"/{rtype}/{{id}}/$everything")
                    add("POST", f"/{rtype}/{{id}}/$everything")
                elif name == "export" and rtype == "Patient":
                    add("GET", "/Patient/$export")
                elif name == "export" and rtype == "Group":
                    add("GET", "/Group/{id}/$export")
                elif name == "lastn":
                    add("GET", f"/{rtype}/$lastn")
                    add("POST", f"/{rtype}/$lastn")
        for inter in rest.get("interaction", []):
            if inter["code"] in SYSTEM_INTERACTIONS:
                add(*SYSTEM_INTERACTIONS[inter["code"]])
        for op in rest.get("operation", []):
            if op["name"] == "export":
                add("GET", "/$export")
        if PATIENT_COMPARTMENT in rest.get("compartment", []):
            for rtype in searchable:
                if rtype != "Patient":  # /Patient/{id}/Patient is not a compartment search
                    add("GET", f"/Patient/{{id}}/{rtype}")
    return [SpecEndpoint(m, host, p, False, "capability") for m, p in found]


def _older_version_of_spec_path(
    path: str, spec_shapes: set[tuple[str, str, str]], method: str, host: str
) -> bool:
    m = _VERSION.search(path)
    if m is None:
        return False
    n = int(m.group(1))
    for newer in range(n + 1, n + 4):
        cand = path[: m.start()] + f"/v{newer}" + path[m.end() :]
        if (method, host, shape(cand)) in spec_shapes:
            return True
    return False


def build(
    seen: dict[tuple[str, str, str], Seen], specs: Iterable[SpecEndpoint], *, with_phi: bool = False
) -> list[dict[str, object]]:
    """The truth rows, sorted by (host, path, method); ``with_phi`` adds ``phi`` and ``phi_in_url``."""
    by_shape: dict[tuple[str, str, str], list[SpecEndpoint]] = {}
    for s in specs:
        by_shape.setdefault((s.method, s.host, shape(s.path)), []).append(s)
    rows: list[dict[str, object]] = []
    matched: set[tuple[str, str, str]] = set()
    for (method, host, template), info in seen.items():
        key = (method, host, shape(template))
        ops = by_shape.get(key)
        if ops:
            matched.add(key)
            if any(not o.deprecated for o in ops) and not _older_version_of_spec_path(
                template, set(by_shape), method, host
            ):
                status = "documented"
            else:
                status = "zombie"
        else:
            status = (
                "zombie" if _older_version_of_spec_path(template, set(by_shape), method, host) else "shadow"
            )
        rows.append(_row(method, host, template, status, info, with_phi))
    for key, ops in by_shape.items():
        if key in matched:
            continue
        cap = [o for o in ops if o.source == "capability"]
        spec = cap[0] if cap else ops[0]
        rows.append(_row(spec.method, spec.host, spec.path, "orphan", Seen(), with_phi))
    rows.sort(key=lambda r: (str(r["host"]), str(r["path"]), str(r["method"])))
    return rows


def _row(method: str, host: str, path: str, status: str, info: Seen, with_phi: bool) -> dict[str, object]:
    row: dict[str, object] = {
        "method": method,
        "host": host,
        "path": path,
        "status": status,
        "requests": info.requests,
        "auth": sorted(info.auth),
        "statuses": {str(k): v for k, v in sorted(info.statuses.items())},
    }
    if with_phi:
        row["phi"] = sorted(info.phi)
        row["phi_in_url"] = info.phi_in_url
    return row


def record(
    seen: dict[tuple[str, str, str], Seen], em: Emitted, status: int, flows: dict[str, Flow] | None = None
) -> None:
    key = (em.method, em.host, em.template)
    s = seen.get(key)
    if s is None:
        s = seen[key] = Seen()
    s.requests += 1
    s.auth.add(em.auth)
    s.statuses[status] = s.statuses.get(status, 0) + 1
    phi = em.phi
    if phi.url:
        s.phi_in_url = True
    if not phi.categories:
        return
    s.phi |= phi.categories
    if flows is not None:
        flow = flows.get(em.client)
        if flow is None:
            flow = flows[em.client] = Flow(em.auth)
        flow.phi |= phi.categories
        flow.endpoints.add(f"{em.method} {em.host}{em.template}")
        flow.patients |= phi.patients
        flow.responses += 1


def clients(flows: dict[str, Flow]) -> list[dict[str, object]]:
    """The ``clients`` rows, sorted by client."""
    return [
        {
            "client": name,
            "auth": f.auth,
            "phi": sorted(f.phi),
            "endpoints": sorted(f.endpoints),
            "patients": len(f.patients),
            "responses": f.responses,
        }
        for name, f in sorted(flows.items())
    ]
