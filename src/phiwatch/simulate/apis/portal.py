"""Patient portal auth API: ``POST /api/v2/auth/login`` and ``/api/v2/auth/refresh``."""

from __future__ import annotations

import orjson

from phiwatch.simulate import ids, phi
from phiwatch.simulate.exchange import NO_CRED, Client, Emitted, Sim

LOGIN = "/api/v2/auth/login"
REFRESH = "/api/v2/auth/refresh"


def login(sim: Sim, client: Client, username: str, password: str, ok: bool) -> tuple[Emitted, str]:
    """Returns the exchange and the opaque access token (empty on failure)."""
    w = sim.world
    req = orjson.dumps({"username": username, "password": password, "remember_me": False})
    token = ""
    if ok:
        token = ids.hex_token(sim.rng, 24)
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 900,
            "refresh_token": ids.hex_token(sim.rng, 32),
        }
        status = 200
    else:
        body = {"error": "invalid_credentials", "message": "Username or password is incorrect"}
        status = 401
    em = sim.exchange(
        client,
        NO_CRED,
        "POST",
        w.portal_host,
        LOGIN,
        LOGIN,
        status=status,
        body=orjson.dumps(body),
        content_type="application/json; charset=utf-8",
        req_body=req,
        server="nginx/1.25.4",
        latency_ms=180.0,
        accept="application/json",
        phi=phi.of(["credential"]) if ok else phi.NO_PHI,  # access and refresh tokens
    )
    return em, token


def refresh(sim: Sim, client: Client) -> tuple[Emitted, str]:
    w = sim.world
    token = ids.hex_token(sim.rng, 24)
    req = orjson.dumps({"refresh_token": ids.hex_token(sim.rng, 32)})
    body = orjson.dumps({"access_token": token, "token_type": "Bearer", "expires_in": 900})
    em = sim.exchange(
        client,
        NO_CRED,
        "POST",
        w.portal_host,
        REFRESH,
        REFRESH,
        body=body,
        content_type="application/json; charset=utf-8",
        req_body=req,
        latency_ms=60.0,
        phi=phi.of(["credential"]),
    )
    return em, token
