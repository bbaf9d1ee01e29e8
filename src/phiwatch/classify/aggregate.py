"""PHI per endpoint and per client: the ``phi_flows`` stage (after discovery and classify).

Per endpoint: the categories its responses and requests carry, with exchange counts, and
``phi_in_url`` when PHI appeared in the path or query. Per client (``identity.actor``: SMART
client_id, subject, API-key fingerprint): categories received, endpoints, PHI records, and
distinct patients estimated with a HyperLogLog (1 KiB per client). Every table is capped;
state serialises to bytes and merges, for incremental runs.
"""

from __future__ import annotations

from collections import Counter

import msgspec

from phiwatch.classify.categories import URL_LOCATIONS
from phiwatch.classify.stage import ClassifyStage
from phiwatch.model import EndpointKey, Event
from phiwatch.sketch import HyperLogLog

ANONYMOUS = "anonymous"


class EndpointPhi(msgspec.Struct):
    response: dict[str, int] = msgspec.field(default_factory=dict)  # category -> exchanges
    request: dict[str, int] = msgspec.field(default_factory=dict)
    phi_in_url: bool = False
    url_categories: list[str] = msgspec.field(default_factory=list)

    @property
    def phi(self) -> list[str]:
        """``endpoints[].phi`` of the JSON contract: categories found in responses, sorted."""
        return sorted(self.response)

    def merge(self, other: EndpointPhi) -> None:
        for mine, theirs in ((self.response, other.response), (self.request, other.request)):
            for cat, n in theirs.items():
                mine[cat] = mine.get(cat, 0) + n
        self.phi_in_url = self.phi_in_url or other.phi_in_url
        self.url_categories = sorted(set(self.url_categories) | set(other.url_categories))


class DataFlow(msgspec.Struct):
    """One ``data_flows[]`` row: which client received which PHI categories."""

    client: str
    phi: list[str]
    endpoints: list[str]  # "GET fhir.example.org/Patient/{id}"
    records: int
    patients: int  # estimated distinct patients (HyperLogLog)


class _Client(msgspec.Struct):
    categories: dict[str, int] = msgspec.field(default_factory=dict)
    endpoints: list[str] = msgspec.field(default_factory=list)
    records: int = 0
    registers: bytes = b""


class _State(msgspec.Struct):
    version: int
    endpoints: list[tuple[EndpointKey, EndpointPhi]]
    clients: dict[str, _Client]
    dropped: dict[str, int]


def endpoint_label(key: EndpointKey) -> str:
    return f"{key.method} {key.host}{key.path}"


class PhiAggregator:
    name = "phi_flows"

    def __init__(
        self,
        classify: ClassifyStage | None = None,
        *,
        max_endpoints: int = 50_000,
        max_clients: int = 10_000,
        max_endpoints_per_client: int = 1_000,
    ) -> None:
        self.classify = classify
        self.max_endpoints = max_endpoints
        self.max_clients = max_clients
        self.max_endpoints_per_client = max_endpoints_per_client
        self._endpoints: dict[EndpointKey, EndpointPhi] = {}
        self._clients: dict[str, _Client] = {}
        self._hll: dict[str, HyperLogLog] = {}
        self.dropped: Counter[str] = Counter()  # state not kept because a cap was reached

    def process(self, event: Event) -> None:
        if not event.phi:
            return
        resp_cats = {h.category for h in event.phi if h.location == "response_body"}
        req_cats = {h.category for h in event.phi if h.location != "response_body"}
        url_cats = {h.category for h in event.phi if h.location in URL_LOCATIONS}
        if event.endpoint is not None:
            ep = self._endpoints.get(event.endpoint)
            if ep is None:
                if len(self._endpoints) >= self.max_endpoints:
                    self.dropped["endpoints"] += 1
                else:
                    ep = self._endpoints[event.endpoint] = EndpointPhi()
            if ep is not None:
                for cat in resp_cats:
                    ep.response[cat] = ep.response.get(cat, 0) + 1
                for cat in req_cats:
                    ep.request[cat] = ep.request.get(cat, 0) + 1
                if url_cats:
                    ep.phi_in_url = True
                    ep.url_categories = sorted(set(ep.url_categories) | url_cats)
        if resp_cats:
            self._flow(event, resp_cats)

    def _flow(self, event: Event, categories: set[str]) -> None:
        actor = (event.identity.actor if event.identity is not None else "") or ANONYMOUS
        client = self._clients.get(actor)
        if client is None:
            if len(self._clients) >= self.max_clients:
                self.dropped["clients"] += 1
                return
            client = self._clients[actor] = _Client()
            self._hll[actor] = HyperLogLog()
        for cat in categories:
            client.categories[cat] = client.categories.get(cat, 0) + 1
        if event.endpoint is not None:
            label = endpoint_label(event.endpoint)
            if label not in client.endpoints:
                if len(client.endpoints) < self.max_endpoints_per_client:
                    client.endpoints.append(label)
                else:
                    self.dropped["client_endpoints"] += 1
        detail = self.classify.detail(event) if self.classify is not None else None
        hll = self._hll[actor]
        if detail is not None:
            client.records += detail.records
            for p in detail.patients:
                hll.add(p)
        else:
            client.records += 1
        if not (detail and detail.patients) and event.identity is not None and event.identity.patient:
            # SMART launch context, keyed like the classified keys so one patient is one key
            key = "Patient/" + event.identity.patient
            hll.add(self.classify.classifier.fingerprint(key) if self.classify is not None else key)

    def endpoint_phi(self) -> dict[EndpointKey, EndpointPhi]:
        return dict(self._endpoints)

    def flows(self) -> list[DataFlow]:
        out = []
        for actor in sorted(self._clients):
            c = self._clients[actor]
            out.append(
                DataFlow(
                    actor, sorted(c.categories), sorted(c.endpoints), c.records, self._hll[actor].count()
                )
            )
        return out

    def to_bytes(self) -> bytes:
        clients = {}
        for actor, c in self._clients.items():
            clients[actor] = _Client(
                dict(c.categories), list(c.endpoints), c.records, self._hll[actor].to_bytes()
            )
        state = _State(1, sorted(self._endpoints.items()), clients, dict(self.dropped))
        return msgspec.msgpack.encode(state)

    @classmethod
    def from_bytes(cls, data: bytes, classify: ClassifyStage | None = None) -> PhiAggregator:
        agg = cls(classify)
        agg.merge_bytes(data)
        return agg

    def merge_bytes(self, data: bytes) -> None:
        state = msgspec.msgpack.decode(data, type=_State)
        other = PhiAggregator()
        other._endpoints = dict(state.endpoints)
        for actor, c in state.clients.items():
            other._clients[actor] = _Client(c.categories, c.endpoints, c.records)
            other._hll[actor] = HyperLogLog(c.registers)
        other.dropped.update(state.dropped)
        self.merge(other)

    def merge(self, other: PhiAggregator) -> None:
        """Fold another run's state into this one (same caps apply)."""
        for key, ep in other._endpoints.items():
            mine = self._endpoints.get(key)
            if mine is None:
                if len(self._endpoints) >= self.max_endpoints:
                    self.dropped["endpoints"] += 1
                    continue
                mine = self._endpoints[key] = EndpointPhi()
            mine.merge(ep)
        for actor, c in other._clients.items():
            mine_c = self._clients.get(actor)
            if mine_c is None:
                if len(self._clients) >= self.max_clients:
                    self.dropped["clients"] += 1
                    continue
                mine_c = self._clients[actor] = _Client()
                self._hll[actor] = HyperLogLog()
            for cat, n in c.categories.items():
                mine_c.categories[cat] = mine_c.categories.get(cat, 0) + n
            for label in c.endpoints:
                if label not in mine_c.endpoints and len(mine_c.endpoints) < self.max_endpoints_per_client:
                    mine_c.endpoints.append(label)
            mine_c.records += c.records
            self._hll[actor].merge(other._hll[actor])
        self.dropped.update(other.dropped)
