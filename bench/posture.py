"""Posture checks over a 10k-endpoint inventory, beside the time to load that inventory from
the store. Prints the ratio checks/load (issue 5 wants it below 1). Not part of the tests.

    python bench/posture.py [--endpoints 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from phiwatch.model import Endpoint, EndpointKey
from phiwatch.posture import ObserveStage, run_checks
from phiwatch.posture.facts import EndpointFacts, HostFacts
from phiwatch.store import open_store


def inventory(n: int, rng: random.Random) -> tuple[list[Endpoint], ObserveStage]:
    observe = ObserveStage()
    endpoints = []
    for i in range(n):
        host = f"api{i % 40}.example.org"
        path = f"/r4/Resource{i % 300}/{{id}}/part{i}"
        ep = Endpoint(
            "GET",
            host,
            path,
            status=rng.choice(("documented", "shadow", "zombie", "orphan")),
            requests=rng.randint(1, 10_000),
            clients=rng.randint(1, 50),
            auth=["jwt"],
            phi=["name", "date"] if i % 3 == 0 else [],
            phi_in_url=i % 17 == 0,
            statuses={"200": 10, "404": 1},
            query_params=["_count", "patient"],
        )
        endpoints.append(ep)
        ids = [rng.randrange(10**6) for _ in range(20)]
        observe.endpoints[EndpointKey("GET", host, path)] = EndpointFacts(
            requests=ep.requests,
            ok=ep.requests,
            schemes={"https": ep.requests},
            peak_rate=rng.randint(1, 200),
            id_min=min(ids),
            id_max=max(ids),
            id_hashes=ids,
            numeric_ids=20,
            response_phi={"name": 3} if ep.phi else {},
            url_phi={"mrn": 1} if ep.phi_in_url else {},
            response_fields={f"f{k}": 1 for k in range(10)},
        )
    for h in range(40):
        observe.hosts[f"api{h}.example.org"] = HostFacts(responses=100, https_responses=100, no_hsts=h % 2)
    return endpoints, observe


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoints", type=int, default=10_000)
    args = ap.parse_args()
    endpoints, observe = inventory(args.endpoints, random.Random(1))
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        with open_store(db) as store, store.transaction():
            store.save_endpoints(endpoints)
            store.save_state("posture", observe.to_bytes())
        t0 = time.perf_counter()
        with open_store(db, create=False) as store:
            loaded = store.load_endpoints()
            state = store.load_state("posture")
        assert state is not None
        observed = ObserveStage.from_bytes(state)
        load_s = time.perf_counter() - t0
    run_checks(loaded[:10], observed, [])  # import and register the checks outside the timing
    t0 = time.perf_counter()
    run = run_checks(loaded, observed, [])
    checks_s = time.perf_counter() - t0
    print(f"endpoints={len(loaded)} findings={len(run.findings)} failed={len(run.failed)}")
    print(f"load (store + observe state) {load_s * 1000:.0f} ms; all checks {checks_s * 1000:.0f} ms")
    print(f"ratio checks/load = {checks_s / load_s:.2f} (want < 1)")


if __name__ == "__main__":
    main()
