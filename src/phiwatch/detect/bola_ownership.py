"""bola_ownership: object-level access far beyond an identity's peers, and id probing.

Description: for any API (FHIR or not), on object endpoints (a template with ``{id}``),
count per identity, endpoint and window the distinct object ids it touches that it does not
own (an id is owned when it appeared in a list, search or export the identity received
lately: ``DetectContext.owned``; a client that lists its invoices and opens them is not
enumerating), and compare with
the endpoint's baseline: a high quantile of the same count over the identities seen before
(its peers). An identity that reaches many more objects than its peers is reading objects
that are not its own. Probing shows as a high share of 401/403/404 on object ids.

SMART backend-services tokens (``system/`` scopes) are population-level by design and are
left to ``partner_misuse`` (``exempt_system_scopes``). Allowlisted IPs never alert.

Severity: high when the identity got 2xx on at least ``min_success_ids`` foreign-looking ids,
medium otherwise (mostly refused: probing).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from phiwatch.detect.base import DETECTORS, AlertBook, DetectContext, Detector, Lru, rounded
from phiwatch.detect.options import BolaOwnershipOptions, detector_options
from phiwatch.model import Alert, EndpointKey, Event

NAME = "bola_ownership"


class _Use:
    __slots__ = ("fails", "ids", "more", "n", "ok_ids", "window")

    def __init__(self, window: int) -> None:
        self.window = window
        self.ids: set[str] = set()
        self.more = 0  # distinct ids past the cap (approximate: new-looking ids)
        self.ok_ids = 0
        self.n = 0
        self.fails = 0


class _Peers:
    """Recent per-identity distinct counts on one endpoint, and their cached quantile."""

    __slots__ = ("dirty", "q", "samples")

    def __init__(self) -> None:
        self.samples: deque[int] = deque(maxlen=256)
        self.q = 0.0
        self.dirty = 0


class BolaOwnership:
    name = NAME

    def __init__(self, ctx: DetectContext, options: BolaOwnershipOptions) -> None:
        self.ctx = ctx
        # settings copied to native attributes: read per event, and a msgspec field read from
        # compiled code is a generic getattr (a type lookup and a descriptor call) each time
        self.exempt_system_scopes = options.exempt_system_scopes
        self.ids_cap = options.ids_cap
        self.min_distinct = options.min_distinct
        self.min_peers = options.min_peers
        self.min_success_ids = options.min_success_ids
        self.peer_factor = options.peer_factor
        self.peer_quantile = options.peer_quantile
        self.probe_min_requests = options.probe_min_requests
        self.probe_ratio = options.probe_ratio
        self.book = AlertBook(NAME, ctx)
        cap = ctx.options.max_keys
        self.uses: Lru[tuple[str, EndpointKey], _Use] = Lru(cap)
        self.peers: Lru[EndpointKey, _Peers] = Lru(max(1, cap // 10))
        self.counts: dict[str, int] = {"exempt": 0}

    def _peer_threshold(self, ep: EndpointKey) -> float:
        p = self.peers.get(ep)
        if p is None or len(p.samples) < self.min_peers:
            return float(self.min_distinct)
        if p.dirty:
            s = sorted(p.samples)
            p.q = float(s[min(len(s) - 1, int(self.peer_quantile * len(s)))])
            p.dirty = 0
        return max(float(self.min_distinct), self.peer_factor * p.q)

    def _close(self, ep: EndpointKey, use: _Use) -> None:
        p = self.peers.setdefault(ep, _Peers)
        p.samples.append(len(use.ids) + use.more)
        p.dirty = 1

    def process(self, event: Event) -> None:
        ctx = self.ctx  # the view is shared: built by the first detector, reused without a call
        v = ctx.last_view if event is ctx.last_event else ctx.view(event)
        if v is None or not v.oid or v.allowlisted:
            return
        if v.system_scope and self.exempt_system_scopes:
            self.counts["exempt"] += 1
            return
        ep = v.endpoint
        key = (v.actor, ep)
        use = self.uses.get(key)
        if use is None:
            use = self.uses.put(key, _Use(v.window))
        elif use.window != v.window:
            self._close(ep, use)
            use = self.uses.put(key, _Use(v.window))
        use.n += 1
        status = v.status
        oid = v.oid
        new = oid not in use.ids and not self.ctx.owned(v)
        if new:
            if len(use.ids) < self.ids_cap:
                use.ids.add(oid)
            else:
                use.more += 1
        if status in (401, 403, 404):
            use.fails += 1
        elif new and 200 <= status < 300:
            use.ok_ids += 1
        distinct = len(use.ids) + use.more
        if distinct >= self.min_distinct and distinct >= self._peer_threshold(ep):
            severity = "high" if use.ok_ids >= self.min_success_ids else "medium"
            self.book.raise_alert(
                v,
                severity,
                {
                    "reason": "ids_beyond_peers",
                    "distinct_ids": distinct,
                    "ids_ok": use.ok_ids,
                    "refused": use.fails,
                    "requests": use.n,
                    "peer_threshold": rounded(self._peer_threshold(ep), 1),
                },
                endpoint=ep,
            )
        elif use.n >= self.probe_min_requests and use.fails >= self.probe_ratio * use.n:
            self.book.raise_alert(
                v,
                "medium",
                {"reason": "probing", "requests": use.n, "refused": use.fails, "distinct_ids": distinct},
                endpoint=ep,
            )

    def alerts(self) -> list[Alert]:
        return self.book.alerts()

    def state_size(self) -> int:
        return len(self.uses) + len(self.peers)

    def stats(self) -> dict[str, int]:
        return dict(
            self.counts, evicted=self.uses.evicted + self.peers.evicted, alerts_evicted=self.book.evicted
        )


@DETECTORS.register(NAME)
def make(ctx: DetectContext, settings: Mapping[str, Any]) -> Detector:
    return BolaOwnership(ctx, detector_options(BolaOwnershipOptions, NAME, settings))
