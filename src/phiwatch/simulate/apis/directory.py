"""The public Provider Directory (CMS Interoperability rule): no authentication, no PHI."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson

from phiwatch.simulate import ids, phi, vocab
from phiwatch.simulate.apis import fhir_resources as res
from phiwatch.simulate.exchange import FHIR_JSON, NO_CRED, Client, Emitted, Sim

SERVER = "nginx/1.25.4"


def _send(
    sim: Sim,
    client: Client,
    path: str,
    template: str,
    obj: dict[str, object],
    query: str = "",
    status: int = 200,
) -> Emitted:
    return sim.exchange(
        client,
        NO_CRED,
        "GET",
        sim.world.directory_host,
        path,
        template,
        query=query,
        status=status,
        body=orjson.dumps(obj),
        content_type=FHIR_JSON,
        server=SERVER,
        cache="public, max-age=300",
        latency_ms=20.0,
        phi=phi.fhir(obj),
    )


def practitioner_roles(sim: Sim, client: Client, specialty: int) -> Emitted:
    w = sim.world
    _, _, snomed = vocab.SPECIALTIES[specialty]
    query = urlencode({"specialty": f"http://snomed.info/sct|{snomed}", "_count": 10}, safe="/:|")
    start = sim.rng.randrange(w.n_practitioners)
    prs = [w.practitioner((start + k) % w.n_practitioners) for k in range(12)]
    found = [res.practitioner_role(pr, w.locations[pr.location]) for pr in prs if pr.specialty == specialty][
        :10
    ]
    base = f"https://{w.directory_host}"
    b = res.bundle(ids.uuid4(sim.rng), f"{base}/PractitionerRole?{query}", None, len(found), base, found)
    return _send(sim, client, "/PractitionerRole", "/PractitionerRole", b, query)


def practitioner(sim: Sim, client: Client, index: int | None) -> Emitted:
    w = sim.world
    if index is None:
        rid = str(990_000 + sim.rng.randrange(9_999))
        obj = res.outcome("error", "not-found", f"Resource Practitioner/{rid} is not known")
        return _send(sim, client, f"/Practitioner/{rid}", "/Practitioner/{id}", obj, status=404)
    pr = w.practitioner(index)
    return _send(sim, client, f"/Practitioner/{pr.id}", "/Practitioner/{id}", res.practitioner(pr))


def locations(sim: Sim, client: Client, city_index: int) -> Emitted:
    w = sim.world
    city = vocab.CITIES[city_index % len(vocab.CITIES)][0]
    query = urlencode({"address-city": city})
    found = [res.location(w, loc) for loc in w.locations if loc.city == city]
    base = f"https://{w.directory_host}"
    b = res.bundle(ids.uuid4(sim.rng), f"{base}/Location?{query}", None, len(found), base, found)
    return _send(sim, client, "/Location", "/Location", b, query)
