"""Identity from credentials: JWT claims (unverified), Basic, API keys; never the raw secret."""

from __future__ import annotations

import base64

import jwt
import pytest

from phiwatch.identity import Fingerprinter, IdentityReader, decode_jwt
from phiwatch.model import AUTH_API_KEY, AUTH_BASIC, AUTH_BEARER, AUTH_COOKIE, AUTH_JWT, AUTH_NONE
from tests.factories import tevent

KEY = b"k" * 32


@pytest.fixture
def reader() -> IdentityReader:
    return IdentityReader(Fingerprinter(KEY))


def smart_token(**claims: object) -> str:
    base = {"iss": "https://auth.example.org", "sub": "u-17", "exp": 1_900_000_000, "iat": 1_800_000_000}
    base.update(claims)
    return jwt.encode(base, "s" * 32, algorithm="HS256")


def test_smart_patient_token_claims(reader: IdentityReader) -> None:
    token = smart_token(
        client_id="patient-app",
        patient="123",
        fhirUser="https://fhir.example.org/r4/Patient/123",
        scope="launch/patient patient/*.read openid",
    )
    ident = reader.read(tevent(req_headers={"authorization": f"Bearer {token}"}))
    assert ident.kind == AUTH_JWT
    assert ident.client_id == "patient-app"
    assert ident.patient == "123"  # SMART: a bare id
    assert ident.fhir_user == "https://fhir.example.org/r4/Patient/123"
    assert ident.scopes == ("launch/patient", "patient/*.read", "openid")
    assert ident.alg == "HS256"
    assert ident.expires_at == 1_900_000_000.0
    assert ident.actor == "client:patient-app"
    assert token not in ident.fingerprint and len(ident.fingerprint) == 16


@pytest.mark.parametrize(
    ("claims", "client_id", "scopes"),
    [
        ({"azp": "clin-app", "scp": ["user/Observation.rs"]}, "clin-app", ("user/Observation.rs",)),  # Azure
        ({"cid": "okta-app", "scp": ["system/*.cruds"]}, "okta-app", ("system/*.cruds",)),  # Okta
        ({"scope": ""}, None, ()),  # empty scope string
    ],
)
def test_client_id_and_scope_variants(
    reader: IdentityReader, claims: dict[str, object], client_id: str | None, scopes: tuple[str, ...]
) -> None:
    ident = reader.read(tevent(req_headers={"authorization": "Bearer " + smart_token(**claims)}))
    assert ident.client_id == client_id
    assert ident.scopes == scopes


def test_alg_none_token_is_decoded(reader: IdentityReader) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(b'{"sub":"x","client_id":"c"}').rstrip(b"=").decode()
    ident = reader.read(tevent(req_headers={"authorization": f"Bearer {header}.{payload}."}))
    assert ident.kind == AUTH_JWT and ident.alg == "none" and ident.client_id == "c"


@pytest.mark.parametrize(
    ("headers", "query", "kind", "location"),
    [
        ({"authorization": "Bearer opaque-token-abc"}, "", AUTH_BEARER, "header:authorization"),
        ({"authorization": "Basic " + base64.b64encode(b"alice:pw").decode()}, "", AUTH_BASIC, None),
        ({"x-api-key": "sk_live_123"}, "", AUTH_API_KEY, "header:x-api-key"),
        ({"ocp-apim-subscription-key": "abc"}, "", AUTH_API_KEY, "header:ocp-apim-subscription-key"),
        ({}, "a=1&api_key=zzz", AUTH_API_KEY, "query:api_key"),
        ({}, "access_token=opaque", AUTH_BEARER, "query:access_token"),  # token in the URL
        ({"cookie": "theme=dark; JSESSIONID=abc123"}, "", AUTH_COOKIE, "cookie:jsessionid"),
        ({"cookie": "theme=dark"}, "", AUTH_NONE, None),  # no session cookie
        ({}, "key=", AUTH_NONE, None),  # empty value is no credential
        ({}, "", AUTH_NONE, None),
    ],
)
def test_credential_kinds(
    reader: IdentityReader, headers: dict[str, str], query: str, kind: str, location: str | None
) -> None:
    ident = reader.read(tevent(req_headers=headers, query=query))
    assert ident.kind == kind
    if location:
        assert ident.location == location


def test_basic_user(reader: IdentityReader) -> None:
    ident = reader.read(
        tevent(req_headers={"authorization": "Basic " + base64.b64encode(b"bob:s3cr3t").decode()})
    )
    assert ident.subject == "bob"
    assert "s3cr3t" not in repr(ident)


def test_fingerprint_is_keyed_and_stable() -> None:
    a, b = Fingerprinter(KEY), Fingerprinter(b"o" * 32)
    assert a("tok") == a("tok") != b("tok")
    with pytest.raises(ValueError):
        Fingerprinter(b"short")


@pytest.mark.parametrize("token", ["a.b.c", "....", "x.y", "eyJ.eyJ.", "not a token"])
def test_decode_jwt_garbage(token: str) -> None:
    assert decode_jwt(token) is None


def test_garbage_authorization_never_raises(reader: IdentityReader) -> None:
    for value in ["Bearer", "Basic !!!", "Bearer a.b.c", "\x00\xff", "Digest x=1"]:
        reader.read(tevent(req_headers={"authorization": value}))
