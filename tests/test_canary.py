"""PHI discipline end to end: run the real `analyze` over simulated traffic with attacks, then
look for raw values from that traffic (tokens, JWT subjects, passwords, SSNs, MRNs, e-mail
addresses) in every output: text, JSON and HTML reports and every byte of the database."""

from __future__ import annotations

import base64
import contextlib
import io
import json
from pathlib import Path

import jwt

from phiwatch.analyze import analyze
from phiwatch.report import render
from phiwatch.simulate import SimulationConfig, simulate
from phiwatch.simulate.scenarios import add_scenarios

SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"


def walk(doc: object, out: set[str]) -> None:
    """Collect identifier values and e-mail addresses from FHIR JSON."""
    if isinstance(doc, dict):
        if doc.get("system") == SSN_SYSTEM and isinstance(doc.get("value"), str):
            out.add(doc["value"])
        if doc.get("system") == "email" and isinstance(doc.get("value"), str):
            out.add(doc["value"])
        coding = doc.get("type", {}).get("coding", []) if isinstance(doc.get("type"), dict) else []
        if any(isinstance(c, dict) and c.get("code") == "MR" for c in coding) and isinstance(
            doc.get("value"), str
        ):
            out.add(doc["value"])
        for v in doc.values():
            walk(v, out)
    elif isinstance(doc, list):
        for v in doc:
            walk(v, out)


def canaries(traffic: Path) -> set[str]:
    found: set[str] = set()
    for line in traffic.read_text().splitlines():
        rec = json.loads(line)
        headers = {k.lower(): v for k, v in rec["request"].get("headers", {}).items()}
        auth = headers.get("authorization", "")
        scheme, _, cred = auth.partition(" ")
        if scheme == "Bearer":
            found.add(cred)
            try:
                claims = jwt.decode(cred, options={"verify_signature": False})
            except jwt.PyJWTError:
                claims = {}
            sub = claims.get("sub")
            # A user's id is an identifier; a backend service's sub is its (public) client id.
            if isinstance(sub, str) and sub != claims.get("client_id"):
                found.add(sub)
        elif scheme == "Basic":
            found.add(cred)
            _user, _, password = base64.b64decode(cred).decode().partition(":")
            found.add(password)
        if headers.get("x-api-key"):
            found.add(headers["x-api-key"])
        body = rec["request"].get("body")
        if body and rec["request"]["url"].endswith("/auth/login"):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                found.add(json.loads(body)["password"])
        resp = rec.get("response", {}).get("body")
        if resp and resp.lstrip().startswith("{"):
            with contextlib.suppress(ValueError):
                walk(json.loads(resp), found)
    return {c for c in found if len(c) >= 6}


def test_no_raw_phi_or_secret_in_any_output(tmp_path: Path) -> None:
    config = SimulationConfig(seed=2718, events=2500)
    result = simulate(tmp_path / "traffic.jsonl", config)
    add_scenarios(result.traffic, config, ["smart_bola", "credential_stuffing", "slow_scraping"])
    db = tmp_path / "c.db"
    report = analyze([result.traffic], specs=result.specs, db=str(db))
    secrets = canaries(result.traffic)
    kinds = {
        "ssn": any(len(s) == 11 and s[3] == "-" for s in secrets),
        "email": any("@" in s for s in secrets),
    }
    assert len(secrets) > 50 and all(kinds.values()), kinds
    assert report.alerts and report.findings and report.data_flows  # there is something to leak
    outputs = []
    for fmt in ("text", "json", "html"):
        buf = io.StringIO()
        render(report, fmt, buf)
        outputs.append(buf.getvalue())
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("c.db*"))
    for secret in sorted(secrets):
        for out in outputs:
            assert secret not in out, f"raw value in a report: {secret[:3]}..."
        assert secret.encode() not in stored, f"raw value in the store: {secret[:3]}..."
