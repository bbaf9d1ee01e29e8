"""One hyperscan database for every recognizer pattern; one scan per body.

Hits are routed by pattern id to their category. The database is compiled once per process
(cached on the recognizer tuple, which is immutable data). Bodies are scanned with one space
of padding on each side so the one-byte boundary classes of ``patterns.py`` also hold at the
edges; offsets are mapped back.
"""

from __future__ import annotations

import functools
from typing import Any

import hyperscan
import msgspec

from phiwatch.classify.patterns import ALL_RECOGNIZERS, NONE, Pattern, Recognizer
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


class CompiledPatterns:
    """The hyperscan database and the routing table from pattern id to category."""

    def __init__(self, recognizers: tuple[Recognizer, ...]) -> None:
        exprs: list[bytes] = []
        flags: list[int] = []
        self.routes: list[_Route] = []
        for rec in recognizers:
            for pat in rec.patterns:
                expr = f"{pat.lead}{pat.expr}{pat.trail}" if pat.lead or pat.trail else pat.expr
                if pat.lead and not pat.trail:
                    expr = f"{pat.lead}{pat.expr}"
                exprs.append(expr.encode("ascii"))
                flags.append(hyperscan.HS_FLAG_SOM_LEFTMOST)
                self.routes.append(_Route(rec.category, pat))
        self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            self.db.compile(expressions=exprs, ids=list(range(len(exprs))), elements=len(exprs), flags=flags)
        except hyperscan.error as exc:  # a bad pattern is a bug found at load, never per body
            raise ConfigError(f"PHI patterns do not compile: {exc}") from exc
        self.scratch = hyperscan.Scratch(self.db)

    def scan(self, data: bytes) -> list[Candidate]:
        """Candidates in ``data`` (offsets into ``data``), in match order."""
        raw: list[tuple[int, int, int]] = []

        def on_match(pid: int, start: int, end: int, _flags: int, _ctx: Any) -> bool | None:
            raw.append((pid, start, end))
            return None

        padded = b" " + data + b" "
        self.db.scan(padded, match_event_handler=on_match, scratch=self.scratch)
        out: list[Candidate] = []
        routes = self.routes
        for pid, start, end in raw:
            route = routes[pid]
            pat = route.pattern
            if pat.lead != NONE:
                start += 1
            if pat.trail != NONE:
                end -= 1
            if pat.coding:
                out.append(Candidate(route.category, "", False, start - 1, end - 1, True))
                continue
            text = padded[start:end].decode("utf-8", "replace")
            if pat.labelled:
                text = _label_value(text, pat.value_chars, route.category)
                if not text:
                    continue
            out.append(Candidate(route.category, text, pat.labelled, start - 1, end - 1))
        return out


def _label_value(text: str, chars: str, category: str) -> str:
    """The value at the end of a labelled match: the longest suffix made of ``chars``."""
    i = len(text)
    while i > 0 and text[i - 1] in chars:
        i -= 1
    value = text[i:].strip(" -.")
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
