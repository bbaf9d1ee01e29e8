"""Patients in a browser on the billing portal: log in (sometimes mistyping the password),
then view statements, download invoice PDFs and pay, with an opaque Bearer token."""

from __future__ import annotations

from phiwatch.simulate import ids, vocab
from phiwatch.simulate.actors import ACTORS, Session, ip_in, think
from phiwatch.simulate.apis import billing, portal
from phiwatch.simulate.exchange import Client, Cred, Sim


class PortalWeb:
    name = "portal_web"
    weight = 10.0

    def __init__(self, sim: Sim) -> None:
        pass

    def opening(self, sim: Sim) -> Session | None:
        return None

    def session(self, sim: Sim) -> Session:
        rng, w = sim.rng, sim.world
        p = w.any_patient(rng)
        client = Client(
            "portal-web", ip_in(sim, rng.choice(("198.51.100", "203.0.113"))), rng.choice(vocab.UA_BROWSERS)
        )
        password = ids.hex_token(rng, 6)
        for _ in range(3):
            ok = rng.random() > 0.12
            em, token = portal.login(sim, client, p.email, password if ok else password[::-1], ok)
            yield think(em, sim, 1500, 9000)
            if ok:
                break
        else:
            return
        cred = Cred("bearer", "authorization", "Bearer " + token)
        yield think(billing.statements(sim, client, cred, p), sim, 3000, 30_000)
        if rng.random() < 0.2:
            em, token = portal.refresh(sim, client)
            cred = Cred("bearer", "authorization", "Bearer " + token)
            yield think(em, sim, 500, 3000)
        inv = rng.choice(p.invoices)
        if rng.random() < 0.5:
            yield think(billing.get_invoice(sim, client, cred, p, inv, v1=False), sim, 2000, 20_000)
        if rng.random() < 0.4:
            yield think(billing.invoice_pdf(sim, client, cred, p, inv), sim, 5000, 60_000)
        if rng.random() < 0.35:
            yield billing.post_payment(sim, client, cred, p, inv)


ACTORS.register(PortalWeb.name)(PortalWeb)
