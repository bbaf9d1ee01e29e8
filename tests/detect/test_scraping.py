"""scraping: volume, distributed credential, sequential walks, deep pages, broad searches."""

from __future__ import annotations

import pytest

from phiwatch.detect.base import DetectContext
from phiwatch.detect.options import DetectOptions, ScrapingOptions
from phiwatch.detect.scraping import Scraping
from phiwatch.model import Event, Identity
from tests.factories import tevent

T0 = 1_767_225_600.0
TOKEN = Identity(kind="jwt", fingerprint="t", client_id="carebridge", subject="dr-1", scopes=("user/*.read",))


def run(events: list[Event], max_keys: int = 100_000, **opts: object) -> Scraping:
    det = Scraping(DetectContext(DetectOptions(max_keys=max_keys)), ScrapingOptions(**opts))  # type: ignore[arg-type]
    for ev in events:
        det.process(ev)
    return det


def reads(
    n: int, *, ips: int = 1, step: int = 7919, every: float = 20.0, ident: Identity | None = TOKEN
) -> list[Event]:
    return [
        tevent(
            path=f"/r4/Patient/{1_000_000 + (k * step) % 900_000}",
            ts=T0 + k * every,
            client_ip=f"100.64.{k % ips}.9",
            identity=ident,
        )
        for k in range(n)
    ]


@pytest.mark.parametrize(
    ("events", "reason", "severity"),
    [
        (reads(500), "volume", "high"),  # 500 records from one IP within 6 h
        (reads(120, ips=40), "distributed", "high"),  # low and slow, 40 IPs, one credential
        (reads(30, step=1), "sequential_walk", "high"),  # ids walked one by one
        (
            [
                tevent(path="/r4/Patient", query=f"name=a&_offset={1000 * k}", ts=T0 + k, identity=TOKEN)
                for k in range(1, 6)
            ],
            "deep_pagination",
            "medium",
        ),
        (
            [tevent(path="/r4/Patient", query="_count=50", ts=T0 + k, identity=TOKEN) for k in range(10)],
            "broad_search",
            "medium",
        ),  # a type search with no filter, ten times
    ],
)
def test_attack(events: list[Event], reason: str, severity: str) -> None:
    alerts = run(events).alerts()
    assert alerts and alerts[-1].evidence["reason"] == reason and alerts[-1].severity == severity


@pytest.mark.parametrize(
    ("events", "why"),
    [
        (reads(400), "busy clinician: 400 records in a shift, under max_records"),
        (reads(90, ips=40), "many IPs but few records (mobile roaming)"),
        (reads(24, step=1), "a short run of adjacent ids"),
        (
            reads(30, step=1, ident=Identity(kind="jwt", fingerprint="p", scopes=("system/*.read",))),
            "bulk partner",
        ),
        (
            [
                tevent(path="/r4/Observation", query="patient=1&_offset=40", ts=T0 + k, identity=TOKEN)
                for k in range(20)
            ],
            "shallow paging of a filtered search",
        ),
        (
            [tevent(path=f"/r4/Patient/{k}", status=404, ts=T0 + k, identity=TOKEN) for k in range(600)],
            "refused",
        ),
    ],
)
def test_benign_look_alike(events: list[Event], why: str) -> None:
    assert run(events).alerts() == [], why


def test_window_resets_and_state_cap() -> None:
    slow = reads(600, every=60.0)  # 10 h at one per minute: under 500 in each 6 h window
    assert run(slow).alerts() == []
    many = [
        tevent(
            path=f"/r4/Patient/{k}",
            ts=T0 + k,
            identity=Identity(kind="jwt", fingerprint=str(k), subject=str(k)),
        )
        for k in range(300)
    ]
    det = run(many, max_keys=20)
    assert det.state_size() == 20 and det.stats()["evicted"] == 280
