"""Cardinality learning: find path positions that hold values no single segment gives away.

``/users/alice``, ``/users/bob``, … look like words one at a time; together they show that the
position after ``/users`` is a parameter (as Akto and APIClarity learn it). ``PathLearner`` keeps,
per (host, template prefix), the distinct literal segments seen right after that prefix. When
their number reaches ``threshold`` the position becomes a parameter: ``apply`` then maps every
template through it, so ``/users/alice`` and ``/accounts/jdoe/settings`` merge into
``/users/{id}`` and ``/accounts/{id}/settings``.

Threshold (default 10). A resource in a REST API rarely has more than a handful of fixed children
at one position (sub-collections and actions: orders, items, search, export, …; the near-miss
test has six), while user names, slugs and codes pass ten after a few dozen requests. Nine fixed
children stay literal, ten distinct values make a parameter. Two guards keep big flat APIs whole:
positions under the root or under namespace segments only (``/``, ``/api``, ``/api/v1``,
``/fhir/r4``) are never learned (a Stripe-like API has 50 collections under ``/v1``), and
structural segments (FHIR resource types, ``$op``, ``_keyword``, versions, ``me``/``search``-like
words) never count as values and stay literal after a position flips.

Memory: a node keeps at most ``threshold - 1`` values (it flips at ``threshold`` and drops them),
segments are at most 64 characters (longer ones are already values), and at most ``max_nodes``
nodes (open plus flipped) exist; beyond that new positions are not learned (counted in
``skipped``). The state serialises with ``to_bytes``/``from_bytes`` so a later run continues.
"""

from __future__ import annotations

import msgspec

from phiwatch.discovery.fhir import RESOURCE_TYPES
from phiwatch.discovery.templating import id_name, is_version_segment
from phiwatch.errors import ConfigError, StoreError

DEFAULT_THRESHOLD = 10
DEFAULT_MAX_NODES = 20_000
_STATE_VERSION = 1

# Path words that name an API namespace rather than a resource; children of a prefix made only of
# these (and version segments) are collections, never learned as values.
NAMESPACE_WORDS = frozenset({"api", "apis", "rest", "fhir", "service", "services", "ws", "public", "open"})
# Conventional words that sit where ids sit (/users/me, /orders/search) and must stay literal.
RESERVED_WORDS = frozenset(
    {"me", "self", "current", "mine", "search", "new", "count", "all", "batch", "bulk", "default"}
)

_VAR = "{id}"  # every variable, in node keys (numbering is positional, keys must not depend on it)


def _is_structural(seg: str) -> bool:
    """A literal that never counts as a value at any position."""
    c0 = seg[0]
    return c0 == "$" or c0 == "_" or seg in RESERVED_WORDS or seg in RESOURCE_TYPES or is_version_segment(seg)


def _is_namespace(seg: str) -> bool:
    return seg.lower() in NAMESPACE_WORDS or is_version_segment(seg)


def _renumber(parts: list[str]) -> str:
    n = 0
    for i, seg in enumerate(parts):
        if seg[0] == "{" and seg != "{vid}":
            n += 1
            parts[i] = id_name(n)
    return "/" + "/".join(parts)


class NodeState(msgspec.Struct, array_like=True):
    host: str
    prefix: str
    values: list[str]


class LearnerState(msgspec.Struct):
    version: int
    threshold: int
    nodes: list[NodeState]
    learned: list[tuple[str, str]]
    skipped: int = 0


Key = tuple[str, str]  # (host, template prefix with every variable as {id})


class PathLearner:
    """Learns parameter positions from the number of distinct literals seen at each one."""

    def __init__(self, *, threshold: int = DEFAULT_THRESHOLD, max_nodes: int = DEFAULT_MAX_NODES) -> None:
        if threshold < 2:
            raise ConfigError(f"learning threshold must be >= 2, got {threshold}")
        if max_nodes < 1:
            raise ConfigError(f"learning max_nodes must be >= 1, got {max_nodes}")
        self.threshold = threshold
        self.max_nodes = max_nodes
        self._nodes: dict[Key, set[str]] = {}
        self._learned: set[Key] = set()
        self.generation = 0  # bumps whenever a position is learned; callers re-key on change
        self.skipped = 0  # values not recorded because max_nodes was reached

    # -- per new endpoint ------------------------------------------------------------------------

    def observe(self, host: str, template: str) -> str:
        """Record the literals of one template and return it with learned positions applied."""
        return self._walk(host, template, record=True)

    def apply(self, host: str, template: str) -> str:
        """The template with learned positions applied; records nothing."""
        return self._walk(host, template, record=False)

    def _walk(self, host: str, template: str, *, record: bool) -> str:
        parts = [s for s in template.split("/") if s]
        prefix: list[str] = []
        namespace_only = True  # every segment so far is a namespace word or a version
        changed = False
        for i, seg in enumerate(parts):
            if seg[0] == "{" and seg[-1] == "}":
                prefix.append(_VAR)
                namespace_only = False
                continue
            if not namespace_only and not _is_structural(seg):
                key = (host, "/".join(prefix))
                if key in self._learned:
                    parts[i] = _VAR
                    prefix.append(_VAR)
                    changed = True
                    continue
                if record:
                    self._record(key, seg)
                    if key in self._learned:
                        parts[i] = _VAR
                        prefix.append(_VAR)
                        changed = True
                        continue
            prefix.append(seg)
            namespace_only = namespace_only and _is_namespace(seg)
        if not changed:
            return template
        return _renumber(parts)

    def _record(self, key: Key, value: str) -> None:
        values = self._nodes.get(key)
        if values is None:
            if len(self._nodes) + len(self._learned) >= self.max_nodes:
                self.skipped += 1
                return
            values = self._nodes[key] = set()
        values.add(value)
        if len(values) >= self.threshold:
            self._learn(key)

    def _learn(self, key: Key) -> None:
        """Make a position a parameter and re-home what was recorded below its literal values,
        so the outcome does not depend on whether a child was seen before or after the flip."""
        pending = [key]
        while pending:
            key = pending.pop()
            if key in self._learned:
                continue
            values = self._nodes.pop(key, set())
            self._learned.add(key)
            self.generation += 1
            host, prefix = key
            depth = len(prefix.split("/")) if prefix else 0
            heads = {f"{prefix}/{v}" if prefix else v for v in values}
            below = prefix + "/" if prefix else ""  # cheap filter before the exact check
            for other in [k for k in self._nodes if k[0] == host and k[1].startswith(below) and k != key]:
                new_prefix = self._rehome(other[1], heads, depth)
                if new_prefix is None:
                    continue
                moved = self._nodes.pop(other)
                new_key = (host, new_prefix)
                if new_key in self._learned:
                    continue
                target = self._nodes.setdefault(new_key, set())
                target.update(moved)
                if len(target) >= self.threshold:
                    pending.append(new_key)
            for other in [k for k in self._learned if k[0] == host and k[1].startswith(below) and k != key]:
                new_prefix = self._rehome(other[1], heads, depth)
                if new_prefix is not None:
                    self._learned.discard(other)
                    self._learned.add((host, new_prefix))

    @staticmethod
    def _rehome(prefix: str, heads: set[str], depth: int) -> str | None:
        """``prefix`` with its segment at ``depth`` replaced by {id} when it starts with a head."""
        parts = prefix.split("/")
        if len(parts) <= depth:
            return None
        if "/".join(parts[: depth + 1]) not in heads:
            return None
        parts[depth] = _VAR
        return "/".join(parts)

    # -- inspection, merge, persistence ------------------------------------------------------------

    def learned(self) -> list[tuple[str, str]]:
        """The learned positions as (host, prefix) pairs: the value sits right after prefix."""
        return sorted(self._learned)

    def node_count(self) -> int:
        return len(self._nodes) + len(self._learned)

    def merge(self, other: PathLearner) -> None:
        """Fold another learner in (two files analysed apart); the same as one learner seeing both."""
        for key in other._learned:
            if key not in self._learned:
                self._nodes.setdefault(key, set())
                self._learn(key)
        for (host, prefix), values in other._nodes.items():
            # re-walk so prefixes pick up positions this learner knows and the other did not
            for value in values:
                path = f"/{prefix}/{value}" if prefix else f"/{value}"
                self.observe(host, path)
        self.skipped += other.skipped

    def to_state(self) -> LearnerState:
        """A plain, sorted (so byte-stable) copy of what was learned."""
        return LearnerState(
            version=_STATE_VERSION,
            threshold=self.threshold,
            nodes=[NodeState(h, p, sorted(v)) for (h, p), v in sorted(self._nodes.items())],
            learned=sorted(self._learned),
            skipped=self.skipped,
        )

    def to_bytes(self) -> bytes:
        return msgspec.msgpack.encode(self.to_state())

    @classmethod
    def from_bytes(cls, data: bytes, *, max_nodes: int = DEFAULT_MAX_NODES) -> PathLearner:
        try:
            state = msgspec.msgpack.decode(data, type=LearnerState)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise StoreError(f"path learner state unreadable: {exc}") from None
        return cls.from_state(state, max_nodes=max_nodes)

    @classmethod
    def from_state(cls, state: LearnerState, *, max_nodes: int = DEFAULT_MAX_NODES) -> PathLearner:
        if state.version != _STATE_VERSION:
            raise StoreError(f"path learner state version {state.version}, expected {_STATE_VERSION}")
        learner = cls(
            threshold=state.threshold, max_nodes=max(max_nodes, len(state.nodes) + len(state.learned))
        )
        learner._nodes = {(n.host, n.prefix): set(n.values) for n in state.nodes}
        learner._learned = {(h, p) for h, p in state.learned}
        learner.skipped = state.skipped
        return learner
