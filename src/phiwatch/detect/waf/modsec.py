"""libmodsecurity 3 backend (PyPI ``libmodsecurity``, import name ``libmodsecurity``).

One ``ModSecurity`` + ``RulesSet`` per engine, one ``Transaction`` per request. The engine runs
DetectionOnly; the result carries every matched rule and the scores, and phiwatch decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from libmodsecurity import ModSecurity, RuleMessage, RulesSet, Transaction

from phiwatch.detect.waf import seclang
from phiwatch.detect.waf.config import WafConfig
from phiwatch.detect.waf.engine import ENGINES, WireRequest
from phiwatch.detect.waf.mask import location_from_match, mask_excerpt, split_logdata
from phiwatch.detect.waf.result import NOT_EVALUATED, SEVERITY_NAMES, WafMatch, WafResult
from phiwatch.detect.waf.rules import RuleSource
from phiwatch.detect.waf.scope import endpoint_path, excluded, in_scope
from phiwatch.detect.waf.wire import event_to_wire
from phiwatch.errors import ConfigError
from phiwatch.model import Event

_SKIP_TAGS = frozenset({"anomaly-evaluation"})  # 949110/959100/980xxx: the decision, not a match


def _discard(_line: str) -> None:
    """libmodsecurity writes every match to stderr when no log callback is set."""


def _safe(text: str) -> str | bytes:
    # Strings decoded with surrogateescape (invalid UTF-8 on the wire) cannot cross into C++ as
    # str; hand over the original bytes instead.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")
    return text


@ENGINES.register("modsecurity")
class ModSecEngine:
    """The libmodsecurity engine over one rule source and configuration."""

    name = "modsecurity"

    def __init__(
        self,
        source: RuleSource,
        config: WafConfig,
        *,
        extra: str = "",
        log_sink: Callable[[str], None] | None = None,
    ) -> None:
        """``extra`` is SecLang loaded before the rules; ``log_sink`` receives the engine's raw
        error-log lines (they hold unmasked values: for the regression runner only)."""
        self.source = source
        self.config = config
        self.modsec = ModSecurity()
        self.modsec.set_connector_information("phiwatch")
        self.modsec.set_log_callback(log_sink or _discard)
        self.rules = RulesSet()
        self.rule_count = 0
        for kind, item in seclang.plan(source, config, extra=extra):
            loaded = self.rules.load(item) if kind == "text" else self.rules.load_from_uri(item)
            if loaded < 0:
                where = item if kind == "file" else "generated settings"
                raise ConfigError(f"{where}: {self.rules.get_parser_error().strip()}")
            self.rule_count += loaded

    def version(self) -> str:
        return self.modsec.who_am_i()

    def evaluate(self, event: Event) -> WafResult:
        if not in_scope(event, self.config.scope):
            return NOT_EVALUATED
        wire, notes = event_to_wire(event, self.config.limits)
        resp = event.response
        if not (self.config.inspect_response and resp.status):
            return self._run(wire, endpoint_path(event), notes)
        return self._run(
            wire,
            endpoint_path(event),
            notes,
            response_status=resp.status,
            response_headers=resp.headers,
            response_body=resp.body or b"",
        )

    def evaluate_wire(self, request: WireRequest, endpoint: str = "") -> WafResult:
        return self._run(request, endpoint or request.uri.split("?", 1)[0], ())

    def _run(
        self,
        req: WireRequest,
        endpoint: str,
        notes: tuple[str, ...],
        *,
        response_status: int = 0,
        response_headers: dict[str, str] | None = None,
        response_body: bytes = b"",
    ) -> WafResult:
        tx = Transaction(self.modsec, self.rules)
        tx.process_connection(req.client_ip, req.client_port, req.server_ip, req.server_port)
        tx.process_uri(_safe(req.uri), _safe(req.method), req.http_version)  # type: ignore[arg-type]
        for name, value in req.headers:
            tx.add_request_header(_safe(name), _safe(value))  # type: ignore[arg-type]
        tx.process_request_headers()
        if req.body:
            tx.append_request_body(req.body)
        tx.process_request_body()
        if response_status:
            for name, value in (response_headers or {}).items():
                tx.add_response_header(_safe(name), _safe(value))  # type: ignore[arg-type]
            tx.process_response_headers(response_status, "HTTP/1.1")
            if response_body:
                tx.append_response_body(response_body)
            tx.process_response_body()
        intervention = tx.intervention()
        messages = tx.get_rule_messages()
        truncated = any(n.startswith("body cut") for n in notes)
        status = intervention.status if intervention and intervention.disruptive else 0
        return self._result(messages, endpoint, req.method, notes, truncated, status)

    def _result(
        self,
        messages: Sequence[RuleMessage],
        endpoint: str,
        method: str,
        notes: tuple[str, ...],
        truncated: bool,
        status: int,
    ) -> WafResult:
        cfg = self.config
        matches: list[WafMatch] = []
        dropped: list[WafMatch] = []
        blocking = detection = legacy = -1
        body_error = False
        extra_notes: list[str] = []
        for m in messages:
            if m.rule_id == seclang.SCORE_RULE_ID:
                blocking, detection, legacy = _scores(_text(m, "data"))
                continue
            tags = tuple(m.tags)
            if _SKIP_TAGS.intersection(tags):
                continue
            match = _to_match(m, tags)
            if m.rule_id == seclang.BODY_ERROR_RULE_ID:
                body_error = True
                extra_notes.append("request body could not be parsed")
            if cfg.exclusions and excluded(cfg.exclusions, endpoint, method, m.rule_id, tags):
                dropped.append(match)
            else:
                matches.append(match)
        if blocking < 0:  # CRS 3 has only the combined score; the built-in set always sets both
            blocking = detection = max(legacy, 0)
        if dropped:
            # Excluded rules no longer count. CRS adds a rule's points once per matched variable
            # while the engine reports the rule once, so: nothing left -> 0, else at least the sum
            # of what is left and at most the engine's total less one share per dropped rule.
            blocking = _rescore(blocking, matches, dropped, cfg.paranoia_level)
            detection = _rescore(detection, matches, dropped, cfg.detection_level)
        body_error_counts = (
            body_error and not truncated and all(d.rule_id != seclang.BODY_ERROR_RULE_ID for d in dropped)
        )
        return WafResult(
            matches=tuple(matches),
            inbound_score=blocking,
            detection_score=max(detection, blocking),
            threshold=cfg.inbound_threshold,
            blocked=blocking >= cfg.inbound_threshold or body_error_counts,
            status=status,
            protocol_violation=body_error or bool(notes),
            excluded=tuple(d.rule_id for d in dropped),
            notes=notes + tuple(extra_notes),
        )


def _rescore(total: int, kept: list[WafMatch], dropped: list[WafMatch], level: int) -> int:
    kept_sum = sum(m.score for m in kept if m.paranoia_level <= level)
    if kept_sum == 0:
        return 0
    dropped_sum = sum(m.score for m in dropped if m.paranoia_level <= level)
    return max(total - dropped_sum, kept_sum)


def _text(m: RuleMessage, field: str) -> str:
    """A string field of a RuleMessage. The binding decodes C++ strings as strict UTF-8 and raises
    when a match holds invalid bytes (hostile input does); such a field reads as a marker."""
    try:
        return str(getattr(m, field))
    except UnicodeDecodeError:
        return "<invalid utf-8>"


def _scores(data: str) -> tuple[int, int, int]:
    parts = [*data.split("|"), "", "", ""][:3]
    return tuple(int(p) if p.strip().lstrip("-").isdigit() else -1 for p in parts)  # type: ignore[return-value]


def _to_match(m: RuleMessage, tags: tuple[str, ...]) -> WafMatch:
    level = 0
    category = ""
    for tag in tags:
        if tag.startswith("paranoia-level/") and tag[15:].isdigit():
            level = int(tag[15:])
        elif tag.startswith("attack-") and not category:
            category = tag[7:]
    location, matched = split_logdata(_text(m, "data"))
    if not location:
        location = location_from_match(_text(m, "match"))
    severity = SEVERITY_NAMES[m.severity] if 0 < m.severity < len(SEVERITY_NAMES) else ""
    return WafMatch(
        rule_id=m.rule_id,
        message=_text(m, "message"),
        severity=severity,
        category=category,
        paranoia_level=level or (1 if category else 0),
        location=location,
        excerpt=mask_excerpt(matched) if matched else "",
        tags=tags,
        phase=m.phase,
    )
