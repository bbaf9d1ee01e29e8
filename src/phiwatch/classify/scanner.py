"""One hyperscan database for every recognizer pattern; one scan per body.

The scan database reports only where matches end (no ``HS_FLAG_SOM_LEFTMOST``, and no leading
boundary class, see ``patterns.py``); the callback only appends ``(id, end)``. The few candidates
are then confirmed in bulk: each pattern also has a one-pattern database with its leading
boundary and start-of-match tracking, run over the ``span`` bytes before the end, which gives
the exact extent the full pattern would have matched, or nothing. Coding-system markers are
``HS_FLAG_SINGLEMATCH``: one marker per terminology and body says the category is there.

Two scan databases are built from the same rows: ``full`` for every body, and ``fhir`` (rows
with ``in_fhir``) for bodies that parsed as FHIR JSON. Both are built once per process
(cached on the recognizer tuple, which is immutable data), and loaded from disk rather than
compiled when an earlier run stored them (``hscache.py``). Bodies are scanned with one space of
padding on each side so that boundary classes also hold at the edges; offsets are mapped back.
"""

from __future__ import annotations

import functools
from typing import Any

import hyperscan
import msgspec

from phiwatch.classify.hscache import cached_database
from phiwatch.classify.patterns import ALL_RECOGNIZERS, Pattern, Recognizer
from phiwatch.errors import ConfigError

_NAME_LABELS = ("patient name", "patient", "name", "mr.", "mrs.", "ms.", "miss")


class Candidate(msgspec.Struct, frozen=True):
    category: str
    value: str
    labelled: bool  # the match carried its own label (context), see patterns.py
    start: int
    end: int
    coding: bool = False  # a coding-system marker: the value is read beside it


class _Route(msgspec.Struct, frozen=True):
    category: str
    pattern: Pattern


def _compile(exprs: list[bytes], flags: list[int], ids: list[int]) -> hyperscan.Database:
    def build() -> hyperscan.Database:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
        except hyperscan.error as exc:  # a bad pattern is a bug found at load, never per body
            raise ConfigError(f"PHI patterns do not compile: {exc}") from exc
        return db

    return cached_database(exprs, flags, ids, build)  # compiling costs ~1 s a process; loading, <1 ms


class _Confirm:
    """One pattern with its leading boundary, tracking match starts: confirms one candidate end.

    Scans use the database's own scratch: with the python-hyperscan binding, passing a
    ``Scratch`` costs more per call than the scan of a short window itself."""

    def __init__(self, pat: Pattern) -> None:
        expr = (pat.lead + pat.expr + pat.trail).encode("ascii")
        self.db = _compile([expr], [hyperscan.HS_FLAG_SOM_LEFTMOST], [0])
        self.span = pat.span

    def start(self, padded: bytes, end: int) -> int:
        """Start (in ``padded``) of the full match ending at ``end``, or -1 when there is none."""
        lo = end - self.span
        if lo < 0:
            lo = 0
        found: list[int] = [end - lo]  # [wanted stop, starts of matches that stop there...]
        self.db.scan(padded[lo:end], match_event_handler=_collect, context=found)
        if len(found) == 1:
            return -1
        return lo + min(found[1:])


def _collect(_pid: int, start: int, stop: int, _flags: int, found: Any) -> bool | None:
    if stop == found[0]:
        found.append(start)
    return None


class CompiledPatterns:
    """The scan databases and the routing table from pattern id to category."""

    def __init__(self, recognizers: tuple[Recognizer, ...]) -> None:
        exprs: list[bytes] = []
        flags: list[int] = []
        self.routes: list[_Route] = []
        for rec in recognizers:
            for pat in rec.patterns:
                lead = pat.lead if pat.scan_lead else ""
                exprs.append((lead + pat.expr + pat.trail).encode("ascii"))
                flags.append(hyperscan.HS_FLAG_SINGLEMATCH if pat.coding else 0)
                self.routes.append(_Route(rec.category, pat))
        ids = list(range(len(exprs)))
        self.db = _compile(exprs, flags, ids)
        fhir = [i for i in ids if self.routes[i].pattern.in_fhir]
        self.fhir_db = _compile([exprs[i] for i in fhir], [flags[i] for i in fhir], fhir)
        self._confirm: dict[int, _Confirm] = {}

    def confirmer(self, pid: int) -> _Confirm:
        found = self._confirm.get(pid)
        if found is None:  # compiled on first use: most bodies need only a few patterns
            found = self._confirm[pid] = _Confirm(self.routes[pid].pattern)
        return found

    def scan(self, data: bytes, *, fhir: bool = False) -> list[Candidate]:
        """Candidates in ``data`` (offsets into ``data``), in match order. ``fhir``: the body
        parsed as FHIR JSON, so the smaller database is enough (see ``patterns.py``)."""
        raw: list[tuple[int, int]] = []
        append = raw.append

        def on_match(pid: int, _start: int, end: int, _flags: int, _ctx: Any) -> bool | None:
            append((pid, end))
            return None

        padded = b" " + data + b" "
        (self.fhir_db if fhir else self.db).scan(padded, match_event_handler=on_match)
        if not raw:  # most short strings (paths, queries, headers): nothing to confirm
            return []
        out: list[Candidate] = []
        routes = self.routes
        confirm = self._confirm
        for pid, end in raw:
            found = confirm.get(pid)
            if found is None:
                found = self.confirmer(pid)
            start = found.start(padded, end)
            if start < 0:
                continue
            route = routes[pid]
            pat = route.pattern
            if pat.lead:
                start += 1
            if pat.trail:
                end -= 1
            if pat.coding:
                out.append(Candidate(route.category, "", False, start - 1, end - 1, True))
                continue
            text = padded[start:end].decode("utf-8", "replace")
            if pat.strip:
                text = text.rstrip(pat.strip)
            if pat.labelled:
                text = _label_value(text, pat.value_chars, route.category)
                if not text:
                    continue
            out.append(Candidate(route.category, text, pat.labelled, start - 1, end - 1))
        return out


def _label_value(text: str, chars: str, category: str) -> str:
    """The value at the end of a labelled match: the longest suffix made of ``chars``."""
    value = text[len(text.rstrip(chars)) :].strip(" -.")  # rstrip finds that suffix in C
    if category == "name":
        low = value.lower()
        for label in _NAME_LABELS:
            if low.startswith(label + " "):
                value = value[len(label) + 1 :].strip()
                break
    if category in ("phone", "fax"):
        value = value.strip()
    return value


@functools.cache
def compiled(recognizers: tuple[Recognizer, ...] = ALL_RECOGNIZERS) -> CompiledPatterns:
    return CompiledPatterns(recognizers)
