"""What every runtime detector shares: options, policy, the clock guard, the per-event view,
bounded state and alert aggregation.

A detector is a pipeline stage (``name``, ``process(event)``) registered in ``DETECTORS`` by
its module (one module per detector, named after it). Detectors never append a fresh alert
per event: each keeps an ``AlertBook`` in which one ``Alert`` per (actor, endpoint, window)
is updated in place (count, first/last seen, highest severity, latest evidence). The event
gets a reference to that same aggregated alert in ``event.alerts`` (so an inline ``decide``
stage sees ``action == "deny"`` on the event that tripped it); the run's result is
``detector.alerts()``, which is what the store should persist, not the per-event lists.

Time: event timestamps may be out of order, absurd or jump. ``Clock`` keeps a monotone "now";
small lateness is tolerated, large lateness is clamped to now, absurd values are skipped, a
far-future stamp is skipped unless a few consecutive events confirm it (a real clock jump).
Everything skipped or clamped is counted in ``DetectContext.skipped``.

Memory: every per-actor or per-endpoint table is an ``Lru`` with a cap (``max_keys``); the
alert book has a cap too. Evictions are counted, never silent.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from phiwatch.detect.fhir_compartment import RESOURCE_TYPES
from phiwatch.detect.options import SEVERITY_RANK, DetectOptions
from phiwatch.errors import ConfigError
from phiwatch.model import Alert, EndpointKey, Event, Identity, Request, Response
from phiwatch.registry import Registry

MIN_TS = 946_684_800.0  # 2000-01-01: older stamps are broken clocks, not history
MAX_TS = 4_102_444_800.0  # 2100-01-01
JUMP_CONFIRM = 3  # consecutive far-future events that make a clock jump real
MEMO_IDS = 128  # ownership answers memoised per actor (see _Received)


K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A dict capped at ``cap`` keys; the oldest inserted key goes first. Windowed state is
    re-put when its window rolls, so an active key stays young (near-LRU: ``get`` does not
    reorder).

    An OrderedDict, not a plain dict: evicting a plain dict's first key walks past the slots
    its earlier evictions left empty (``next(iter(d))``), 1 us at 2k keys and 30 us at 100k
    per insert once full; ``popitem(last=False)`` is O(1). Compiled, ``get`` is a direct
    dict lookup (mypyc reads an OrderedDict's storage as a dict's)."""

    __slots__ = ("_d", "cap", "evicted")

    def __init__(self, cap: int) -> None:
        self._d: OrderedDict[K, V] = OrderedDict()
        self.cap = max(1, cap)
        self.evicted = 0

    def get(self, key: K) -> V | None:
        return self._d.get(key)

    def put(self, key: K, value: V) -> V:
        d = self._d
        d[key] = value
        d.move_to_end(key)  # re-inserted: now the youngest
        if len(d) > self.cap:
            d.popitem(last=False)
            self.evicted += 1
        return value

    def setdefault(self, key: K, factory: Callable[[], V]) -> V:
        v = self._d.get(key)
        return v if v is not None else self.put(key, factory())

    def values(self) -> list[V]:
        return list(self._d.values())

    def __len__(self) -> int:
        return len(self._d)

    def __contains__(self, key: object) -> bool:
        return key in self._d


class Clock:
    """A monotone "now" over event timestamps that may be late, absurd or jump."""

    __slots__ = ("max_future", "max_late", "now", "skipped", "votes")

    def __init__(self, max_late_s: float, max_future_s: float, skipped: Counter[str]) -> None:
        self.now: float | None = None
        self.max_late = max_late_s
        self.max_future = max_future_s
        self.votes = 0
        self.skipped = skipped

    def tick(self, ts: float) -> float | None:
        """The time to use for this event, or None to skip it (counted)."""
        if not (MIN_TS <= ts <= MAX_TS) or math.isnan(ts):
            self.skipped["absurd_timestamp"] += 1
            return None
        now = self.now
        if now is None or now <= ts <= now + self.max_future:
            self.now = ts
            self.votes = 0
            return ts
        if ts > now:
            self.votes += 1
            if self.votes >= JUMP_CONFIRM:  # several in a row: the clock really moved
                self.skipped["clock_jump"] += 1
                self.votes = 0
                self.now = ts
                return ts
            self.skipped["future_timestamp"] += 1
            return None
        self.votes = 0
        if now - ts > self.max_late:
            self.skipped["late_clamped"] += 1
            return now
        return ts


def _id_like(seg: str) -> bool:
    """Path segments that name one object (digits, UUIDs, long hex or mixed tokens)."""
    if not seg:
        return False
    if seg.isdigit():
        return True
    n = len(seg)
    if n == 36 and seg.count("-") == 4:
        return True
    if n >= 16 and all(c in "0123456789abcdefABCDEF-" for c in seg):
        return True
    return n >= 8 and any(c.isdigit() for c in seg) and any(c.isalpha() for c in seg) and "." not in seg


def fallback_template(path: str) -> str:
    """A path template when discovery did not set ``event.endpoint`` (unit tests, raw use)."""
    segs = path.split("/")
    out: list[str] = []
    n = 0
    for s in segs:
        if _id_like(s):
            n += 1
            out.append("{id}" if n == 1 else f"{{id{n}}}")
        else:
            out.append(s)
    return "/".join(out)


class View:
    """What detectors read from one event, computed once and shared by all of them."""

    __slots__ = (
        "actor",
        "allowlisted",
        "endpoint",
        "event",
        "ident",
        "ip",
        "method",
        "oid",
        "op",
        "owned",
        "path",
        "query",
        "request",
        "response",
        "rid",
        "rtype",
        "status",
        "system_scope",
        "t",
        "tpath",
        "window",
    )

    # Annotations only: ``DetectContext.view`` fills every slot (no __init__ call per event).
    event: Event
    t: float
    window: int
    actor: str
    ip: str
    ident: Identity | None
    endpoint: EndpointKey
    tpath: str  # endpoint.path, the template
    request: Request
    response: Response
    method: str
    path: str
    query: str
    rtype: str  # FHIR resource type in the path, "" when none
    rid: str  # FHIR id after the type, "" for searches and operations
    op: str  # the path's last segment when it is an operation ("$everything"), else ""
    oid: str  # the object id at the template's first {id}, "" when none
    owned: bool | None  # oid seen in a list this actor received (lazy)
    status: int
    allowlisted: bool
    system_scope: bool  # SMART backend services: population-level by design


def actor_of(ident: Identity | None, ip: str) -> str:
    """The alert actor: the credential's actor, refined by subject when a client is shared by
    many users (a patient app); the client IP when there is no credential."""
    if ident is not None:
        base = ident.actor
        if base:
            sub = ident.subject
            if ident.client_id and sub and sub != ident.client_id and ident.subject_key:
                return f"{base} sub:{ident.subject_key}"
            return base
    return f"ip:{ip}" if ip else "ip:unknown"


def _shape(template: str) -> tuple[int, int]:
    """(segments, index of the first ``{id...}`` segment or -1) of a path template: the object
    id of a path is its segment at that index when it has as many segments."""
    tsegs = template.split("/")
    for i, tseg in enumerate(tsegs):
        if tseg.startswith("{id"):
            return len(tsegs), i
    return len(tsegs), -1


class _Received:
    """Recent 2xx collection bodies one actor received (lists, searches, exports).

    Bodies are numbered in arrival order (``base`` is the number of ``bodies[0]``) so an
    ownership answer can be memoised exactly: per object id, ``memo`` holds (bodies checked up
    to, newest body holding the id or -1). Bodies leave oldest first, so the id is still owned
    while that newest hit is present, and a later question only scans bodies that arrived since.
    """

    __slots__ = ("base", "bodies", "memo", "size")

    def __init__(self) -> None:
        self.bodies: deque[bytes] = deque()
        self.size = 0
        self.base = 0
        self.memo: dict[str, tuple[int, int]] | None = None  # made on the first question


class DetectContext:
    """Per-run helpers every detector shares: options, clock, view cache, keyed hash, and
    object ownership: an object id an actor first saw in a list it received is its own."""

    def __init__(
        self, options: DetectOptions | None = None, hasher: Callable[[str], str] | None = None
    ) -> None:
        self.options = options or DetectOptions()
        self.skipped: Counter[str] = Counter()
        self.clock = Clock(self.options.max_late_s, self.options.max_future_s, self.skipped)
        self._key = secrets.token_bytes(32)
        self._hasher = hasher
        self._nets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for cidr in self.options.allowlist:
            try:
                self._nets.append(ipaddress.ip_network(cidr, strict=False))
            except ValueError:
                raise ConfigError(f"allowlist: not an IP or CIDR: {cidr!r}") from None
        if self.options.window_s <= 0:
            raise ConfigError("window_s must be positive")
        self._allow_cache: Lru[str, bool] = Lru(4096)
        self._templates: Lru[str, str] = Lru(8192)
        self._shapes: Lru[str, tuple[int, int]] = Lru(8192)
        self._hashes: Lru[str, str] = Lru(8192)
        # credential fingerprint -> (actor, system_scope); client IP -> actor without one
        self._actors: Lru[str, tuple[str, bool]] = Lru(65_536)
        self._ip_actors: Lru[str, str] = Lru(65_536)
        self._window_s = self.options.window_s
        self._received: Lru[str, _Received] = Lru(self.options.ownership_actors)
        # The event last viewed and its view: detectors after the first test ``last_event``
        # themselves and take ``last_view`` without a call (see ``view``).
        self.last_event: Event | None = None
        self.last_view: View | None = None
        self.events = 0

    def hash(self, value: str) -> str:
        """Keyed hash for evidence (object ids, patient ids, usernames): never the raw value."""
        h = self._hashes.get(value)  # the same accounts and patients recur: hash each once
        if h is None:
            if self._hasher is not None:
                h = self._hasher(value)
            else:
                raw = value.encode("utf-8", "surrogateescape")
                h = hmac.new(self._key, raw, hashlib.sha256).hexdigest()[:16]
            self._hashes.put(value, h)
        return h

    def allowlisted(self, ip: str) -> bool:
        if not self._nets or not ip:
            return False
        hit = self._allow_cache.get(ip)
        if hit is None:
            try:
                addr = ipaddress.ip_address(ip)
                hit = any(addr in net for net in self._nets)
            except ValueError:
                hit = False
            self._allow_cache.put(ip, hit)
        return hit

    def _template(self, path: str) -> str:
        t = self._templates.get(path)
        if t is None:
            t = self._templates.put(path, fallback_template(path))
        return t

    def view(self, event: Event) -> View | None:
        """The shared view of ``event``; None when its timestamp makes it unusable (counted)."""
        if event is self.last_event:
            return self.last_view
        self.last_event = event
        self.events += 1
        t = event.ts
        clock = self.clock
        now = clock.now
        # Clock.tick's common case inline: in order, within max_future (NaN fails the tests)
        if now is not None and now <= t <= now + clock.max_future and t <= MAX_TS:
            clock.now = t
            clock.votes = 0
        else:
            tick = clock.tick(t)
            if tick is None:
                self.last_view = None
                return None
            t = tick
        v = View()
        v.event = event
        v.t = t
        v.window = int(t // self._window_s)
        ip = event.client_ip
        v.ip = ip
        ident = event.identity
        v.ident = ident
        fp = ident.fingerprint if ident is not None else ""
        if fp and ident is not None:
            # a credential's actor and scopes follow from the credential alone (Identity.actor
            # is never empty with a fingerprint): one cache entry per credential
            hit = self._actors.get(fp)
            if hit is None:
                scoped = any(s.startswith("system/") for s in ident.scopes)
                hit = self._actors.put(fp, (actor_of(ident, ip), scoped))
            v.actor, v.system_scope = hit
        elif ident is not None and ident.actor:  # an identity without a fingerprint (raw use)
            v.actor = actor_of(ident, ip)
            v.system_scope = bool(ident.scopes) and any(s.startswith("system/") for s in ident.scopes)
        else:  # no credential: the client IP is the actor
            actor = self._ip_actors.get(ip)
            if actor is None:
                actor = self._ip_actors.put(ip, actor_of(None, ip))
            v.actor = actor
            v.system_scope = ident is not None and any(s.startswith("system/") for s in ident.scopes)
        # the request and response fields detectors read, each read once here: from compiled
        # code every msgspec attribute read is a generic getattr
        req = v.request = event.request
        resp = v.response = event.response
        path = v.path = req.path
        method = v.method = req.method
        v.query = req.query
        ep = event.endpoint
        if ep is None:
            ep = EndpointKey(method, req.host, self._template(path))
        v.endpoint = ep
        tpath = v.tpath = ep.path
        # one split serves the FHIR parts and the object id
        segs = path.split("/")
        rtype = rid = ""
        for i, seg in enumerate(segs):
            if seg in RESOURCE_TYPES:
                rtype = seg
                if i + 1 < len(segs):
                    rid = segs[i + 1]
                    if rid.startswith(("$", "_")):
                        rid = ""
                break
        v.rtype = rtype
        v.rid = rid
        last = segs[-1]
        v.op = last if last.startswith("$") else ""
        shape = self._shapes.get(tpath)
        if shape is None:
            shape = self._shapes.put(tpath, _shape(tpath))
        n_segs, id_at = shape
        v.oid = oid = segs[id_at] if id_at >= 0 and len(segs) == n_segs else ""
        status = v.status = resp.status
        v.allowlisted = self.allowlisted(ip) if self._nets else False
        v.owned = None
        if not oid:
            body = resp.body
            if body and 200 <= status < 300 and method == "GET":
                self._receive(v.actor, body)
        self.last_view = v
        return v

    def _receive(self, actor: str, body: bytes) -> None:
        cap = self.options.ownership_bytes
        if len(body) > cap:
            body = body[:cap]
        r = self._received.get(actor)
        if r is None:
            r = self._received.put(actor, _Received())
        r.bodies.append(body)
        r.size += len(body)
        while r.size > cap:
            r.size -= len(r.bodies.popleft())
            r.base += 1

    def owned(self, v: View) -> bool:
        """Whether ``v.oid`` appeared in a list, search or export this actor received lately
        (a substring test over those bodies: the ids a client was given are its own)."""
        if v.owned is None:
            r = self._received.get(v.actor)
            oid = v.oid
            if r is None or not oid:
                v.owned = False
            else:
                bodies = r.bodies
                base = r.base
                end = base + len(bodies)
                memo = r.memo
                if memo is None:
                    memo = r.memo = {}
                known = memo.get(oid)
                checked, hit = known if known is not None else (base, -1)
                if hit < base and checked < end:  # no known hit left: scan the new bodies, newest first
                    needle = oid.encode("utf-8", "surrogateescape")
                    for i in range(len(bodies) - 1, max(checked, base) - base - 1, -1):
                        if needle in bodies[i]:
                            hit = base + i
                            break
                    checked = end
                    if len(memo) >= MEMO_IDS and oid not in memo:
                        memo.clear()  # bounded: a fresh memo only costs rescans
                    memo[oid] = (checked, hit)
                v.owned = hit >= base
        return v.owned


class AlertBook:
    """One aggregated alert per (actor, endpoint, window), capped; distinct-value notes per
    alert (e.g. other patients read) are kept as capped sets and written as counts."""

    def __init__(self, detector: str, ctx: DetectContext, *, distinct_cap: int = 1000) -> None:
        self.detector = detector
        self.policy = ctx.options.policy
        self.window_s = ctx.options.window_s
        self.cap = ctx.options.max_alerts
        self.distinct_cap = distinct_cap
        self._alerts: OrderedDict[tuple[str, EndpointKey | None, int], Alert] = OrderedDict()
        self._distinct: dict[tuple[str, EndpointKey | None, int], dict[str, set[str]]] = {}
        self.evicted = 0

    def raise_alert(
        self,
        v: View,
        severity: str,
        evidence: Mapping[str, object],
        *,
        actor: str | None = None,
        endpoint: EndpointKey | None = None,
        distinct: Mapping[str, list[str]] | None = None,
    ) -> Alert:
        who = actor if actor is not None else v.actor
        key = (who, endpoint, v.window)
        alert = self._alerts.get(key)
        if alert is None:
            if len(self._alerts) >= self.cap:
                old, _ = self._alerts.popitem(last=False)  # O(1), unlike next(iter(dict))
                self._distinct.pop(old, None)
                self.evicted += 1
            alert = Alert(
                detector=self.detector,
                severity=severity,
                actor=who,
                endpoint=endpoint,
                first_seen=v.t,
                last_seen=v.t,
                count=1,
                action=self.policy.action(self.detector, severity),
                evidence=dict(evidence),
            )
            self._alerts[key] = alert
        else:
            alert.count += 1
            t = v.t
            if t < alert.first_seen:
                alert.first_seen = t
            elif t > alert.last_seen:
                alert.last_seen = t
            if severity != alert.severity and SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity]:
                alert.severity = severity
                alert.action = self.policy.action(self.detector, severity)
            alert.evidence.update(evidence)
        reason = evidence.get("reason")
        if reason is not None:  # one alert may gather several reasons: keep them all
            reasons = alert.evidence.get("reasons")
            if not isinstance(reasons, list):
                reasons = alert.evidence["reasons"] = []
            if reason not in reasons:
                reasons.append(reason)
        if distinct:
            notes = self._distinct.setdefault(key, {})
            for field, values in distinct.items():
                seen = notes.setdefault(field, set())
                samples = alert.evidence.get(field + "_sample")
                if not isinstance(samples, list):
                    samples = alert.evidence[field + "_sample"] = []
                for value in values:
                    if len(seen) < self.distinct_cap:
                        seen.add(value)
                    if len(samples) < 5 and value not in samples:
                        samples.append(value)
                alert.evidence[field] = len(seen)
        alerts = v.event.alerts
        if not alerts or alerts[-1] is not alert:
            alerts.append(alert)
        return alert

    def alerts(self) -> list[Alert]:
        return sorted(self._alerts.values(), key=lambda a: (a.first_seen, a.actor))

    def __len__(self) -> int:
        return len(self._alerts)


class Detector(Protocol):
    """A runtime detector: a pipeline stage with bounded state and aggregated alerts."""

    name: str

    def process(self, event: Event) -> None:
        """Update state from one event; raise or update alerts. Never raises on bad input."""

    def alerts(self) -> list[Alert]:
        """The aggregated alerts so far (one per actor, endpoint and window)."""

    def state_size(self) -> int:
        """Keys held in this detector's tables (bounded by ``DetectOptions.max_keys`` each)."""

    def stats(self) -> dict[str, int]:
        """Counters: what was skipped or evicted, and why."""


DetectorFactory = Callable[[DetectContext, Mapping[str, Any]], Detector]
DETECTORS: Registry[DetectorFactory] = Registry("detector")


_SCALE = (1.0, 10.0, 100.0, 1000.0)


def rounded(x: float, digits: int) -> float:
    """``x`` to ``digits`` (0-3) decimals, half up, for evidence numbers: ``round(x, n)`` goes
    through decimal string conversion, ~2.5k instructions a call, and floods update evidence
    on every request."""
    f = _SCALE[digits]
    return math.floor(x * f + 0.5) / f


def max_severity(a: str, b: str) -> str:
    return a if SEVERITY_RANK[a] >= SEVERITY_RANK[b] else b


_NOT_DETECTORS = frozenset({"base", "fhir_compartment", "options"})


def load_detectors() -> None:
    """Import every detector module of ``phiwatch.detect`` (not the ``waf`` package): adding
    a module is enough to register a detector."""
    import importlib
    import pkgutil

    import phiwatch.detect as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.ispkg and mod.name not in _NOT_DETECTORS:
            importlib.import_module(f"{pkg.__name__}.{mod.name}")


def build_detectors(ctx: DetectContext) -> list[Detector]:
    """Every enabled detector, in name order, sharing one context (one clock, one view)."""
    load_detectors()
    opts = ctx.options
    names = list(opts.enabled) if opts.enabled is not None else DETECTORS.names()
    for name in list(opts.settings) + names:
        DETECTORS.get(name)  # ConfigError for an unknown name
    opts.policy.validate(DETECTORS.names())
    return [DETECTORS.get(name)(ctx, opts.settings.get(name, {})) for name in names]


def default_detectors(
    options: DetectOptions | None = None, hasher: Callable[[str], str] | None = None
) -> list[Detector]:
    """The detector stages to put in the pipeline after classify. ``hasher`` should be the
    run's ``identity.Fingerprinter`` so hashed evidence is stable across runs."""
    return build_detectors(DetectContext(options, hasher))


def all_alerts(detectors: list[Detector]) -> list[Alert]:
    """Every detector's aggregated alerts, by first seen (what the store should persist)."""
    out = [a for d in detectors for a in d.alerts()]
    out.sort(key=lambda a: (a.first_seen, a.detector, a.actor))
    return out
