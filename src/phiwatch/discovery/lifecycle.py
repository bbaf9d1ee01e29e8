"""Lifecycle status of every endpoint: documented, shadow, zombie, orphan or undocumented.

Matching an observed template (``/Patient/{id}``) to spec operations:

* Parameter names are ignored: a whole-segment spec parameter (``{patientId}``) matches any one
  segment, observed literal or ``{id}``. A partial-segment parameter (``{name}.{ext}``,
  ``report-{id}``) matches an observed ``{id}`` segment, or a literal one that fits its pattern.
  A spec literal never matches an observed ``{id}`` (the spec does not cover the other values).
* When several operations match, the most literal path wins (left to right, literal > partial >
  parameter, as OpenAPI routes concrete paths first), then one on the endpoint's own host.
* Method must match. HEAD also matches a GET operation (servers answer HEAD on GET routes).
  OPTIONS matches an OPTIONS operation, or else any operation on the same path (a CORS
  preflight of a documented path is not a shadow API); on an undocumented path it is shadow.
* Hosts: a spec host matches only that host; an endpoint without host (logs without a Host
  header) or a spec without host matches on path alone. Trailing slashes are ignored.

Status: matched a non-deprecated operation -> documented; a deprecated one -> zombie; not
matched -> shadow, or zombie when a newer version of the same path exists (in traffic or in a
spec): version segments at any depth, ``v1 < v1.2 < v2 < v10``, FHIR ``dstu2 < stu3 < r4 < r4b
< r5``; other segments must agree (parameters by position, names ignored) and hosts must be
compatible. With no spec at all, endpoints are undocumented, superseded versions zombie. Every
spec operation no endpoint matched becomes one ``orphan`` row (``requests`` 0); operations that
differ only by parameter names are reported once.

Matching walks a segment trie (literal children in a dict, then parameter and partial edges),
so cost grows with path depth and not with the number of spec operations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import msgspec

from phiwatch.discovery.spec import SpecDocument, SpecOperation
from phiwatch.model import Endpoint

DOCUMENTED = "documented"
SHADOW = "shadow"
ZOMBIE = "zombie"
ORPHAN = "orphan"
UNDOCUMENTED = "undocumented"
STATUSES = (DOCUMENTED, SHADOW, ZOMBIE, ORPHAN, UNDOCUMENTED)

REASON_SHADOW = "seen in traffic, in no spec"
REASON_UNDOCUMENTED = "no spec given"

LITERAL, PARTIAL, PARAM = 2, 1, 0  # segment kinds, ordered by specificity
_PARAM_IN_SEGMENT = re.compile(r"\{[^{}/]*\}")  # path segments are short and bounded
_V_VERSION = re.compile(r"[vV](\d{1,6}(?:\.\d{1,6}){0,3})")
FHIR_VERSIONS = {
    "dstu1": (1,),
    "dstu2": (2,),
    "stu3": (3,),
    "r4": (4,),
    "r4b": (4, 1),
    "r5": (5,),
    "r6": (6,),
}

Version = tuple[str, tuple[int, ...]]  # (family, ordered numbers)


def split_path(path: str) -> list[str]:
    """Segments of a path; ``/`` and ``""`` have none, trailing slashes are ignored."""
    trimmed = path.strip("/")
    return trimmed.split("/") if trimmed else []


def is_param(segment: str) -> bool:
    """An observed or spec segment that is one whole parameter: ``{id}``, ``{patientId}``."""
    return len(segment) >= 2 and segment[0] == "{" and segment[-1] == "}" and segment.count("{") == 1


def segment_kind(segment: str) -> int:
    if is_param(segment):
        return PARAM
    return PARTIAL if _PARAM_IN_SEGMENT.search(segment) else LITERAL


def partial_pattern(segment: str) -> re.Pattern[str]:
    """``{name}.{ext}`` -> ``[^/]+\\.[^/]+``: literal parts exact, each parameter non-empty."""
    parts: list[str] = []
    pos = 0
    for m in _PARAM_IN_SEGMENT.finditer(segment):
        parts.append(re.escape(segment[pos : m.start()]))
        parts.append("[^/]+")
        pos = m.end()
    parts.append(re.escape(segment[pos:]))
    return re.compile("".join(parts))


def version_of(segment: str) -> Version | None:
    """``v2`` -> ("v", (2,)); ``v1.2`` -> ("v", (1, 2)); ``R4`` -> ("fhir", (4,)); else None."""
    m = _V_VERSION.fullmatch(segment)
    if m:
        return "v", tuple(int(n) for n in m.group(1).split("."))
    fhir = FHIR_VERSIONS.get(segment.lower())
    return ("fhir", fhir) if fhir is not None else None


# -- the index --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    param: _Node | None = None
    partial: list[tuple[str, re.Pattern[str], _Node]] = field(default_factory=list)
    ops: dict[str, list[int]] = field(default_factory=dict)  # method -> operation numbers


class SpecIndex:
    """All operations of some specs, indexed for matching observed templates."""

    def __init__(self, specs: Iterable[SpecDocument]) -> None:
        self.operations: list[SpecOperation] = [op for doc in specs for op in doc.operations]
        self._score: list[tuple[int, ...]] = []
        self._root = _Node()
        for number, op in enumerate(self.operations):
            segments = split_path(op.path)
            self._score.append(tuple(segment_kind(s) for s in segments))
            node = self._root
            for seg in segments:
                node = self._child(node, seg)
            node.ops.setdefault(op.method.upper(), []).append(number)

    @staticmethod
    def _child(node: _Node, seg: str) -> _Node:
        kind = segment_kind(seg)
        if kind == LITERAL:
            return node.literal.setdefault(seg, _Node())
        if kind == PARAM:
            if node.param is None:
                node.param = _Node()
            return node.param
        for raw, _, child in node.partial:
            if raw == seg:
                return child
        child = _Node()
        node.partial.append((seg, partial_pattern(seg), child))
        return child

    def _nodes(self, segments: Sequence[str]) -> list[_Node]:
        """Trie nodes whose path matches the observed segments."""
        found: list[_Node] = []
        stack: list[tuple[_Node, int]] = [(self._root, 0)]
        while stack:
            node, i = stack.pop()
            if i == len(segments):
                found.append(node)
                continue
            seg = segments[i]
            observed_param = is_param(seg)
            if not observed_param and (lit := node.literal.get(seg)) is not None:
                stack.append((lit, i + 1))
            if node.param is not None:
                stack.append((node.param, i + 1))
            for _, pattern, child in node.partial:
                if observed_param or pattern.fullmatch(seg):
                    stack.append((child, i + 1))
        return found

    def match(self, method: str, host: str, path: str) -> SpecOperation | None:
        """The best spec operation for an observed endpoint, or None."""
        number = self.match_number(method, host, path)
        return None if number is None else self.operations[number]

    def match_number(self, method: str, host: str, path: str) -> int | None:
        return self.match_all(method, host, path)[0]

    def match_all(self, method: str, host: str, path: str) -> tuple[int | None, list[int]]:
        """The best operation, and every operation the endpoint exercises: those on the same
        trie node as the best one (the same path up to parameter names) on a compatible host,
        i.e. one operation documented by several specs or declared on several servers."""
        nodes = self._nodes(split_path(path))
        if not nodes:
            return None, []
        method = method.upper()
        wanted = [method] + (["GET"] if method == "HEAD" else [])
        for m in wanted:
            best = self._best([n for node in nodes for n in node.ops.get(m, ())], host)
            if best is not None:
                same = next(node.ops[m] for node in nodes if best in node.ops.get(m, ()))
                return best, [n for n in same if self._host_ok(n, host)]
        if method == "OPTIONS":  # preflight of a documented path; it exercises no operation
            return self._best([n for node in nodes for ns in node.ops.values() for n in ns], host), []
        return None, []

    def _host_ok(self, number: int, host: str) -> bool:
        op_host = self.operations[number].host
        return not host or not op_host or op_host == host

    def _best(self, numbers: list[int], host: str) -> int | None:
        best: int | None = None
        best_rank: tuple[tuple[int, ...], int, int] | None = None
        for n in numbers:
            op = self.operations[n]
            if not self._host_ok(n, host):
                continue
            rank = (self._score[n], int(bool(host) and op.host == host), int(not op.deprecated))
            if best_rank is None or rank > best_rank:
                best, best_rank = n, rank
        return best


# -- superseded versions -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Versioned:
    version: tuple[int, ...]
    host: str
    path: str
    observed: bool


def _shapes(path: str) -> list[tuple[tuple[str, ...], Version]]:
    """One key per version segment: the path with that segment as its family, parameters as {}."""
    segments = split_path(path)
    generic = ["{}" if is_param(s) else s for s in segments]
    out = []
    for i, seg in enumerate(segments):
        version = version_of(seg)
        if version is not None:
            key = (*generic[:i], f"<{version[0]}>", *generic[i + 1 :])
            out.append((key, version))
    return out


class VersionIndex:
    """Every versioned path seen in traffic or in a spec, to find superseded versions."""

    def __init__(self) -> None:
        self._by_shape: dict[tuple[str, ...], list[_Versioned]] = {}

    def add(self, host: str, path: str, *, observed: bool) -> None:
        for key, (_, numbers) in _shapes(path):
            self._by_shape.setdefault(key, []).append(_Versioned(numbers, host, path, observed))

    def newer(self, host: str, path: str) -> str | None:
        """The path of the newest version of ``path`` newer than it, or None."""
        best: _Versioned | None = None
        for key, (_, numbers) in _shapes(path):
            for cand in self._by_shape.get(key, ()):
                if cand.version <= numbers or (host and cand.host and cand.host != host):
                    continue
                if best is None or (cand.version, cand.observed) > (best.version, best.observed):
                    best = cand
        return best.path if best is not None else None


# -- status assignment ----------------------------------------------------------------------------


def spec_ref(op: SpecOperation) -> str:
    """``"<spec label> <METHOD> <spec path>"``, as in Endpoint.spec."""
    return f"{op.spec} {op.method} {op.path}"


def assign_status(endpoints: list[Endpoint], specs: list[SpecDocument]) -> list[Endpoint]:
    """The endpoints with status, reason, spec and deprecated set (new rows; inputs untouched),
    followed by one ``orphan`` row per spec operation no endpoint matched."""
    versions = VersionIndex()
    for ep in endpoints:
        versions.add(ep.host, ep.path, observed=True)
    for doc in specs:
        for op in doc.operations:
            versions.add(op.host, op.path, observed=False)

    if not specs:
        return [_without_spec(ep, versions) for ep in endpoints]

    index = SpecIndex(specs)
    seen: set[int] = set()
    out: list[Endpoint] = []
    for ep in endpoints:
        number, exercised = index.match_all(ep.method, ep.host, ep.path)
        seen.update(exercised)
        if number is None:
            newer = versions.newer(ep.host, ep.path)
            if newer is not None:
                out.append(_set(ep, ZOMBIE, f"superseded by {newer}"))
            else:
                out.append(_set(ep, SHADOW, REASON_SHADOW))
            continue
        op = index.operations[number]
        if op.deprecated:
            reason = f"marked deprecated in {op.spec}, still served"
            out.append(_set(ep, ZOMBIE, reason, spec=spec_ref(op), deprecated=True))
        else:
            out.append(_set(ep, DOCUMENTED, "", spec=spec_ref(op)))
    observed = {(e.method, e.host, e.path) for e in out}
    out.extend(o for o in orphans(index.operations, seen) if (o.method, o.host, o.path) not in observed)
    return out


def orphans(operations: Sequence[SpecOperation], seen: set[int]) -> list[Endpoint]:
    """One orphan row per unseen operation, once per (method, host, path up to parameter names)."""
    rows: list[Endpoint] = []
    done: set[tuple[str, str, tuple[str, ...]]] = set()
    for number, op in enumerate(operations):
        if number in seen:
            continue
        key = (op.method, op.host, tuple("{}" if is_param(s) else s for s in split_path(op.path)))
        if key in done:
            continue
        done.add(key)
        note = " (deprecated)" if op.deprecated else ""
        rows.append(
            Endpoint(
                method=op.method,
                host=op.host,
                path=op.path,
                status=ORPHAN,
                reason=f"in {op.spec}{note}, never seen in traffic",
                requests=0,
                spec=spec_ref(op),
                query_params=list(op.query_params),
                deprecated=op.deprecated,
            )
        )
    rows.sort(key=lambda e: (e.host, e.path, e.method))
    return rows


def _without_spec(ep: Endpoint, versions: VersionIndex) -> Endpoint:
    newer = versions.newer(ep.host, ep.path)
    if newer is not None:
        return _set(ep, ZOMBIE, f"superseded by {newer}")
    return _set(ep, UNDOCUMENTED, REASON_UNDOCUMENTED)


def _set(
    ep: Endpoint, status: str, reason: str, *, spec: str | None = None, deprecated: bool = False
) -> Endpoint:
    return msgspec.structs.replace(ep, status=status, reason=reason, spec=spec, deprecated=deprecated)
