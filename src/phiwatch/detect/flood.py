"""flood: layer-7 floods against robust, time-of-day aware per-endpoint rate baselines.

Description: requests are counted per endpoint in one-minute buckets. Each endpoint keeps a
baseline per UTC hour of day (an EWMA of per-minute counts, with a whole-day EWMA until an
hour has enough samples); minutes above ``factor`` x baseline are clipped when folded in, so
a flood does not teach the baseline. Rules:

* ``endpoint_rate``: a minute's count exceeds max(``min_volume``, ``factor`` x baseline).
  The alert names the top source when it sent >= ``concentration`` of the minute (medium, or
  high past 2 x the threshold); spread over many sources at normal per-source rates it is a
  flash crowd: severity low, actor ``*``;
* ``client_rate``: one actor sends >= ``client_min`` requests in a minute (high at 2 x);
* ``expensive``: one actor's minute cost (1 per request, plus response time and size, plus a
  surcharge for ``$everything``, ``_include``/``_revinclude`` and ``_count`` >= 500)
  exceeds ``cost_min`` (high).

IPs or CIDRs in ``DetectOptions.allowlist`` never alert and are not counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from phiwatch.detect.base import DETECTORS, AlertBook, DetectContext, Detector, Lru, View, rounded
from phiwatch.detect.options import FloodOptions, detector_options
from phiwatch.model import Alert, EndpointKey, Event

NAME = "flood"


class _Rate:
    __slots__ = ("count", "day", "day_n", "hours", "hours_n", "lead", "lead_n", "lead_ok", "minute", "top")

    def __init__(self, minute: int) -> None:
        self.minute = minute
        self.count = 0
        self.day = 0.0
        self.day_n = 0
        self.hours = [0.0] * 24
        self.hours_n = [0] * 24
        self.top: dict[str, int] = {}  # Misra-Gries counters, insertion-ordered like Counter
        # The top source as max() over ``top`` names it (first of the largest), kept as counts
        # grow so a flood minute does not rescan ``top`` per request; lead_ok False: rescan.
        self.lead = "*"
        self.lead_n = 0
        self.lead_ok = True


class _Client:
    __slots__ = ("cost", "count", "minute")

    def __init__(self, minute: int) -> None:
        self.minute = minute
        self.count = 0
        self.cost = 0.0


def cost_of(v: View, surcharge: float = 20.0) -> float:
    """Relative server cost of one request (1 = a cheap read; ``surcharge`` for an expensive
    search or operation)."""
    resp = v.response
    cost = 1.0
    ms = resp.duration_ms
    if ms:
        cost += (ms if ms < 60_000.0 else 60_000.0) / 100.0
    size = resp.body_size
    if size is None:
        body = resp.body
        size = len(body) if body else 0
    cost += size / 100_000.0
    query = v.query
    # "include" first: most queries have none, so one search instead of two
    if v.op == "$everything" or (
        query and "include" in query and ("_include" in query or "_revinclude" in query)
    ):
        cost += surcharge
    elif query and "_count=" in query:
        for part in query.split("&"):
            if part.startswith("_count="):
                n = part[7:]
                if n.isdigit() and len(n) < 9 and int(n) >= 500:
                    cost += surcharge
    return cost


_BY_COUNT = itemgetter(1)


class Flood:
    name = NAME

    def __init__(self, ctx: DetectContext, options: FloodOptions) -> None:
        self.ctx = ctx
        # settings copied to native attributes: read per event, and a msgspec field read from
        # compiled code is a generic getattr (a type lookup and a descriptor call) each time
        self.alpha = options.alpha
        self.client_min = options.client_min
        self.concentration = options.concentration
        self.cost_min = options.cost_min
        self.expensive_surcharge = options.expensive_surcharge
        self.factor = options.factor
        self.min_samples = options.min_samples
        self.min_volume = options.min_volume
        self.top_sources = options.top_sources
        self.book = AlertBook(NAME, ctx)
        cap = ctx.options.max_keys
        self.rates: Lru[EndpointKey, _Rate] = Lru(max(1, cap // 10))
        self.clients: Lru[str, _Client] = Lru(cap)

    def baseline(self, r: _Rate, hour: int) -> float | None:
        """Expected requests per minute on the endpoint at this hour; None while learning."""
        if r.hours_n[hour] >= self.min_samples:
            return r.hours[hour]
        if r.day_n >= self.min_samples:
            return r.day
        return None

    def _fold(self, r: _Rate, minute: int) -> None:
        """Close the endpoint's current minute (and the empty minutes since) into its baseline."""
        a = self.alpha
        gap = min(minute - r.minute, 61)
        # an empty minute's 0 is never capped when factor >= 0 (the cap is then >= 0): its
        # baseline need not be looked up (up to 60 such minutes per fold of a quiet endpoint)
        uncapped_zero = self.factor >= 0.0
        for k in range(gap):
            m = r.minute + k
            hour = (m // 60) % 24
            x = float(r.count if k == 0 else 0)
            if k == 0 or not uncapped_zero:
                base = self.baseline(r, hour)
                if base is not None:
                    x = min(x, self.factor * max(base, 1.0))
            r.hours[hour] = x if r.hours_n[hour] == 0 else (1 - a) * r.hours[hour] + a * x
            r.hours_n[hour] += 1
            r.day = x if r.day_n == 0 else (1 - a) * r.day + a * x
            r.day_n += 1
        r.minute = minute
        r.count = 0
        r.top.clear()
        r.lead, r.lead_n, r.lead_ok = "*", 0, True

    def _count_source(self, r: _Rate, actor: str) -> None:
        top = r.top
        n = top.get(actor)
        if n is not None:
            n += 1
            top[actor] = n
            if n > r.lead_n:
                r.lead, r.lead_n = actor, n
            elif n == r.lead_n:
                r.lead_ok = False  # a tie: which one max() names depends on key order
        elif len(top) < self.top_sources:
            top[actor] = 1
            if r.lead_n == 0:  # a new key ties an older one at 1: the older stays first
                r.lead, r.lead_n = actor, 1
        else:  # Misra-Gries: decrement all, drop zeros (survivors keep their order)
            r.top = {k: n - 1 for k, n in top.items() if n > 1}
            # all fell by one: the first of the largest stays first, or all were 1 and left
            if r.lead_n > 1:
                r.lead_n -= 1
            else:
                r.lead, r.lead_n = "*", 0

    def _top(self, r: _Rate) -> tuple[str, int]:
        """The top source of the minute and its count (``("*", 0)`` when none)."""
        if not r.lead_ok:
            r.lead, r.lead_n = max(r.top.items(), key=_BY_COUNT) if r.top else ("*", 0)
            r.lead_ok = True
        return r.lead, r.lead_n

    def process(self, event: Event) -> None:
        ctx = self.ctx  # the view is shared: built by the first detector, reused without a call
        v = ctx.last_view if event is ctx.last_event else ctx.view(event)
        if v is None or v.allowlisted:
            return
        minute = int(v.t // 60)
        ep = v.endpoint
        actor = v.actor
        r = self.rates.get(ep)
        if r is None:
            r = self.rates.put(ep, _Rate(minute))
        elif minute > r.minute:
            self._fold(r, minute)
        count = r.count = r.count + 1
        top = r.top
        n = top.get(actor)
        if n is not None:  # _count_source's common case, inline
            n += 1
            top[actor] = n
            if n > r.lead_n:
                r.lead, r.lead_n = actor, n
            elif n == r.lead_n:
                r.lead_ok = False
        else:
            self._count_source(r, actor)
        if count > self.min_volume:  # below min_volume no baseline can make an endpoint alert
            self._endpoint_rate(v, r, minute)
        c = self.clients.get(actor)
        if c is None or c.minute != minute:
            c = self.clients.put(actor, _Client(minute))
        c.count += 1
        c.cost += cost_of(v, self.expensive_surcharge)
        if c.count >= self.client_min:
            severity = "high" if c.count >= 2 * self.client_min else "medium"
            self.book.raise_alert(v, severity, {"reason": "client_rate", "per_minute": c.count})
        elif c.cost >= self.cost_min:
            self.book.raise_alert(
                v,
                "high",
                {"reason": "expensive", "cost_per_minute": int(c.cost + 0.5), "per_minute": c.count},
            )

    def _endpoint_rate(self, v: View, r: _Rate, minute: int) -> None:
        base = self.baseline(r, (minute // 60) % 24)
        limit = (
            max(float(self.min_volume), self.factor * base) if base is not None else float(self.min_volume)
        )
        if r.count > limit:
            top, n = self._top(r)
            share = n / r.count
            if share >= self.concentration:
                actor, severity = top, "high" if r.count > 2 * limit else "medium"
            else:
                actor, severity = "*", "low"
            evidence: dict[str, object] = {
                "reason": "endpoint_rate",
                "per_minute": r.count,
                "baseline": rounded(base, 1) if base is not None else None,
                "top_share": rounded(share, 2),
            }
            self.book.raise_alert(v, severity, evidence, actor=actor, endpoint=v.endpoint)

    def alerts(self) -> list[Alert]:
        return self.book.alerts()

    def state_size(self) -> int:
        return len(self.rates) + len(self.clients)

    def stats(self) -> dict[str, int]:
        return {"evicted": self.rates.evicted + self.clients.evicted, "alerts_evicted": self.book.evicted}


@DETECTORS.register(NAME)
def make(ctx: DetectContext, settings: Mapping[str, Any]) -> Detector:
    return Flood(ctx, detector_options(FloodOptions, NAME, settings))
