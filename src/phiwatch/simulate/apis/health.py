"""``GET /healthz`` on every host: infrastructure, in no spec (so it is a shadow endpoint)."""

from __future__ import annotations

from phiwatch.simulate.exchange import NO_CRED, Client, Emitted, Sim

PATH = "/healthz"


def healthz(sim: Sim, client: Client, host: str) -> Emitted:
    body = b'{"status":"ok","checks":{"db":"ok","cache":"ok"}}'
    return sim.exchange(
        client,
        NO_CRED,
        "GET",
        host,
        PATH,
        PATH,
        body=body,
        content_type="application/json",
        cache="no-cache",
        latency_ms=2.0,
        accept="*/*",
    )
