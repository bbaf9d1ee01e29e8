"""Billing API at ``https://billing.<org>.example.org``: ``/v2`` current, ``/v1`` deprecated but served."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson

from phiwatch.simulate import clock, phi
from phiwatch.simulate.exchange import Client, Cred, Emitted, Sim
from phiwatch.simulate.world import PAYMENT_BASE, Patient

JSON_UTF8 = "application/json; charset=utf-8"
# What each body carries (truth, phi.py). ``account_id`` is the patient's account number
# (Safe Harbor: account numbers); invoice and payment numbers are not; ``issued`` and
# ``received`` are billing dates, not birth or service dates; ``card_last4`` is no card number.
V1_INVOICE = ("mrn", "name", "ssn")
V2_INVOICE = ("account", "mrn", "name", "date", "address")
PDF_INVOICE = ("name", "mrn", "address")
Json = dict[str, object]


def _invoice(sim: Sim, p: Patient, inv: str, *, v1: bool = False) -> Json:
    k = int(inv) % 8
    amount = round(40.0 + (p.index * 13 + k * 71) % 900 + 0.25 * k, 2)
    if v1:  # the old shape: flat, patient identified by MRN and SSN (why it should be retired)
        return {
            "invoice_no": inv,
            "mrn": p.mrn,
            "patient_name": f"{p.family}, {p.given}",
            "ssn": p.ssn,
            "amount_due": amount,
            "status": "OPEN" if k % 3 else "PAID",
        }
    return {
        "id": inv,
        "account_id": p.account,
        "patient": {"mrn": p.mrn, "name": f"{p.given} {p.family}", "birth_date": p.birth_date},
        "billing_address": {"line": p.line, "city": p.city, "state": p.state, "postal_code": p.postal},
        "issued": f"2025-{1 + k:02d}-15",
        "currency": "USD",
        "total": amount,
        "balance": 0.0 if k % 3 == 0 else amount,
        "status": "paid" if k % 3 == 0 else "open",
    }


def _send(
    sim: Sim,
    client: Client,
    cred: Cred,
    method: str,
    path: str,
    template: str,
    body: bytes | None,
    **kw: object,
) -> Emitted:
    return sim.exchange(
        client,
        cred,
        method,
        sim.world.billing_host,
        path,
        template,
        body=body,
        content_type=str(kw.pop("content_type", JSON_UTF8)),
        server="Kestrel",
        latency_ms=55.0,
        **kw,  # type: ignore[arg-type]
    )


def list_invoices(sim: Sim, client: Client, cred: Cred, patients: list[Patient], *, v1: bool) -> Emitted:
    page = sim.rng.randint(1, 4)
    if v1:
        query = urlencode({"page": page, "status": "OPEN"})
        items = [_invoice(sim, p, p.invoices[0], v1=True) for p in patients]
        body = orjson.dumps({"invoices": items, "page": page})
        truth = phi.of(V1_INVOICE, [p.id for p in patients]) if patients else phi.NO_PHI
        return _send(sim, client, cred, "GET", "/v1/invoices", "/v1/invoices", body, query=query, phi=truth)
    since = clock.rfc3339(sim.now - 30 * 86_400_000)[:10]
    query = urlencode({"status": "open", "updated_since": since, "limit": 50, "page": page})
    data = [_invoice(sim, p, inv) for p in patients for inv in p.invoices[:2]]
    body = orjson.dumps({"data": data, "page": page, "has_more": page < 4})
    truth = phi.of(V2_INVOICE, [p.id for p in patients]) if data else phi.NO_PHI
    return _send(sim, client, cred, "GET", "/v2/invoices", "/v2/invoices", body, query=query, phi=truth)


def get_invoice(sim: Sim, client: Client, cred: Cred, p: Patient, inv: str | None, *, v1: bool) -> Emitted:
    ver = "/v1" if v1 else "/v2"
    rid = inv or str(9_999_000_000 + sim.rng.randrange(1_000_000))
    if inv is None:
        body = orjson.dumps({"error": "not_found", "message": f"invoice {rid} not found"})
        return _send(
            sim, client, cred, "GET", f"{ver}/invoices/{rid}", ver + "/invoices/{id}", body, status=404
        )
    body = orjson.dumps(_invoice(sim, p, inv, v1=v1))
    truth = phi.of(V1_INVOICE if v1 else V2_INVOICE, [p.id])
    return _send(sim, client, cred, "GET", f"{ver}/invoices/{rid}", ver + "/invoices/{id}", body, phi=truth)


def invoice_pdf(sim: Sim, client: Client, cred: Cred, p: Patient, inv: str) -> Emitted:
    text = f"Invoice {inv} - {p.given} {p.family} - MRN {p.mrn} - {p.line}, {p.city} {p.state}"
    pdf = _pdf(text)
    return _send(
        sim,
        client,
        cred,
        "GET",
        f"/v2/invoices/{inv}/pdf",
        "/v2/invoices/{id}/pdf",
        pdf,
        content_type="application/pdf",
        binary=True,
        accept="application/pdf",
        resp_headers={"content-disposition": f'attachment; filename="invoice-{inv}.pdf"'},
        phi=phi.of(PDF_INVOICE, [p.id]),
    )


def list_payments(sim: Sim, client: Client, cred: Cred, patients: list[Patient]) -> Emitted:
    data = [
        {
            "id": str(PAYMENT_BASE + p.index),
            "account_id": p.account,
            "amount": 50.0 + p.index % 300,
            "method": "card",
            "card_last4": f"{(p.index * 7) % 10_000:04d}",
            "received": clock.rfc3339(sim.now)[:10],
        }
        for p in patients
    ]
    query = urlencode({"received_after": clock.rfc3339(sim.now - 7 * 86_400_000)[:10]})
    truth = phi.of(["account"], [p.id for p in patients]) if data else phi.NO_PHI
    body = orjson.dumps({"data": data})
    return _send(sim, client, cred, "GET", "/v2/payments", "/v2/payments", body, query=query, phi=truth)


def post_payment(sim: Sim, client: Client, cred: Cred, p: Patient, inv: str) -> Emitted:
    req = orjson.dumps(
        {
            "account_id": p.account,
            "invoice_id": inv,
            "amount": 25.0 + p.index % 200,
            "payment_method": {"type": "card", "token": f"tok_{sim.rng.getrandbits(64):016x}"},
        }
    )
    body = orjson.dumps({"id": str(PAYMENT_BASE + p.index), "status": "succeeded", "invoice_id": inv})
    return _send(sim, client, cred, "POST", "/v2/payments", "/v2/payments", body, status=201, req_body=req)


def statements(sim: Sim, client: Client, cred: Cred, p: Patient) -> Emitted:
    data = [
        {
            "period": f"2025-{m:02d}",
            "url": f"/v2/accounts/{p.account}/statements/2025-{m:02d}",
            "balance": round((p.index * m) % 400 + 0.5, 2),
        }
        for m in (9, 10, 11)
    ]
    body = orjson.dumps({"account_id": p.account, "holder": f"{p.given} {p.family}", "statements": data})
    path = f"/v2/accounts/{p.account}/statements"
    # the account number is in the path too
    truth = phi.of(["account", "name"], [p.id], url=["account"])
    return _send(sim, client, cred, "GET", path, "/v2/accounts/{id}/statements", body, phi=truth)


def _pdf(text: str) -> bytes:
    """A minimal, well-formed one-page PDF with ``text`` (binary marker line included)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1", "replace")
    stream = b"BT /F1 11 Tf 50 780 Td (" + safe + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
