"""bots: AI crawlers, headless browsers, machine-regular timing."""

from __future__ import annotations

import pytest

from phiwatch.detect.base import DetectContext
from phiwatch.detect.bots import Bots, load_agents
from phiwatch.detect.options import BotsOptions, DetectOptions
from phiwatch.errors import ConfigError
from phiwatch.model import Event, Identity, PhiHit
from tests.factories import tevent

T0 = 1_767_225_600.0


def ua_event(ua: str, **kw: object) -> Event:
    return tevent(req_headers={"user-agent": ua}, **kw)  # type: ignore[arg-type]


def run(events: list[Event], **opts: object) -> Bots:
    det = Bots(DetectContext(DetectOptions()), BotsOptions(**opts))  # type: ignore[arg-type]
    for ev in events:
        det.process(ev)
    return det


@pytest.mark.parametrize(
    ("ua", "kw", "agent", "severity"),
    [
        (
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot",
            {},
            "GPTBot",
            "medium",
        ),
        (
            "Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
            {"identity": Identity(kind="jwt", fingerprint="f")},
            "ClaudeBot",
            "high",
        ),
        (
            "CCBot/2.0 (https://commoncrawl.org/faq/)",
            {"path": "/r4/Observation"},
            "CCBot",
            "high",
        ),  # compartment type
        (
            "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)",
            {"phi": [PhiHit("name", "response_body")]},
            "Bytespider",
            "high",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0",
            {},
            "HeadlessChrome",
            "medium",
        ),
        ("mozilla/5.0 (compatible; perplexitybot/1.0)", {}, "PerplexityBot", "medium"),  # case-insensitive
    ],
)
def test_known_agents(ua: str, kw: dict[str, object], agent: str, severity: str) -> None:
    kw.setdefault("path", "/PractitionerRole")
    (a,) = run([ua_event(ua, **kw)]).alerts()
    assert (a.evidence["agent"], a.severity) == (agent, severity)


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",  # search, not AI training
        "PulseHealth/4.12.1 (iPhone; iOS 17.5.1; Scale/3.00)",
        "kube-probe/1.29",
        "",
        "x" * 100_000,  # absurd header: cut, counted, no crash
    ],
)
def test_benign_agents(ua: str) -> None:
    det = run([ua_event(ua)])
    assert det.alerts() == []


def test_regular_timing_is_low_and_jitter_is_not() -> None:
    poll = [ua_event("SyncApp/1.0", ts=T0 + 30 * k) for k in range(60)]
    (a,) = run(poll).alerts()
    assert (a.evidence["reason"], a.severity) == ("regular_timing", "low")
    import random

    rng = random.Random(1)
    human, t = [], T0
    for _ in range(60):
        t += rng.uniform(2, 60)
        human.append(ua_event("Mozilla/5.0", ts=t))
    assert run(human).alerts() == []


def test_agent_list_and_extra_agents() -> None:
    agents = load_agents()
    tokens = {a.token for a in agents}
    assert {"GPTBot", "ClaudeBot", "CCBot", "PerplexityBot", "Bytespider", "HeadlessChrome"} <= tokens
    assert len(tokens) == len(agents)  # no duplicates
    det = run([ua_event("AcmeHarvester/0.1")], extra_agents={"AcmeHarvester": "ai_crawler"})
    assert det.alerts()[0].evidence["agent"] == "AcmeHarvester"
    with pytest.raises(ConfigError):
        run([], extra_agents={"X": "friendly"})


def test_long_agent_counted() -> None:
    det = run([ua_event("GPTBot " + "x" * 1000)])
    assert det.stats()["long_user_agent"] == 1 and det.alerts()
