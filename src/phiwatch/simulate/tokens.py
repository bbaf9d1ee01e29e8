"""SMART on FHIR access tokens: real HS256 JWTs signed with a fixed, published test key.

A token lives for one aligned window (``iat`` = window start, ``exp`` = window end), so the
same caller in the same hour sends the same token, as real apps do, and tokens are signed once
per window rather than per request. ``expired`` returns the previous window's token, for the
401 paths.
"""

from __future__ import annotations

import jwt

# Not a secret: the simulator's tokens are test data; anyone may verify them with this key.
SIGNING_KEY = "phiwatch-simulator-test-signing-key-not-a-secret"
KID = "sim-hs256-2026"


class Tokens:
    def __init__(self, issuer: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience
        self._cache: dict[tuple[object, ...], tuple[int, str]] = {}

    def jwt(
        self,
        now_ms: int,
        client_id: str,
        sub: str,
        scope: str,
        *,
        lifetime_s: int = 3600,
        patient: str | None = None,
        fhir_user: str | None = None,
        expired: bool = False,
        alg: str = "HS256",
        with_exp: bool = True,
        roles: tuple[str, ...] = (),
    ) -> str:
        """``alg="none"``, ``with_exp=False`` and long ``lifetime_s`` mint the weak tokens of
        the simulator's "vulnerable" variant; the defaults give the usual tokens."""
        window = now_ms // (lifetime_s * 1000) - (1 if expired else 0)
        plain = alg == "HS256" and with_exp and not roles and lifetime_s == 3600
        key: tuple[object, ...] = (
            (client_id, sub) if plain else (client_id, sub, alg, with_exp, roles, lifetime_s)
        )
        hit = self._cache.get(key)
        if hit is not None and hit[0] == window:
            return hit[1]
        iat = window * lifetime_s
        claims: dict[str, object] = {
            "iss": self.issuer,
            "sub": sub,
            "aud": self.audience,
            "exp": iat + lifetime_s,
            "iat": iat,
            "jti": f"{client_id}-{sub}-{window}",
            "client_id": client_id,
            "scope": scope,
        }
        if not with_exp:
            del claims["exp"]
        if roles:
            claims["roles"] = list(roles)
        if patient is not None:
            claims["patient"] = patient
        if fhir_user is not None:
            claims["fhirUser"] = fhir_user
        if alg == "none":
            token = jwt.encode(claims, None, algorithm="none")
        else:
            token = jwt.encode(claims, SIGNING_KEY, algorithm=alg, headers={"kid": KID})
        if not expired:  # keep the live token cached; an expired one is a one-off
            self._cache[key] = (window, token)
        return token
