"""The ``posture_observe`` stage: per-endpoint and per-host facts the posture checks need.

Placed after classify (it reads ``event.endpoint``, ``event.identity`` and ``event.phi``).
Each event costs a few dictionary updates; bodies are decoded only when a fact needs them
(an error status, a page size above the cap, a bounded sample for field names), and scanned
with hyperscan, never ``re``. State is capped and keeps no raw value: see ``facts.py``.
"""

from __future__ import annotations

import re
from typing import Any, Protocol
from urllib.parse import unquote_plus

import msgspec

from phiwatch.model import AUTH_JWT, AUTH_NONE, EndpointKey, Event, Identity
from phiwatch.posture import signatures, vocab
from phiwatch.posture.facts import EndpointFacts, HostFacts, ObservedState
from phiwatch.posture.options import PostureOptions
from phiwatch.sketch import hash64

STATE_VERSION = 1
MAX_ID_HASHES = 512
MAX_PATIENTS_PER_OBJECT = 8
MAX_JSON_BYTES = 2 << 20
MAX_HOSTS = 10_000
SMART_CONFIG = "/.well-known/smart-configuration"
_NO_IDENTITY = Identity()
_decode_any = msgspec.json.Decoder()
_state_enc = msgspec.msgpack.Encoder()
_state_dec = msgspec.msgpack.Decoder(ObservedState)


def _bump(d: dict[str, int], key: str, n: int = 1) -> None:
    d[key] = d.get(key, 0) + n


def _h(value: str) -> str:
    return f"{hash64(value):016x}"


def query_pairs(query: str) -> list[tuple[str, str]]:
    out = []
    plain = "%" not in query and "+" not in query  # then unquote_plus changes nothing: skip it
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name:
            if plain:
                out.append((name.lower(), value))
            else:
                out.append((unquote_plus(name).lower(), unquote_plus(value)))
    return out


# The ASCII form of the field-name rule below, as one C-level match per key (keys are short).
_ASCII_FIELD = re.compile(r"[A-Za-z_$@][A-Za-z0-9_\-.$@]{0,63}")
_THREE_DIGITS = re.compile(r"[0-9][^0-9]*[0-9][^0-9]*[0-9]")


def _is_field_name(key: str) -> bool:
    """Field names only: map keys that are values (ids, MRNs, emails) are never kept."""
    if key.isascii():
        return _ASCII_FIELD.fullmatch(key) is not None and _THREE_DIGITS.search(key) is None
    if not 0 < len(key) <= 64 or not (key[0].isalpha() or key[0] in "_$@"):
        return False
    return sum(c.isdigit() for c in key) < 3 and all(c.isalnum() or c in "_-.$@" for c in key)


def _hit_field_name(field: str) -> str | None:
    """The last key of a ``PhiHit.field`` path (``$.patient.ssn`` -> ``ssn``) when it is a
    field name. Names that pass are memoised (a few hundred recur across events; they are what
    the facts keep anyway); the rest are checked each time, so no value-like key is held."""
    last = field.rsplit(".", 1)[-1].split("[", 1)[0]
    if last in _FIELD_NAMES:
        return last
    if not _is_field_name(last):
        return None
    if len(_FIELD_NAMES) >= _MAX_FIELD_NAMES:
        _FIELD_NAMES.clear()
    _FIELD_NAMES.add(last)
    return last


_MAX_FIELD_NAMES = 4096
_FIELD_NAMES: set[str] = set()


def walk_keys(doc: Any, out: set[str], depth: int = 0) -> None:
    """Field names at depth <= 4 (arrays: their first three items)."""
    if depth > 4 or len(out) > 400:
        return
    if isinstance(doc, dict):
        for k, v in doc.items():
            if isinstance(k, str) and _is_field_name(k):
                out.add(k)
            if isinstance(v, dict | list):
                walk_keys(v, out, depth + 1)
    elif isinstance(doc, list):
        for item in doc[:3]:
            walk_keys(item, out, depth + 1)


def _items_and_next(doc: Any, link_header: str) -> tuple[int, bool]:
    """How many items a list response carries, and whether it offers a next page."""
    has_next = 'rel="next"' in link_header or "rel=next" in link_header
    if isinstance(doc, list):
        return len(doc), has_next
    if not isinstance(doc, dict):
        return 0, has_next
    if isinstance(doc.get("entry"), list):  # FHIR Bundle
        links = doc.get("link")
        if isinstance(links, list):
            has_next = has_next or any(isinstance(x, dict) and x.get("relation") == "next" for x in links)
        return len(doc["entry"]), has_next
    for name in ("data", "items", "results", "records", "value", "content"):
        if isinstance(doc.get(name), list):
            nxt = doc.get("next") or doc.get("nextLink") or doc.get("@odata.nextLink")
            links = doc.get("links")
            if isinstance(links, dict) and links.get("next"):
                nxt = links["next"]
            return len(doc[name]), has_next or bool(nxt)
    return 0, has_next


class JsonDocs(Protocol):
    """Bodies already decoded for this event (``ClassifyStage``, which runs first)."""

    def json_doc(self, body: bytes) -> Any:
        """The generic JSON document of this very body object, or None when not decoded."""


def _decode(body: bytes | None, docs: JsonDocs | None = None) -> Any:
    if not body or len(body) > MAX_JSON_BYTES or body.lstrip()[:1] not in (b"{", b"["):
        return None
    if docs is not None:
        doc = docs.json_doc(body)
        if doc is not None:  # a body never parses again differently: reuse, do not decode twice
            return doc
    try:
        return _decode_any.decode(body)
    except msgspec.DecodeError:
        return None


def _size(event: Event) -> int:
    resp = event.response
    size = max(len(resp.body or b""), resp.body_size or 0)
    cl = resp.headers.get("content-length", "")
    if cl.isdigit():
        size = max(size, int(cl))
    return size


def path_id(template: str, path: str) -> str | None:
    """The value under the first ``{id}`` of the template, when the path lines up with it."""
    t = template.split("/")
    p = path.split("/")
    if len(t) != len(p):
        return None
    for ts, ps in zip(t, p, strict=True):
        if ts == "{id}":
            return ps
    return None


def is_url_value(value: str) -> bool:
    """An absolute URL, but not a FHIR token (``system|code``) whose system is a URI."""
    return value.startswith(("http://", "https://")) and "|" not in value


def has_system_scope(ident: Identity) -> bool:
    return any(s.startswith("system/") for s in ident.scopes)


def is_admin(ident: Identity) -> bool:
    return any("admin" in r.lower() for r in ident.roles) or any("admin" in s.lower() for s in ident.scopes)


def is_smart(ident: Identity) -> bool:
    if ident.kind != AUTH_JWT:
        return False
    scopes = ident.scopes
    known = _SMART_SCOPES.get(scopes)
    if known is None:  # a few scope sets recur on every request of their clients
        known = any(vocab.is_smart_scope(s) for s in scopes)
        if len(_SMART_SCOPES) >= 4096:
            _SMART_SCOPES.clear()
        _SMART_SCOPES[scopes] = known
    return known


_SMART_SCOPES: dict[tuple[str, ...], bool] = {}


class _Template(msgspec.Struct, frozen=True):
    """What an endpoint's template says once, for every event of it (not persisted)."""

    admin: bool  # vocab.is_admin_path
    patient_access: bool  # its FHIR type is one a patient's data is read through
    fhir: bool  # it has a FHIR type at all (SMART discovery lives at FHIR bases)
    segments: int  # number of "/"-separated segments
    id_at: int  # index of the first "{id}" segment, -1 when none


def _template(path: str) -> _Template:
    segs = path.split("/")
    ftype = vocab.fhir_type(path)
    return _Template(
        vocab.is_admin_path(path),
        ftype in vocab.PATIENT_ACCESS_TYPES,
        bool(ftype),
        len(segs),
        segs.index("{id}") if "{id}" in segs else -1,
    )


def _versioned(value: str) -> bool:
    """A Server/X-Powered-By value that names a version (has a digit), memoised: a host sends
    the same few values on every response, and they are software names, not PHI."""
    known = _VERSIONED.get(value)
    if known is None:
        known = any(c.isdigit() for c in value) and len(value) <= 120
        if len(_VERSIONED) >= 1024:
            _VERSIONED.clear()
        _VERSIONED[value] = known
    return known


_VERSIONED: dict[str, bool] = {}
_SERVER_HEADERS = ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version")


class ObserveStage:
    """Pipeline stage ``posture_observe``: folds each event into bounded facts."""

    name = "posture_observe"

    def __init__(self, options: PostureOptions | None = None, json_docs: JsonDocs | None = None) -> None:
        self.options = options or PostureOptions()
        self.json_docs = json_docs  # e.g. the ClassifyStage before it: bodies it already decoded
        self.endpoints: dict[EndpointKey, EndpointFacts] = {}
        self.hosts: dict[str, HostFacts] = {}
        self.dropped = 0
        self._templates: dict[str, _Template] = {}  # by template path, derived, not persisted
        # id(facts) -> (its id_hashes list, the same hashes as a set); checked by list identity
        self._id_sets: dict[int, tuple[list[int], set[int]]] = {}

    # -- persistence ---------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        state = ObservedState(STATE_VERSION, list(self.endpoints.items()), self.hosts, self.dropped)
        return _state_enc.encode(state)

    @classmethod
    def from_bytes(
        cls, data: bytes, options: PostureOptions | None = None, json_docs: JsonDocs | None = None
    ) -> ObserveStage:
        stage = cls(options, json_docs)
        state = _state_dec.decode(data)
        if state.version != STATE_VERSION:  # older layout: start afresh rather than misread
            return stage
        stage.endpoints = dict(state.endpoints)
        stage.hosts = dict(state.hosts)
        stage.dropped = state.dropped
        return stage

    def remap(self, key_of: Any) -> None:
        """Re-key endpoints (``key_of(EndpointKey) -> EndpointKey``) after templates were
        learned; facts of endpoints that fold together are merged by keeping the larger."""
        merged: dict[EndpointKey, EndpointFacts] = {}
        for key, facts in self.endpoints.items():
            new = key_of(key)
            if new in merged:
                merged[new] = _merge(merged[new], facts)
            else:
                merged[new] = facts
        self.endpoints = merged
        self._id_sets.clear()

    # -- per event -----------------------------------------------------------------------
    def _facts(self, key: EndpointKey) -> EndpointFacts | None:
        f = self.endpoints.get(key)
        if f is None:
            if len(self.endpoints) >= self.options.max_endpoints:
                self.dropped += 1
                return None
            f = self.endpoints[key] = EndpointFacts()
        return f

    def _host(self, host: str) -> HostFacts | None:
        h = self.hosts.get(host)
        if h is None:
            if len(self.hosts) >= MAX_HOSTS:
                return None
            h = self.hosts[host] = HostFacts()
        return h

    def process(self, event: Event) -> None:
        key = event.endpoint
        if key is None:
            return
        f = self._facts(key)
        if f is None:
            return
        opts = self.options
        req, resp = event.request, event.response
        ident = event.identity or _NO_IDENTITY
        status = resp.status
        ok = 200 <= status < 300
        scheme = (req.scheme or "https").lower()
        anonymous = ident.kind == AUTH_NONE
        f.requests += 1
        if ok:
            f.ok += 1
        _bump(f.schemes, scheme)

        resp_phi: set[str] = set()
        if event.phi:
            phi_fields = f.phi_fields
            for hit in event.phi:
                if hit.location == "response_body":
                    resp_phi.add(hit.category)
                    if hit.field:
                        name = _hit_field_name(hit.field)
                        if name is not None and (name in phi_fields or len(phi_fields) < opts.max_fields):
                            phi_fields[name] = phi_fields.get(name, 0) + 1
                else:
                    _bump(f.request_phi, hit.category)
                    if hit.location in ("path", "query"):
                        _bump(f.url_phi, hit.category)
            for cat in resp_phi:
                _bump(f.response_phi, cat)

        # API2: who may call, and how the credential travels
        if ok and resp_phi and anonymous:
            f.anon_ok_phi += 1
        if ident.location.startswith("query:"):
            _bump(f.cred_in_url, ident.location[6:])
        if scheme == "http" and not anonymous:
            _bump(f.cleartext_cred, ident.kind)
        if ident.kind == AUTH_JWT:
            if (ident.alg or "").lower() == "none":
                f.jwt_alg_none += 1
            if ident.expires_at is None:
                f.jwt_no_exp += 1
            elif ident.issued_at is not None:
                f.jwt_max_lifetime_s = max(f.jwt_max_lifetime_s, ident.expires_at - ident.issued_at)

        # API4 / API6: throttling and rates
        if status == 429 or (status == 503 and "retry-after" in resp.headers):
            f.throttled += 1
        actor = ident.actor or f"ip:{event.client_ip}"
        minute = int(event.ts // 60)
        win = f.rate_windows.get(actor)
        if win is not None and win[0] == minute:
            n = win[1] + 1
        else:
            n = 1
            if win is None and len(f.rate_windows) >= opts.max_actors_per_endpoint:
                f.rate_windows.clear()  # the peak so far is kept; windows restart
        f.rate_windows[actor] = (minute, n)
        if n > f.peak_rate:
            f.peak_rate = n

        pairs = query_pairs(req.query) if req.query else []
        self._paging(f, event, pairs, ok)
        size = len(resp.body) if resp.body else 0  # as _size(event), without a call
        if resp.body_size and resp.body_size > size:
            size = resp.body_size
        cl = resp.headers.get("content-length")
        if cl and cl.isdigit() and int(cl) > size:
            size = int(cl)
        f.max_response_bytes = max(f.max_response_bytes, size)
        if size > opts.large_response_bytes:
            f.large_responses += 1

        # API5
        tpl = self._templates.get(key.path)
        if tpl is None:
            if len(self._templates) >= 4 * self.options.max_endpoints:
                self._templates.clear()
            tpl = self._templates[key.path] = _template(key.path)
        if ok and tpl.admin and not is_admin(ident):
            f.admin_non_admin_ok += 1
        # API7
        for name, value in pairs:
            carries_url = name in vocab.URL_PARAMS or is_url_value(value)
            if carries_url and (name in f.url_params or len(f.url_params) < 50):
                _bump(f.url_params, name)
        if req.body and len(req.body) <= 65536 and req.body.lstrip()[:1] == b"{":
            body = _decode(req.body, self.json_docs)
            if isinstance(body, dict):
                for name, value in body.items():
                    if (
                        isinstance(name, str)
                        and _is_field_name(name)
                        and (
                            name.lower() in vocab.URL_PARAMS
                            or (isinstance(value, str) and is_url_value(value))
                        )
                    ):
                        _bump(f.url_params, name.lower())
                if ok and req.method in ("POST", "PUT", "PATCH") and f.write_key_samples < opts.key_samples:
                    f.write_key_samples += 1
                    names: set[str] = set()
                    walk_keys(body, names)
                    for nm in names:
                        if nm in f.request_fields or len(f.request_fields) < opts.max_fields:
                            _bump(f.request_fields, nm)
        # API8
        if ok and req.method == "TRACE":
            f.trace_ok += 1
        if resp.body and (status >= 400 or "html" in resp.headers.get("content-type", "")):
            for label in signatures.scan(resp.body[: opts.body_scan_bytes]):
                _bump(f.error_signatures, label)
        acao = resp.headers.get("access-control-allow-origin", "")
        if acao == "*" and resp.headers.get("access-control-allow-credentials", "").lower() == "true":
            f.cors_wildcard_creds += 1

        # API1: guessable ids and objects shared across patient contexts
        if ok and tpl.id_at >= 0:
            segs = req.path.split("/")
            if len(segs) == tpl.segments:  # as path_id(key.path, req.path)
                self._ids(f, segs[tpl.id_at], ident)

        # Healthcare
        path = req.path
        if "$export" in path and status in (200, 202) and not has_system_scope(ident):
            f.export_no_system_ok += 1
        if (
            "$everything" in path
            and ok
            and not anonymous
            and not ident.patient
            and not has_system_scope(ident)
        ):
            f.everything_no_patient_ok += 1
        smart = is_smart(ident)
        if ok and resp_phi and not anonymous and tpl.patient_access and not smart:
            _bump(f.non_smart_phi_ok, ident.kind)

        # API3: field names of JSON (non-FHIR) responses, sampled
        ctype = resp.headers.get("content-type", "")
        if ok and f.key_samples < opts.key_samples and "json" in ctype and "fhir" not in ctype:
            doc = _decode(resp.body, self.json_docs)
            if doc is not None:
                f.key_samples += 1
                names = set()
                walk_keys(doc, names)
                for nm in names:
                    if nm in f.response_fields or len(f.response_fields) < opts.max_fields:
                        _bump(f.response_fields, nm)

        self._host_facts(event, key, smart and tpl.fhir, scheme, status)

    def _paging(self, f: EndpointFacts, event: Event, pairs: list[tuple[str, str]], ok: bool) -> None:
        opts = self.options
        asked = 0
        unpaged: str | None = None
        for name, value in pairs:
            if name in vocab.PAGE_PARAMS and value.isdigit():
                if int(value) > opts.page_size_cap:
                    asked = int(value)
                    f.page_param = name
            elif name == "_include" and (value == "*" or value.endswith(":*")):
                unpaged = "_include=*"
            elif name.startswith("_revinclude"):
                unpaged = "_revinclude"
        if "$everything" in event.request.path:
            unpaged = "$everything"
        if not ok or (not asked and unpaged is None):
            return
        doc = _decode(event.response.body, self.json_docs)
        if doc is None:
            return
        items, has_next = _items_and_next(doc, event.response.headers.get("link", ""))
        if asked and items > opts.page_size_cap:
            f.page_unbounded += 1
            f.page_max_items = max(f.page_max_items, items)
        if unpaged is not None and not has_next and items > opts.unpaged_min_entries:
            _bump(f.unpaged, unpaged)
            f.unpaged_max_entries = max(f.unpaged_max_entries, items)

    def _ids(self, f: EndpointFacts, rid: str, ident: Identity) -> None:
        if rid.isdigit() and len(rid) <= 15:
            f.numeric_ids += 1
            v = int(rid)
            f.id_min = v if f.id_min < 0 else min(f.id_min, v)
            f.id_max = max(f.id_max, v)
            if len(f.id_hashes) < MAX_ID_HASHES:
                h = hash64(rid)
                seen = self._id_sets.get(id(f))
                if seen is None or seen[0] is not f.id_hashes:  # new, loaded or merged facts
                    seen = self._id_sets[id(f)] = (f.id_hashes, set(f.id_hashes))
                if h not in seen[1]:  # a set beside the persisted list: no scan of 512 ints
                    f.id_hashes.append(h)
                    seen[1].add(h)
        else:
            f.other_ids += 1
        if ident.patient is None or ident.patient == rid:
            return
        obj = _h(rid)
        readers = f.objects.get(obj)
        if readers is None:
            if len(f.objects) >= self.options.max_objects_per_endpoint:
                return
            readers = f.objects[obj] = []
        ctx = _h(ident.patient)
        if ctx not in readers and len(readers) < MAX_PATIENTS_PER_OBJECT:
            readers.append(ctx)
            if len(readers) == self.options.shared_object_patients:
                f.shared_objects += 1

    def _host_facts(self, event: Event, key: EndpointKey, smart_fhir: bool, scheme: str, status: int) -> None:
        h = self._host(key.host)
        if h is None:
            return
        headers = event.response.headers
        if scheme == "http":
            h.http_requests += 1
        if headers and status:
            h.responses += 1
            if scheme == "https":
                h.https_responses += 1
                if "strict-transport-security" not in headers:
                    h.no_hsts += 1
            if headers.get("x-content-type-options", "").lower() != "nosniff":
                h.no_nosniff += 1
            for name in _SERVER_HEADERS:
                value = headers.get(name)
                if value and _versioned(value):
                    label = f"{name}: {value}"
                    if label in h.server_versions or len(h.server_versions) < 20:
                        _bump(h.server_versions, label)
        if smart_fhir:  # a SMART-scoped token at a FHIR base, where SMART discovery lives
            h.smart_tokens += 1
        if event.request.path.endswith(SMART_CONFIG):
            h.smart_config_path = key.path
            if 200 <= status < 300:
                h.smart_config_ok += 1
            elif status in (404, 410):
                h.smart_config_missing += 1


def _merge(a: EndpointFacts, b: EndpointFacts) -> EndpointFacts:
    """Combine facts of two templates that turned out to be one endpoint."""
    out = msgspec.structs.replace(a)
    for field in a.__struct_fields__:
        va, vb = getattr(a, field), getattr(b, field)
        if isinstance(va, bool | str):
            setattr(out, field, va or vb)
        elif field in ("id_min",):
            setattr(out, field, min(x for x in (va, vb) if x >= 0) if max(va, vb) >= 0 else -1)
        elif field in (
            "peak_rate",
            "jwt_max_lifetime_s",
            "page_max_items",
            "unpaged_max_entries",
            "max_response_bytes",
            "id_max",
        ):
            setattr(out, field, max(va, vb))
        elif isinstance(va, int | float):
            setattr(out, field, va + vb)
        elif isinstance(va, dict):
            merged = dict(va)
            for k, v in vb.items():
                if isinstance(v, int) and isinstance(merged.get(k), int):
                    merged[k] += v
                else:
                    merged.setdefault(k, v)
            setattr(out, field, merged)
        elif isinstance(va, list):
            setattr(out, field, list(dict.fromkeys(va + vb))[:MAX_ID_HASHES])
    return out
