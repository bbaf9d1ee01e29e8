"""credential_stuffing: failed logins at scale, many usernames per source, and takeovers.

Description: on login endpoints (POST to a path ending in one of ``login_paths``) it counts
per client IP and window the attempts, failures (400/401/403/429) and distinct usernames
(read from a JSON or form body, kept only as keyed hashes), and per user-agent the same
across IPs (a distributed, low-success campaign). Alerts:

* ``stuffing`` (high): one IP, >= ``min_failures`` failures at >= ``min_fail_ratio`` over
  >= ``min_usernames`` usernames; ``brute_force`` (high) when it is one or two usernames;
* ``takeover`` (high): a success from an IP (or on a username) after >= ``takeover_failures``
  failures in the window;
* ``distributed`` (high): one user-agent failing from >= ``campaign_ips`` IPs with
  >= ``campaign_failures`` failures at >= ``campaign_ratio``; actor ``ua:<agent>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import orjson

from phiwatch.detect.base import DETECTORS, AlertBook, DetectContext, Detector, Lru, View
from phiwatch.detect.options import CredentialStuffingOptions, detector_options
from phiwatch.model import Alert, Event

NAME = "credential_stuffing"
USER_FIELDS = ("username", "user", "email", "login", "user_name", "userName", "identifier", "phone")
FAIL_STATUSES = frozenset({400, 401, 403, 429})
UA_CHARS = 80  # a user-agent in an actor name is cut to this length


class _Tally:
    __slots__ = ("attempts", "failures", "ips", "users", "window")

    def __init__(self, window: int) -> None:
        self.window = window
        self.attempts = 0
        self.failures = 0
        self.users: set[str] = set()
        self.ips: set[str] = set()


def username(body: bytes | None, content_type: str, max_bytes: int) -> str | None:
    """The account name in a login body (JSON or form), or None."""
    if not body or len(body) > max_bytes:
        return None
    if body[:1] in (b"{", b" ", b"\n") or "json" in content_type:
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if isinstance(doc, dict):
            for f in USER_FIELDS:
                val = doc.get(f)
                if isinstance(val, str) and val:
                    return val.strip().lower()
        return None
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), max_num_fields=50)
    except ValueError:
        return None
    for k, val in pairs:
        if k in USER_FIELDS and val:
            return val.strip().lower()
    return None


class CredentialStuffing:
    name = NAME

    def __init__(self, ctx: DetectContext, options: CredentialStuffingOptions) -> None:
        self.ctx = ctx
        # settings copied to native attributes: read per event, and a msgspec field read from
        # compiled code is a generic getattr (a type lookup and a descriptor call) each time
        self.brute_failures = options.brute_failures
        self.campaign_failures = options.campaign_failures
        self.campaign_ips = options.campaign_ips
        self.campaign_ratio = options.campaign_ratio
        self.campaign_usernames = options.campaign_usernames
        self.max_body_bytes = options.max_body_bytes
        self.min_fail_ratio = options.min_fail_ratio
        self.min_failures = options.min_failures
        self.min_usernames = options.min_usernames
        self.takeover_failures = options.takeover_failures
        self.users_cap = options.users_cap
        self.book = AlertBook(NAME, ctx)
        cap = ctx.options.max_keys
        self.by_ip: Lru[str, _Tally] = Lru(cap)
        self.by_user: Lru[str, _Tally] = Lru(cap)
        self.by_ua: Lru[str, _Tally] = Lru(max(1, cap // 10))
        self.counts: dict[str, int] = {"body_unread": 0}
        self._suffixes = tuple(p.lower() for p in options.login_paths)

    @staticmethod
    def _tally(table: Lru[str, _Tally], key: str, window: int) -> _Tally:
        t = table.get(key)
        if t is None or t.window != window:
            t = table.put(key, _Tally(window))
        return t

    def _is_login(self, v: View) -> bool:
        return v.method == "POST" and v.path.lower().rstrip("/").endswith(self._suffixes)

    def process(self, event: Event) -> None:
        req = event.request
        if req.method != "POST":
            return
        ctx = self.ctx  # the view is shared: built by the first detector, reused without a call
        v = ctx.last_view if event is ctx.last_event else ctx.view(event)
        if v is None or v.allowlisted or not self._is_login(v):
            return
        user = username(req.body, req.headers.get("content-type", ""), self.max_body_bytes)
        if user is None and req.body:
            self.counts["body_unread"] += 1
        huser = self.ctx.hash(user) if user else ""
        failed = v.status in FAIL_STATUSES
        ok = 200 <= v.status < 400 and not failed
        ip_t = self._tally(self.by_ip, v.ip, v.window)
        ua = v.event.user_agent[:UA_CHARS]
        ua_t = self._tally(self.by_ua, ua, v.window)
        prior_ip_failures = ip_t.failures
        for t in (ip_t, ua_t):
            t.attempts += 1
            if failed:
                t.failures += 1
            if huser and len(t.users) < self.users_cap:
                t.users.add(huser)
        if len(ua_t.ips) < self.users_cap:
            ua_t.ips.add(v.ip)
        prior_user_failures = 0
        if huser:
            u_t = self._tally(self.by_user, huser, v.window)
            prior_user_failures = u_t.failures
            u_t.attempts += 1
            if failed:
                u_t.failures += 1
            if len(u_t.ips) < 64:
                u_t.ips.add(v.ip)
        ip_actor = f"ip:{v.ip}" if v.ip else v.actor
        ep = v.endpoint
        if ok and max(prior_ip_failures, prior_user_failures) >= self.takeover_failures:
            self.book.raise_alert(
                v,
                "high",
                {
                    "reason": "takeover",
                    "failures_before": max(prior_ip_failures, prior_user_failures),
                    "usernames": len(ip_t.users),
                },
                actor=ip_actor,
                endpoint=ep,
                distinct={"accounts": [huser]} if huser else None,
            )
        if (
            failed
            and ip_t.failures >= self.min_failures
            and ip_t.failures >= self.min_fail_ratio * ip_t.attempts
        ):
            if len(ip_t.users) >= self.min_usernames:
                reason = "stuffing"
            elif ip_t.failures >= self.brute_failures:
                reason = "brute_force"
            else:
                reason = ""
            if reason:
                self.book.raise_alert(
                    v,
                    "high",
                    {
                        "reason": reason,
                        "attempts": ip_t.attempts,
                        "failures": ip_t.failures,
                        "usernames": len(ip_t.users),
                    },
                    actor=ip_actor,
                    endpoint=ep,
                )
        if (
            failed
            and ua_t.failures >= self.campaign_failures
            and len(ua_t.ips) >= self.campaign_ips
            and len(ua_t.users) >= self.campaign_usernames
            and ua_t.failures >= self.campaign_ratio * ua_t.attempts
        ):
            self.book.raise_alert(
                v,
                "high",
                {
                    "reason": "distributed",
                    "attempts": ua_t.attempts,
                    "failures": ua_t.failures,
                    "ips": len(ua_t.ips),
                    "usernames": len(ua_t.users),
                },
                actor=f"ua:{ua}",
                endpoint=ep,
            )

    def alerts(self) -> list[Alert]:
        return self.book.alerts()

    def state_size(self) -> int:
        return len(self.by_ip) + len(self.by_user) + len(self.by_ua)

    def stats(self) -> dict[str, int]:
        evicted = self.by_ip.evicted + self.by_user.evicted + self.by_ua.evicted
        return dict(self.counts, evicted=evicted, alerts_evicted=self.book.evicted)


@DETECTORS.register(NAME)
def make(ctx: DetectContext, settings: Mapping[str, Any]) -> Detector:
    return CredentialStuffing(ctx, detector_options(CredentialStuffingOptions, NAME, settings))
