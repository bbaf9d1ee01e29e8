"""credential_stuffing: per-IP stuffing and brute force, takeovers, distributed campaigns."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from phiwatch.detect.base import DetectContext
from phiwatch.detect.credential_stuffing import CredentialStuffing, username
from phiwatch.detect.options import CredentialStuffingOptions, DetectOptions
from phiwatch.model import Event
from tests.factories import tevent

T0 = 1_767_225_600.0
LOGIN = "/api/v2/auth/login"


def attempt(
    user: str, ok: bool, t: float, ip: str = "45.1.2.3", ua: str = "python-requests/2.31", **kw: object
) -> Event:
    body = orjson.dumps({"username": user, "password": "x"})
    return tevent(
        "POST",
        LOGIN,
        host="portal.example.org",
        status=200 if ok else 401,
        req_body=body,
        req_headers={"content-type": "application/json", "user-agent": ua},
        ts=t,
        client_ip=ip,
        **kw,
    )


def run(events: list[Event], max_keys: int = 100_000) -> CredentialStuffing:
    det = CredentialStuffing(DetectContext(DetectOptions(max_keys=max_keys)), CredentialStuffingOptions())
    for ev in events:
        det.process(ev)
    return det


def reasons(det: CredentialStuffing) -> set[str]:
    return {str(r) for a in det.alerts() for r in a.evidence["reasons"]}  # type: ignore[attr-defined]


def test_stuffing_from_one_ip() -> None:
    det = run([attempt(f"user{k}@mail.example.com", False, T0 + k) for k in range(30)])
    (a,) = det.alerts()
    assert (a.severity, a.actor, a.evidence["reason"], a.evidence["usernames"]) == (
        "high",
        "ip:45.1.2.3",
        "stuffing",
        30,
    )
    assert "user1@" not in orjson.dumps(a.evidence).decode()  # usernames never in evidence


def test_brute_force_on_one_account_then_takeover() -> None:
    events = [attempt("alice@mail.example.com", False, T0 + k) for k in range(25)]
    events.append(attempt("alice@mail.example.com", True, T0 + 30))
    assert reasons(run(events)) == {"brute_force", "takeover"}


def test_takeover_across_ips_on_one_username() -> None:
    events = [attempt("bob@x.org", False, T0 + k, ip=f"185.0.0.{k}") for k in range(9)]
    events.append(attempt("bob@x.org", True, T0 + 20, ip="185.0.0.99"))
    assert reasons(run(events)) == {"takeover"}


def test_distributed_campaign_by_user_agent() -> None:
    events = [
        attempt(f"u{ip}-{k}@x.org", False, T0 + ip * 8 + k, ip=f"185.{ip}.0.1", ua="StuffKit/1.0")
        for ip in range(40)
        for k in range(3)
    ]
    det = run(events)
    (a,) = det.alerts()
    assert a.actor == "ua:StuffKit/1.0" and a.evidence["reason"] == "distributed" and a.evidence["ips"] >= 10


@pytest.mark.parametrize(
    ("events", "why"),
    [
        ([attempt("carol@x.org", k == 2, T0 + k) for k in range(3)], "two typos then success"),
        (
            [attempt(f"p{k}@x.org", k % 8 != 0, T0 + k, ip=f"203.0.113.{k % 200}") for k in range(400)],
            "busy portal: many users, many IPs, mostly successful",
        ),
        (
            [
                attempt(f"p{k}@x.org", k % 3 != 0, T0 + k, ip=f"203.0.113.{k % 50}", ua="Mozilla/5.0")
                for k in range(300)
            ],
            "shared browser agent with a third of logins failing",
        ),
        ([attempt(f"u{k}@x.org", False, T0 + k) for k in range(9)], "nine failures: under min_failures"),
        (
            [
                tevent("GET", LOGIN, status=401, ts=T0 + k, client_ip="45.1.2.3", host="portal.example.org")
                for k in range(50)
            ],
            "GET on the login path is not a login",
        ),
        (
            [tevent("POST", "/r4/Observation", status=401, ts=T0 + k) for k in range(50)],
            "401s on a data endpoint: not a login",
        ),
    ],
)
def test_benign_look_alike(events: list[Event], why: str) -> None:
    assert run(events).alerts() == [], why


@pytest.mark.parametrize(
    ("body", "ctype", "expected"),
    [
        (b'{"username": "Alice@X.org", "password": "p"}', "application/json", "alice@x.org"),
        (b'{"email": "bob@x.org"}', "application/json", "bob@x.org"),
        (b"username=carol&password=p", "application/x-www-form-urlencoded", "carol"),
        (b'{"password": "p"}', "application/json", None),  # no user field
        (b"{not json", "application/json", None),
        (b'["a"]', "application/json", None),
        (b"", "application/json", None),
        (b"x" * 20_000, "text/plain", None),  # absurdly large body: not read
    ],
)
def test_username(body: bytes, ctype: str, expected: str | None) -> None:
    assert username(body, ctype, 16_384) == expected


@given(
    st.binary(max_size=300), st.sampled_from(["application/json", "application/x-www-form-urlencoded", ""])
)
def test_username_never_raises(body: bytes, ctype: str) -> None:
    out = username(body, ctype, 16_384)
    assert out is None or isinstance(out, str)


def test_state_cap_and_unread_bodies() -> None:
    events = [attempt(f"u{k}", False, T0 + k, ip=f"10.0.{k // 250}.{k % 250}") for k in range(1000)]
    events.append(
        tevent("POST", LOGIN, status=401, req_body=b"\x00" * 20_000, ts=T0 + 2000, client_ip="9.9.9.9")
    )
    det = run(events, max_keys=100)
    assert len(det.by_ip) == 100 and len(det.by_user) == 100 and det.stats()["evicted"] >= 1800
    assert det.stats()["body_unread"] == 1
