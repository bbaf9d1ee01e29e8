"""bots: AI crawlers and agents, headless browsers, and machine-regular timing.

Description: user agents are matched (case-insensitive substrings, verdict cached per agent)
against ``data/bot_agents.txt``: AI crawlers and agents (GPTBot, ClaudeBot, CCBot,
PerplexityBot, Bytespider, ...) and headless-browser signatures. Per actor it also keeps the
inter-arrival times of its requests (Welford mean and variance): a long run of requests at
near-constant intervals is a machine (a script, a poller), whatever its user agent says.

Severity: an AI crawler on authenticated or PHI-bearing traffic (or a Patient-compartment
resource) is high, elsewhere medium; a headless browser is medium; regular timing alone is
low (schedulers and polling apps are machines too), medium past ``regular_min_requests``.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from phiwatch.detect.base import DETECTORS, AlertBook, DetectContext, Detector, Lru, rounded
from phiwatch.detect.fhir_compartment import in_compartment
from phiwatch.detect.options import BotsOptions, detector_options
from phiwatch.errors import ConfigError
from phiwatch.model import AUTH_NONE, Alert, Event

NAME = "bots"
UA_MAX = 512  # longer agents are cut before matching (absurd headers; counted)


class Agent:
    """One known bot: its user-agent token, kind (``ai_crawler`` or ``headless``), operator."""

    __slots__ = ("kind", "operator", "token")

    def __init__(self, token: str, kind: str, operator: str) -> None:
        self.token = token
        self.kind = kind
        self.operator = operator


def load_agents() -> list[Agent]:
    """The shipped list of bot user-agent tokens."""
    text = resources.files("phiwatch.detect").joinpath("data/bot_agents.txt").read_text(encoding="utf-8")
    out: list[Agent] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in ("ai_crawler", "headless"):
            raise ConfigError(f"bot_agents.txt: bad line {line!r}")
        out.append(Agent(parts[0], parts[1], parts[2]))
    return out


class _Timing:
    __slots__ = ("last", "m2", "mean", "n", "requests", "window")

    def __init__(self, window: int, t: float) -> None:
        self.window = window
        self.last = t
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.requests = 1


class Bots:
    name = NAME

    def __init__(self, ctx: DetectContext, options: BotsOptions) -> None:
        self.ctx = ctx
        # settings copied to native attributes: read per event, and a msgspec field read from
        # compiled code is a generic getattr (a type lookup and a descriptor call) each time
        self.regular_cv = options.regular_cv
        self.regular_max_interval_s = options.regular_max_interval_s
        self.regular_min = options.regular_min
        self.regular_min_requests = options.regular_min_requests
        self.book = AlertBook(NAME, ctx)
        agents = load_agents()
        for token, kind in options.extra_agents.items():
            if kind not in ("ai_crawler", "headless"):
                raise ConfigError(f"bots: extra agent {token!r}: kind must be ai_crawler or headless")
            agents.append(Agent(token, kind, "-"))
        self._tokens = [(a.token.lower(), a) for a in agents]
        self._verdicts: Lru[str, Agent | None] = Lru(16_384)
        self._none = Agent("", "", "")
        self.timing: Lru[str, _Timing] = Lru(ctx.options.max_keys)
        self.counts: dict[str, int] = {"long_user_agent": 0}

    def classify(self, ua: str) -> Agent | None:
        """The bot this user agent belongs to, or None."""
        hit = self._verdicts.get(ua)
        if hit is not None:
            return hit if hit.kind else None
        low = ua.lower()
        found = next((a for tok, a in self._tokens if tok in low), None)
        self._verdicts.put(ua, found or self._none)
        return found

    def process(self, event: Event) -> None:
        ctx = self.ctx  # the view is shared: built by the first detector, reused without a call
        v = ctx.last_view if event is ctx.last_event else ctx.view(event)
        if v is None or v.allowlisted:
            return
        ua = v.request.headers.get("user-agent", "")  # Event.user_agent, minus a property call
        if len(ua) > UA_MAX:
            self.counts["long_user_agent"] += 1
            ua = ua[:UA_MAX]
        if ua:
            hit = self._verdicts.get(ua)  # the cached verdict; classify() fills it
            agent = (hit if hit.kind else None) if hit is not None else self.classify(ua)
        else:
            agent = None
        if agent is not None:
            ident = v.ident
            sensitive = (
                (ident is not None and ident.kind != AUTH_NONE) or bool(event.phi) or in_compartment(v.rtype)
            )
            if agent.kind == "ai_crawler":
                severity = "high" if sensitive else "medium"
            else:
                severity = "medium"
            evidence: dict[str, object] = {
                "reason": agent.kind,
                "agent": agent.token,
                "operator": agent.operator,
                "authenticated": ident is not None and ident.kind != AUTH_NONE,
                "phi": bool(event.phi),
            }
            self.book.raise_alert(v, severity, evidence)
            return
        # per-actor inter-arrival statistics (Welford), inline: this runs for every event
        t = v.t
        tm = self.timing.get(v.actor)
        if tm is None or tm.window != v.window:
            tm = self.timing.put(v.actor, _Timing(v.window, t))
        else:
            dt = t - tm.last
            tm.last = t
            tm.requests += 1
            if dt >= 0:
                n = tm.n = tm.n + 1
                delta = dt - tm.mean
                tm.mean += delta / n
                tm.m2 += delta * (dt - tm.mean)
        if tm.n >= self.regular_min and 0 < tm.mean <= self.regular_max_interval_s:
            sd = (tm.m2 / (tm.n - 1)) ** 0.5
            if sd / tm.mean < self.regular_cv:
                severity = "medium" if tm.requests >= self.regular_min_requests else "low"
                evidence = {
                    "reason": "regular_timing",
                    "interval_s": rounded(tm.mean, 2),
                    "cv": rounded(sd / tm.mean, 3),
                }
                self.book.raise_alert(v, severity, evidence | {"requests": tm.requests})

    def alerts(self) -> list[Alert]:
        return self.book.alerts()

    def state_size(self) -> int:
        return len(self.timing)

    def stats(self) -> dict[str, int]:
        return dict(self.counts, evicted=self.timing.evicted, alerts_evicted=self.book.evicted)


@DETECTORS.register(NAME)
def make(ctx: DetectContext, settings: Mapping[str, Any]) -> Detector:
    return Bots(ctx, detector_options(BotsOptions, NAME, settings))
