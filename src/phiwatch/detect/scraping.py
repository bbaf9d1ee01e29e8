"""scraping: one identity harvesting records, fast or low-and-slow, from one IP or many.

Description: per identity and scraping window (longer than the alert window, so slow
harvests add up) it keeps the distinct records read that it did not own (object ids across
endpoints that it did not first get in a list it received; capped),
the distinct client IPs using the credential, the longest sequential id walk (numeric ids
stepping by a small constant), deep pagination (offsets/pages far in) and broad searches
(a type search with no filter, or a huge ``_count``). Alerts when:

* distinct records >= ``max_records`` (high when spread over >= ``min_ips`` IPs: distributed);
* distinct IPs >= ``min_ips`` sharing one credential with >= ``distributed_records`` records;
* a sequential walk of >= ``walk_run`` ids (high);
* >= ``deep_pages`` deep page requests or >= ``broad_searches`` broad searches (medium).

SMART ``system/`` tokens are exempt by default (bulk partners; see ``partner_misuse``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from phiwatch.detect.base import DETECTORS, AlertBook, DetectContext, Detector, Lru, View
from phiwatch.detect.options import ScrapingOptions, detector_options
from phiwatch.model import Alert, Event

NAME = "scraping"
PAGE_PARAMS = frozenset({"_offset", "offset", "page", "_page", "start", "skip", "_getpagesoffset", "from"})
NO_FILTER = frozenset(
    {"_count", "_sort", "_offset", "_format", "_elements", "_summary", "_total", "page", "_page", "offset"}
)


class _Harvest:
    __slots__ = ("best", "broad", "deep", "ips", "last_id", "more", "records", "run", "window")

    def __init__(self, window: int) -> None:
        self.window = window
        self.records: set[int] = set()
        self.more = 0
        self.ips: set[str] = set()
        self.last_id: dict[str, int] = {}  # per endpoint path template, capped in process()
        self.run = 0
        self.best = 0  # longest walk in this window
        self.deep = 0
        self.broad = 0


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 18 else None


class Scraping:
    name = NAME

    def __init__(self, ctx: DetectContext, options: ScrapingOptions) -> None:
        self.ctx = ctx
        # settings copied to native attributes: read per event, and a msgspec field read from
        # compiled code is a generic getattr (a type lookup and a descriptor call) each time
        self.broad_count = options.broad_count
        self.broad_searches = options.broad_searches
        self.deep_offset = options.deep_offset
        self.deep_pages = options.deep_pages
        self.distributed_records = options.distributed_records
        self.exempt_system_scopes = options.exempt_system_scopes
        self.ips_cap = options.ips_cap
        self.max_records = options.max_records
        self.min_ips = options.min_ips
        self.records_cap = options.records_cap
        self.walk_run = options.walk_run
        self.walk_step = options.walk_step
        self.window_s = options.window_s
        self.book = AlertBook(NAME, ctx)
        self.harvests: Lru[str, _Harvest] = Lru(ctx.options.max_keys)
        self._queries: Lru[str, tuple[int, int, bool]] = Lru(4096)
        self.counts: dict[str, int] = {"exempt": 0}

    def _parse_query(self, query: str) -> tuple[int, int, bool]:
        """(deep page parameters, huge ``_count`` parameters, has a filter) of a query string."""
        deep = broad = 0
        filtered = False
        for part in query.split("&"):
            name, _, value = part.partition("=")
            if name in PAGE_PARAMS:
                n = _int(value)
                if n is not None and (
                    n >= self.deep_offset or (name in ("page", "_page") and n * 20 >= self.deep_offset)
                ):
                    deep += 1
            elif name == "_count":
                n = _int(value)
                if n is not None and n >= self.broad_count:
                    broad += 1
            if name and name not in NO_FILTER:
                filtered = True
        return deep, broad, filtered

    def _query(self, v: View, h: _Harvest) -> None:
        query = v.query
        parsed = self._queries.get(query)  # searches repeat (same filters, other pages)
        if parsed is None:
            parsed = self._queries.put(query, self._parse_query(query))
        deep, broad, filtered = parsed
        h.deep += deep
        h.broad += broad
        if not filtered and v.rtype and not v.rid and v.method == "GET":
            h.broad += 1

    def process(self, event: Event) -> None:
        ctx = self.ctx  # the view is shared: built by the first detector, reused without a call
        v = ctx.last_view if event is ctx.last_event else ctx.view(event)
        if v is None or v.allowlisted:
            return
        if v.system_scope and self.exempt_system_scopes:
            self.counts["exempt"] += 1
            return
        win = int(v.t // self.window_s)
        actor = v.actor
        h = self.harvests.get(actor)
        if h is None or h.window != win:
            h = self.harvests.put(actor, _Harvest(win))
        ips = h.ips
        if len(ips) < self.ips_cap:
            ips.add(v.ip)
        if v.query:
            self._query(v, h)
        oid = v.oid
        # v.owned: already answered when bola_ownership asked first (no call then)
        if oid and 200 <= v.status < 300 and not (v.owned if v.owned is not None else ctx.owned(v)):
            path = v.tpath
            rec = hash((path, oid))
            records = h.records
            if rec not in records:
                if len(records) < self.records_cap:
                    records.add(rec)
                else:
                    h.more += 1
            if oid.isdigit() and len(oid) <= 18:  # a numeric id: part of a walk?
                n = int(oid)
                last_id = h.last_id
                last = last_id.get(path)
                h.run = h.run + 1 if last is not None and 0 < abs(n - last) <= self.walk_step else 0
                if h.run > h.best:
                    h.best = h.run
                if last is not None or len(last_id) < 64:
                    last_id[path] = n
        n_records = len(h.records) + h.more
        if (
            n_records < self.distributed_records
            and h.best < self.walk_run
            and h.deep < self.deep_pages
            and h.broad < self.broad_searches
            and n_records < self.max_records
        ):
            return  # the common case: no rule can fire
        n_ips = len(ips)
        reason = ""
        severity = "medium"
        if n_records >= self.max_records:
            reason, severity = "volume", "high"
        elif n_ips >= self.min_ips and n_records >= self.distributed_records:
            reason, severity = "distributed", "high"
        elif h.best >= self.walk_run:
            reason, severity = "sequential_walk", "high"
        elif h.deep >= self.deep_pages:
            reason = "deep_pagination"
        elif h.broad >= self.broad_searches:
            reason = "broad_search"
        if reason:
            evidence: dict[str, object] = {
                "reason": reason,
                "records": n_records,
                "ips": n_ips,
                "longest_walk": h.best,
                "deep_pages": h.deep,
                "broad_searches": h.broad,
            }
            self.book.raise_alert(v, severity, evidence)

    def alerts(self) -> list[Alert]:
        return self.book.alerts()

    def state_size(self) -> int:
        return len(self.harvests)

    def stats(self) -> dict[str, int]:
        return dict(self.counts, evicted=self.harvests.evicted, alerts_evicted=self.book.evicted)


@DETECTORS.register(NAME)
def make(ctx: DetectContext, settings: Mapping[str, Any]) -> Detector:
    return Scraping(ctx, detector_options(ScrapingOptions, NAME, settings))
