"""The endpoint inventory: every (method, host, template) seen in traffic, with its statistics.

``Inventory.add`` is on the hot path (one call per event): a cached template, one cached dict
lookup for the endpoint, and a few counter updates. Per endpoint it keeps the request count,
distinct clients (exact up to 128, then a ``HyperLogLog`` so counts persist and merge), auth
kinds, query-parameter names (never values), a status-code histogram and first/last seen.

Learned parameters (``learning.PathLearner``) are applied as soon as a position is learned: the
endpoints already counted under its literal values merge into the new template. State saves with
``to_bytes`` and loads with ``from_bytes``; analysing file A, saving, loading and analysing B
gives the same inventory as analysing A and B together, and ``merge`` folds in an inventory
built apart. Memory is bounded: every cache has a cap, and past ``max_endpoints`` new endpoints
are counted in ``overflow`` instead of stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast
from urllib.parse import unquote_plus

import msgspec

from phiwatch.discovery.learning import LearnerState, PathLearner
from phiwatch.discovery.templating import Templater, is_variable_segment
from phiwatch.errors import ConfigError, StoreError
from phiwatch.model import AUTH_NONE, Endpoint, EndpointKey, Event, Identity
from phiwatch.sketch import HyperLogLog, hash64

DEFAULT_MAX_ENDPOINTS = 50_000
MAX_QUERY_PARAMS = 64  # names kept per endpoint: the smallest ones, so the set is order-independent
SPARSE_CLIENTS = 128  # exact distinct clients up to this many, then HyperLogLog
_CACHE_SIZE = 32_768
_IDENTITY_CACHE_SIZE = 4096  # distinct credentials are far fewer than events
_STATE_VERSION = 1


class _Clients:
    """Distinct callers: an exact set of 64-bit hashes while small, a HyperLogLog beyond."""

    __slots__ = ("hashes", "hll")

    def __init__(self) -> None:
        self.hashes: set[int] | None = set()
        self.hll: HyperLogLog | None = None

    def add_hash(self, h: int) -> None:
        hashes = self.hashes
        if hashes is not None:
            hashes.add(h)
            if len(hashes) > SPARSE_CLIENTS:
                self._densify()
        else:
            assert self.hll is not None
            self.hll.add_hash(h)

    def _densify(self) -> None:
        hll = HyperLogLog()
        for h in self.hashes or ():
            hll.add_hash(h)
        self.hll, self.hashes = hll, None

    def merge(self, other: _Clients) -> None:
        if other.hashes is not None:
            for h in other.hashes:
                self.add_hash(h)
            return
        if self.hashes is not None:
            self._densify()
        assert self.hll is not None and other.hll is not None
        self.hll.merge(other.hll)

    def count(self) -> int:
        if self.hashes is not None:
            return len(self.hashes)
        assert self.hll is not None
        return self.hll.count()


class _Stats:
    __slots__ = ("auth", "clients", "first", "key", "last", "params", "requests", "statuses", "tracked")

    def __init__(self, key: EndpointKey, *, tracked: bool = True) -> None:
        self.key = key
        self.requests = 0
        self.first = float("inf")
        self.last = float("-inf")
        self.auth: set[str] = set()
        self.params: set[str] = set()
        self.statuses: dict[int, int] = {}
        self.clients = _Clients()
        self.tracked = tracked

    def add_param(self, name: str) -> None:
        params = self.params
        if len(params) < MAX_QUERY_PARAMS:
            params.add(name)
            return
        # Full: keep the smallest names, so the kept set does not depend on arrival order.
        top = max(params)
        if name < top:
            params.discard(top)
            params.add(name)

    def merge(self, other: _Stats) -> None:
        self.requests += other.requests
        self.first = min(self.first, other.first)
        self.last = max(self.last, other.last)
        self.auth |= other.auth
        for name in other.params:
            if name not in self.params:
                self.add_param(name)
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.clients.merge(other.clients)


class EndpointState(msgspec.Struct, array_like=True):
    """One endpoint in the saved inventory."""

    method: str
    host: str
    path: str
    requests: int
    first_seen: float
    last_seen: float
    auth: list[str]
    query_params: list[str]
    statuses: dict[int, int]
    client_hashes: list[int] | None
    client_registers: bytes | None


class InventoryState(msgspec.Struct):
    """The saved inventory: endpoints, what the learner knows, and the overflow count."""

    version: int
    endpoints: list[EndpointState]
    learner: LearnerState | None
    overflow: int = 0


def query_names(query: str) -> tuple[str, ...]:
    """Parameter names of a raw query string, decoded; never the values.

    A "name" that looks like a value (``?1706659200`` cache-busters, ``?jane@example.org``, an
    SSN pasted in) is dropped, as in path templating: the inventory must not hold PHI."""
    names = []
    for part in query.split("&"):
        name = param_name(part.partition("=")[0])
        if name:
            names.append(name)
    return tuple(names)


def param_name(raw: str) -> str:
    """One raw query-parameter name, decoded; "" when it is empty or looks like a value."""
    if not raw:
        return ""
    name = unquote_plus(raw, errors="replace") if "%" in raw or "+" in raw else raw
    return "" if is_variable_segment(name) else name


class Inventory:
    """Endpoints seen in traffic, keyed by (method, host, template)."""

    def __init__(
        self,
        *,
        templater: Templater | None = None,
        learner: PathLearner | None = None,
        learn: bool = True,
        max_endpoints: int = DEFAULT_MAX_ENDPOINTS,
    ) -> None:
        if max_endpoints < 1:
            raise ConfigError(f"max_endpoints must be >= 1, got {max_endpoints}")
        self.templater = templater if templater is not None else Templater()
        self.learner: PathLearner | None = (
            (learner if learner is not None else PathLearner()) if learn else None
        )
        self.max_endpoints = max_endpoints
        self.overflow = 0  # events whose endpoint was new once max_endpoints was reached
        self._stats: dict[EndpointKey, _Stats] = {}
        # (method, host, raw path) -> stats of its effective endpoint; two generations
        self._young: dict[tuple[str, str, str], _Stats] = {}
        self._old: dict[tuple[str, str, str], _Stats] = {}
        # (method, host, template before learning) -> stats; so the learner sees each once
        self._by_template: dict[tuple[str, str, str], _Stats] = {}
        self._query_young: dict[str, tuple[str, ...]] = {}
        self._query_old: dict[str, tuple[str, ...]] = {}
        self._param_names: dict[str, str] = {}  # raw query-parameter name -> param_name()
        self._actor_young: dict[str, int] = {}
        self._actor_old: dict[str, int] = {}
        self._identity_hashes: dict[int, tuple[Identity, int | None]] = {}  # id(identity) -> actor hash
        self._generation = self.learner.generation if self.learner is not None else 0

    # -- hot path --------------------------------------------------------------------------------

    def add(self, event: Event) -> EndpointKey:
        """Template the event's path, count it, set and return ``event.endpoint``."""
        req = event.request
        raw = (req.method, req.host, req.path)
        st = self._young.get(raw)
        if st is None:
            st = self._lookup(raw)
        if not st.tracked:
            self.overflow += 1
        st.requests += 1
        ts = event.ts
        if ts < st.first:
            st.first = ts
        if ts > st.last:
            st.last = ts
        statuses = st.statuses
        status = event.response.status
        statuses[status] = statuses.get(status, 0) + 1
        identity = event.identity
        if identity is None:
            st.auth.add(AUTH_NONE)
            h = self._actor_young.get(event.client_ip)
            if h is None:
                h = self._actor_hash(event.client_ip)
        else:
            st.auth.add(identity.kind)
            # Identities are shared by the reader's cache: remember each one's actor hash, so the
            # actor name is not rebuilt per event. The entry holds the identity, so its id() is
            # not reused while the entry lives.
            known = self._identity_hashes.get(id(identity))
            if known is None:
                known = self._remember(identity)
            h = known[1]
            if h is None:  # no actor in the credential: the caller's address
                h = self._actor_young.get(event.client_ip)
                if h is None:
                    h = self._actor_hash(event.client_ip)
        hashes = st.clients.hashes
        if hashes is None or len(hashes) >= SPARSE_CLIENTS:
            st.clients.add_hash(h)
        else:
            hashes.add(h)
        query = req.query
        if query:
            names = self._query_young.get(query)
            if names is None:
                names = self._query_names(query)
            params = st.params
            for name in names:
                if name not in params:
                    st.add_param(name)
        event.endpoint = st.key
        return st.key

    def _remember(self, identity: Identity) -> tuple[Identity, int | None]:
        """The actor hash of a new identity (None: it names no actor), kept by its id()."""
        actor = identity.actor
        h = None
        if actor:
            h = self._actor_young.get(actor)
            if h is None:
                h = self._actor_hash(actor)
        if len(self._identity_hashes) >= _IDENTITY_CACHE_SIZE:
            self._identity_hashes.clear()
        known = self._identity_hashes[id(identity)] = (identity, h)
        return known

    def _actor_hash(self, actor: str) -> int:
        h = self._actor_old.get(actor)
        if h is None:
            h = hash64(actor)
        if len(self._actor_young) >= _CACHE_SIZE:
            self._actor_old, self._actor_young = self._actor_young, {}
        self._actor_young[actor] = h
        return h

    def _query_names(self, query: str) -> tuple[str, ...]:
        names = self._query_old.get(query)
        if names is None:
            # query_names, with each raw name judged once: names repeat while values change
            found = []
            judged = self._param_names
            for part in query.split("&"):
                raw = part.partition("=")[0]
                name = judged.get(raw)
                if name is None:
                    name = param_name(raw)
                    if len(judged) >= _CACHE_SIZE:
                        judged.clear()
                    judged[raw] = name
                if name:
                    found.append(name)
            names = tuple(found)
        if len(self._query_young) >= _CACHE_SIZE:
            self._query_old, self._query_young = self._query_young, {}
        self._query_young[query] = names
        return names

    def _lookup(self, raw: tuple[str, str, str]) -> _Stats:
        """Raw-path cache miss: template the path, then find the endpoint by its template."""
        st = self._old.get(raw)
        if st is None:
            method, host, path = raw
            tkey = (method, host, self.templater.compute(path))
            st = self._by_template.get(tkey)
            if st is None:
                template = tkey[2]
                learner = self.learner
                if learner is not None:
                    template = learner.observe(host, template)
                    if learner.generation != self._generation:
                        self._relearn(host)
                st = self._stats_for(EndpointKey(method.upper(), host, template))
                if len(self._by_template) >= _CACHE_SIZE:
                    self._by_template.clear()  # rebuilt from the raw cache's misses
                self._by_template[tkey] = st
        if len(self._young) >= _CACHE_SIZE:
            self._old, self._young = self._young, {}
        self._young[raw] = st
        return st

    def _stats_for(self, key: EndpointKey) -> _Stats:
        st = self._stats.get(key)
        if st is None:
            if len(self._stats) >= self.max_endpoints:
                return _Stats(key, tracked=False)
            st = self._stats[key] = _Stats(key)
        return st

    def _relearn(self, host: str | None) -> None:
        """A position was learned: merge endpoints whose template changes, drop cached lookups."""
        learner = self.learner
        assert learner is not None
        self._generation = learner.generation
        self._young.clear()
        self._old.clear()
        self._by_template.clear()
        for key in [k for k in self._stats if host is None or k.host == host]:
            path = learner.apply(key.host, key.path)
            if path == key.path:
                continue
            st = self._stats.pop(key)
            new_key = EndpointKey(key.method, key.host, path)
            target = self._stats.get(new_key)
            if target is None:
                st.key = new_key
                self._stats[new_key] = st
            else:
                target.merge(st)

    # -- results ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._stats)

    def endpoints(self) -> list[Endpoint]:
        """One ``Endpoint`` row per endpoint (status "undocumented"), sorted by host, path, method."""
        rows = []
        for key in sorted(self._stats, key=lambda k: (k.host, k.path, k.method)):
            st = self._stats[key]
            rows.append(
                Endpoint(
                    method=key.method,
                    host=key.host,
                    path=key.path,
                    status="undocumented",
                    reason="no spec given",
                    requests=st.requests,
                    clients=st.clients.count(),
                    auth=sorted(st.auth),
                    first_seen=st.first if st.requests else None,
                    last_seen=st.last if st.requests else None,
                    query_params=sorted(st.params),
                    statuses={str(s): n for s, n in sorted(st.statuses.items())},
                )
            )
        return rows

    def keys(self) -> list[EndpointKey]:
        return sorted(self._stats)

    # -- merge and persistence -------------------------------------------------------------------

    def merge(self, other: Inventory) -> None:
        """Fold in an inventory built apart (another file, another worker)."""
        if self.learner is not None and other.learner is not None:
            self.learner.merge(other.learner)
        for st in other._stats.values():
            self._absorb(st)
        if self.learner is not None:
            self._relearn(None)
        self.overflow += other.overflow

    def _absorb(self, st: _Stats) -> None:
        key = st.key
        if self.learner is not None:
            path = self.learner.apply(key.host, key.path)
            if path != key.path:
                key = EndpointKey(key.method, key.host, path)
        target = self._stats.get(key)
        if target is None:
            if len(self._stats) >= self.max_endpoints:
                self.overflow += st.requests
                return
            target = self._stats[key] = _Stats(key)
        target.merge(st)

    def to_state(self) -> InventoryState:
        endpoints = []
        for key in sorted(self._stats):
            st = self._stats[key]
            c = st.clients
            endpoints.append(
                EndpointState(
                    method=key.method,
                    host=key.host,
                    path=key.path,
                    requests=st.requests,
                    first_seen=st.first,
                    last_seen=st.last,
                    auth=sorted(st.auth),
                    query_params=sorted(st.params),
                    statuses=dict(sorted(st.statuses.items())),
                    client_hashes=sorted(c.hashes) if c.hashes is not None else None,
                    client_registers=c.hll.to_bytes() if c.hll is not None else None,
                )
            )
        learner = self.learner.to_state() if self.learner is not None else None
        return InventoryState(_STATE_VERSION, endpoints, learner, self.overflow)

    def to_bytes(self) -> bytes:
        """The whole inventory as msgpack; byte-identical for identical content."""
        return msgspec.msgpack.encode(self.to_state())

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        *,
        templater: Templater | None = None,
        max_endpoints: int = DEFAULT_MAX_ENDPOINTS,
    ) -> Inventory:
        """Load a saved inventory; a damaged or foreign blob raises ``StoreError``."""
        try:
            state = msgspec.msgpack.decode(data, type=InventoryState)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise StoreError(f"inventory state unreadable: {exc}") from None
        if state.version != _STATE_VERSION:
            raise StoreError(f"inventory state version {state.version}, expected {_STATE_VERSION}")
        learner = PathLearner.from_state(state.learner) if state.learner is not None else None
        inv = cls(
            templater=templater,
            learner=learner,
            learn=learner is not None,
            max_endpoints=max(max_endpoints, len(state.endpoints)),
        )
        inv.overflow = state.overflow
        for e in state.endpoints:
            key = EndpointKey(e.method, e.host, e.path)
            st = inv._stats[key] = _Stats(key)
            st.requests, st.first, st.last = e.requests, e.first_seen, e.last_seen
            st.auth = set(e.auth)
            st.params = set(e.query_params)
            st.statuses = dict(e.statuses)
            if e.client_registers is not None:
                try:
                    st.clients.hll = HyperLogLog(e.client_registers)
                except ValueError as exc:
                    raise StoreError(f"inventory state unreadable: {exc}") from None
                st.clients.hashes = None
            else:
                st.clients.hashes = set(e.client_hashes or ())
        return inv


class DiscoverStage:
    """Pipeline stage "discover": attach each event's endpoint and count it in the inventory."""

    name = "discover"

    process: Callable[[Event], None]

    def __init__(self, inventory: Inventory | None = None) -> None:
        self.inventory = inventory if inventory is not None else Inventory()
        # process(event) is the inventory's bound add itself: one Python call less per event
        self.process = cast(Callable[[Event], None], self.inventory.add)
