"""Who is calling: identity read from the request's credential, never verified, never stored raw.

Bearer JWTs are decoded without verification (phiwatch observes traffic; it does not hold
the issuer's keys) to read ``sub``, ``client_id``/``azp``/``cid``, SMART ``patient`` and
``fhirUser``, and ``scope``/``scp``. Basic auth yields the user name; API keys are found in
common headers and query parameters. Each raw credential is replaced by a keyed
fingerprint (HMAC-SHA256 with the installation key), so the same token maps to the same
actor across runs while the token itself never reaches a log, report or store.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import unquote_plus

import jwt

from phiwatch.model import (
    AUTH_API_KEY,
    AUTH_BASIC,
    AUTH_BEARER,
    AUTH_COOKIE,
    AUTH_JWT,
    AUTH_NONE,
    Event,
    Identity,
)

API_KEY_HEADERS = (
    "x-api-key",
    "api-key",
    "apikey",
    "x-apikey",
    "x-api-token",
    "x-auth-token",
    "x-access-token",
    "x-client-key",
    "ocp-apim-subscription-key",
    "x-functions-key",
    "x-gravitee-api-key",
)
API_KEY_PARAMS = frozenset(
    {"api_key", "apikey", "api-key", "key", "x-api-key", "subscription-key", "client_secret"}
)
TOKEN_PARAMS = frozenset({"access_token", "token", "auth_token", "id_token", "jwt", "bearer"})
SESSION_COOKIES = (
    "session",
    "sessionid",
    "jsessionid",
    "phpsessid",
    "connect.sid",
    "asp.net_sessionid",
    "sid",
)

NO_IDENTITY = Identity()
_CACHE_MAX = 200_000
_AUTHORIZATION_CACHE_MAX = 65_536  # an index into the cache above: a miss costs one tuple lookup


class Fingerprinter:
    """Keyed hash of secrets and identifiers (HMAC-SHA256, 16 hex digits)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("fingerprint key must be at least 16 bytes")
        self._key = key

    def __call__(self, value: str | bytes) -> str:
        data = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()[:16]


def _claims_str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def _scopes(claims: dict[str, object]) -> tuple[str, ...]:
    raw = claims.get("scope", claims.get("scp"))
    if isinstance(raw, str):
        return tuple(s for s in raw.split() if s)
    if isinstance(raw, list | tuple):
        return tuple(str(s) for s in raw)
    return ()


def _roles(claims: dict[str, object]) -> tuple[str, ...]:
    out: list[str] = []
    for name in ("roles", "role", "groups"):
        raw = claims.get(name)
        if isinstance(raw, str):
            out.extend(raw.split())
        elif isinstance(raw, list | tuple):
            out.extend(str(r) for r in raw)
    realm = claims.get("realm_access")
    if isinstance(realm, dict) and isinstance(realm.get("roles"), list):
        out.extend(str(r) for r in realm["roles"])
    return tuple(out)


def _num(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def decode_jwt(token: str) -> tuple[dict[str, object], dict[str, object]] | None:
    """Header and claims of a JWT, unverified; None when the token is not a JWT."""
    if token.count(".") != 2:
        return None
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(
            token,
            options={
                "verify_signature": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
            algorithms=None,
        )
    except (jwt.PyJWTError, ValueError, TypeError, UnicodeError):
        return None
    if not isinstance(claims, dict):
        return None
    return dict(header), claims


class IdentityReader:
    """Turns a request's credential into an ``Identity`` (cached per raw credential)."""

    def __init__(self, fingerprint: Fingerprinter) -> None:
        self.fingerprint = fingerprint
        self._cache: dict[tuple[str, str], Identity] = {}
        self._by_authorization: dict[str, Identity] = {}  # Authorization header value -> identity

    def _cached(self, location: str, raw: str) -> Identity:
        key = (location, raw)
        ident = self._cache.get(key)
        if ident is None:
            if len(self._cache) >= _CACHE_MAX:
                self._cache.clear()
            ident = self._build(location, raw)
            self._cache[key] = ident
        return ident

    def _build(self, location: str, raw: str) -> Identity:
        fp = self.fingerprint(raw)
        if location == "header:authorization":
            scheme, _, cred = raw.strip().partition(" ")
            scheme_l = scheme.lower()
            cred = cred.strip()
            if scheme_l == "bearer":
                return self._bearer(cred, fp, location)
            if scheme_l == "basic":
                user = None
                try:
                    decoded = base64.b64decode(cred + "=" * (-len(cred) % 4), validate=False)
                    user = decoded.decode("utf-8", "replace").partition(":")[0] or None
                except (binascii.Error, ValueError):
                    user = None
                return Identity(
                    kind=AUTH_BASIC,
                    fingerprint=fp,
                    location=location,
                    subject=user,
                    subject_key=self.fingerprint("sub\0" + user) if user else "",
                )
            if scheme_l in ("token", "apikey", "api-key", "sharedaccesssignature", "ssws"):
                return Identity(kind=AUTH_API_KEY, fingerprint=fp, location=location)
            if scheme and not cred:  # "Authorization: <token>" without a scheme
                return self._bearer(scheme, fp, location)
            return Identity(kind=AUTH_BEARER, fingerprint=fp, location=location)
        if location.startswith("query:") and location[6:] in TOKEN_PARAMS:
            return self._bearer(raw, fp, location)
        if location.startswith("cookie:"):
            return Identity(kind=AUTH_COOKIE, fingerprint=fp, location=location)
        return Identity(kind=AUTH_API_KEY, fingerprint=fp, location=location)

    def _bearer(self, token: str, fp: str, location: str) -> Identity:
        decoded = decode_jwt(token)
        if decoded is None:
            return Identity(kind=AUTH_BEARER, fingerprint=fp, location=location)
        header, claims = decoded
        client_id = claims.get("client_id", claims.get("azp", claims.get("cid")))
        aud = claims.get("aud")
        subject = _claims_str(claims.get("sub"))
        return Identity(
            kind=AUTH_JWT,
            fingerprint=fp,
            location=location,
            subject=subject,
            subject_key=self.fingerprint("sub\0" + subject) if subject else "",
            client_id=_claims_str(client_id),
            patient=_claims_str(claims.get("patient")),
            fhir_user=_claims_str(claims.get("fhirUser", claims.get("fhir_user"))),
            scopes=_scopes(claims),
            issuer=_claims_str(claims.get("iss")),
            audience=_claims_str(aud),
            alg=_claims_str(header.get("alg")),
            issued_at=_num(claims.get("iat")),
            expires_at=_num(claims.get("exp")),
            roles=_roles(claims),
        )

    def read(self, event: Event) -> Identity:
        headers = event.request.headers
        auth = headers.get("authorization")
        if auth:
            # the usual credential: looked up by its raw value alone (no key tuple per event)
            ident = self._by_authorization.get(auth)
            if ident is None:
                if len(self._by_authorization) >= _AUTHORIZATION_CACHE_MAX:
                    self._by_authorization.clear()
                ident = self._by_authorization[auth] = self._cached("header:authorization", auth)
            return ident
        for name in API_KEY_HEADERS:
            value = headers.get(name)
            if value:
                return self._cached("header:" + name, value)
        query = event.request.query
        if query:
            for part in query.split("&"):
                name, eq, value = part.partition("=")
                if not eq or not value:
                    continue
                lname = unquote_plus(name).lower()
                if lname in API_KEY_PARAMS or lname in TOKEN_PARAMS:
                    return self._cached("query:" + lname, unquote_plus(value))
        cookie = headers.get("cookie")
        if cookie:
            for part in cookie.split(";"):
                name, eq, value = part.strip().partition("=")
                if eq and value and name.lower() in SESSION_COOKIES:
                    return self._cached("cookie:" + name.lower(), value)
        return NO_IDENTITY


def auth_kind(identity: Identity | None) -> str:
    return identity.kind if identity is not None else AUTH_NONE


__all__ = [
    "API_KEY_HEADERS",
    "API_KEY_PARAMS",
    "AUTH_API_KEY",
    "AUTH_BEARER",
    "NO_IDENTITY",
    "TOKEN_PARAMS",
    "Fingerprinter",
    "IdentityReader",
    "auth_kind",
    "decode_jwt",
]
