"""What one WAF evaluation returns, independent of the engine that produced it."""

from __future__ import annotations

import msgspec

# CRS severity names and the anomaly points each adds (crs-setup.conf.example, 900100).
SEVERITY_NAMES = ("emergency", "alert", "critical", "error", "warning", "notice", "info", "debug")
SEVERITY_SCORE = {"critical": 5, "error": 4, "warning": 3, "notice": 2}


class WafMatch(msgspec.Struct, frozen=True, omit_defaults=True):
    """One rule that matched. ``excerpt`` is masked (digits and non-keyword words hidden);
    the raw matched value is never kept."""

    rule_id: int
    message: str
    severity: str = ""  # critical | error | warning | notice | ... ("" when the rule sets none)
    category: str = ""  # from the rule's attack-* tag: sqli, xss, rce, lfi, protocol, ...
    paranoia_level: int = 0  # from the paranoia-level/N tag; 0 when untagged
    location: str = ""  # the variable that matched: ARGS:q, REQUEST_HEADERS:User-Agent, ...
    excerpt: str = ""
    tags: tuple[str, ...] = ()
    phase: int = 0

    @property
    def score(self) -> int:
        return SEVERITY_SCORE.get(self.severity, 0)


class WafResult(msgspec.Struct, omit_defaults=True):
    """The outcome for one request. ``inbound_score`` counts rules up to the blocking paranoia
    level, after per-endpoint exclusions; ``blocked`` is the anomaly decision (score >= threshold,
    or a disruptive rule such as a body-parse failure); the mode turns it into alert or deny."""

    evaluated: bool = True  # False: out of scope (static asset, ...), nothing ran
    matches: tuple[WafMatch, ...] = ()
    inbound_score: int = 0
    detection_score: int = 0  # all matched levels up to the detection paranoia level
    threshold: int = 5
    blocked: bool = False
    status: int = 0  # the engine's intervention status, when it made one
    protocol_violation: bool = False  # body could not be parsed, bad encoding, limits crossed
    excluded: tuple[int, ...] = ()  # rule ids dropped by endpoint exclusions
    notes: tuple[str, ...] = ()  # limits applied, parse errors: why the result may be partial

    @property
    def rule_ids(self) -> tuple[int, ...]:
        return tuple(m.rule_id for m in self.matches)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({m.category for m in self.matches if m.category}))


NOT_EVALUATED = WafResult(evaluated=False)
