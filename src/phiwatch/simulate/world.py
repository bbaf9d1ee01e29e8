"""The synthetic organisation: hosts, patients, practitioners, places and their records.

Everything is a pure function of (seed, index): patient 42 of seed 7 always has the same
name, MRN and observations, whichever request asks first. Records are built on demand and
kept in a small FIFO cache, so memory stays flat however many events are generated, while
the population still scales with the event count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from phiwatch.simulate import ids, vocab
from phiwatch.simulate.ids import between, pick

PATIENT_CACHE = 5_000  # bounded memory; popular patients stay cached
_MRN_MOD = 9_000_000
OBS_BASE = 50_000_000
LAB_BASE = 9_000_000
ACCOUNT_BASE = 880_000_000
INVOICE_BASE = 3_100_000_000
PAYMENT_BASE = 770_000_000
CLAIM_BASE = 600_000_000
EOB_BASE = 610_000_000
COVERAGE_BASE = 620_000_000
PER_PATIENT = 64  # id slots per patient for numbered child records


@dataclass(slots=True)
class Obs:
    id: str
    code: str
    display: str
    unit: str
    value: float
    category: str
    effective_ms: int


@dataclass(slots=True)
class Cond:
    id: str
    snomed: str
    display: str
    icd10: str
    onset: str


@dataclass(slots=True)
class Med:
    id: str
    rxnorm: str
    display: str
    authored: str
    practitioner: int


@dataclass(slots=True)
class Enc:
    id: str
    code: str
    display: str
    klass: str
    start_ms: int
    practitioner: int
    location: int


@dataclass(slots=True)
class Patient:
    index: int
    id: str
    mrn: str
    ssn: str
    mbi: str | None
    given: str
    family: str
    gender: str
    birth_date: str
    line: str
    city: str
    state: str
    postal: str
    phone: str
    email: str
    gp: int  # practitioner index
    payer: int
    versions: int
    observations: list[Obs] = field(default_factory=list)
    conditions: list[Cond] = field(default_factory=list)
    meds: list[Med] = field(default_factory=list)
    encounters: list[Enc] = field(default_factory=list)
    invoices: list[str] = field(default_factory=list)
    lab_results: list[str] = field(default_factory=list)

    @property
    def account(self) -> str:
        return str(ACCOUNT_BASE + self.index)

    @property
    def coverage_id(self) -> str:
        return str(COVERAGE_BASE + self.index)


@dataclass(slots=True)
class Practitioner:
    index: int
    id: str
    npi: str
    given: str
    family: str
    gender: str
    specialty: int
    location: int
    phone: str


@dataclass(slots=True)
class Location:
    index: int
    id: str
    name: str
    line: str
    city: str
    state: str
    postal: str
    phone: str


class World:
    """One organisation; population sizes scale with the number of events to generate."""

    def __init__(self, seed: int, events: int) -> None:
        self.seed = seed
        rng = random.Random(f"world:{seed}")
        self.slug, self.org_name = rng.choice(vocab.ORGS)
        self.org_id = str(rng.randint(100, 999))
        self.org_npi = ids.npi(rng)
        self.fhir_host = f"fhir.{self.slug}.example.org"
        self.portal_host = f"portal.{self.slug}.example.org"
        self.billing_host = f"billing.{self.slug}.example.org"
        self.lab_host = f"lab.{self.slug}.example.org"
        self.directory_host = f"directory.{self.slug}.example.org"
        self.auth_issuer = f"https://auth.{self.slug}.example.org"
        self.fhir_base = f"https://{self.fhir_host}/r4"
        self.n_patients = min(1_000_000, max(300, events // 3))
        self.n_practitioners = min(3_000, max(25, events // 400))
        self.n_locations = 8
        self.mrn_system = f"https://{self.slug}.example.org/fhir/sid/mrn"
        self.server_fhir = rng.choice(("HAPI-FHIR/7.2.0", "Microsoft-HTTPAPI/2.0", "nginx/1.25.4"))
        self._patients: dict[int, Patient] = {}
        self._practitioners: dict[int, Practitioner] = {}
        self.locations = [self._location(i) for i in range(self.n_locations)]

    # -- people -------------------------------------------------------------------------
    def patient(self, index: int) -> Patient:
        p = self._patients.get(index)
        if p is None:
            if len(self._patients) >= PATIENT_CACHE:
                del self._patients[next(iter(self._patients))]
            p = self._patients[index] = self._make_patient(index)
        return p

    def any_patient(self, rng: random.Random) -> Patient:
        """A patient weighted towards the active ones: a few are seen often, most rarely
        (square of a uniform draw), as in a real practice; it also keeps the cache warm."""
        return self.patient(int(self.n_patients * rng.random() ** 2))

    def patient_id(self, index: int) -> str:
        """Mostly numeric ids, every fourth one UUID-style (servers migrated over time)."""
        if index % 4 == 3:
            return ids.uuid4(random.Random(self.seed * 1_000_003 + index + 7_000_000_000))
        return str(1_000_000 + index)

    def mrn(self, index: int) -> str:
        return f"MRN{(index * 7919 + self.seed) % _MRN_MOD + 1_000_000}"

    def _make_patient(self, index: int) -> Patient:
        r = random.Random(self.seed * 1_000_003 + index)
        gender = pick(r, ("female", "male"))
        given = pick(r, vocab.GIVEN_F if gender == "female" else vocab.GIVEN_M)
        family = pick(r, vocab.FAMILY)
        city, state, zip3, area = pick(r, vocab.CITIES)
        year = between(r, 1938, 2019)
        birth = f"{year:04d}-{between(r, 1, 12):02d}-{between(r, 1, 28):02d}"
        medicare = year <= 1960 or r.random() < 0.05
        mail_name = "".join(ch for ch in f"{given}.{family}".lower() if ch.isascii() and ch != "'")
        p = Patient(
            index=index,
            id=self.patient_id(index),
            mrn=self.mrn(index),
            ssn=ids.ssn(r),
            mbi=ids.mbi(r) if medicare else None,
            given=given,
            family=family,
            gender=gender,
            birth_date=birth,
            line=f"{between(r, 1, 9999)} {pick(r, vocab.STREETS)}",
            city=city,
            state=state,
            postal=f"{zip3}{between(r, 0, 99):02d}",
            phone=ids.phone(r, area),
            email=f"{mail_name}{between(r, 1, 99)}@{pick(r, vocab.EMAIL_DOMAINS)}",
            gp=int(r.random() * self.n_practitioners),
            payer=1 if medicare else pick(r, (0, 0, 2)),
            versions=between(r, 1, 4),
        )
        base_ms = 1_735_689_600_000  # 2025-01-01: records predate the simulated traffic
        obs_base = OBS_BASE + index * PER_PATIENT
        for k in range(between(r, 3, 14)):
            code, display, unit, lo, hi, cat = pick(r, vocab.OBSERVATIONS)
            value = round(lo + (hi - lo) * r.random(), 1)
            p.observations.append(
                Obs(
                    str(obs_base + k),
                    code,
                    display,
                    unit,
                    value,
                    cat,
                    base_ms + int(r.random() * 360) * 86_400_000,
                )
            )
        for _ in range(between(r, 0, 3)):
            snomed, display, icd = pick(r, vocab.CONDITIONS)
            onset = f"{between(r, max(year, 1990), 2025)}-{between(r, 1, 12):02d}-{between(r, 1, 28):02d}"
            p.conditions.append(Cond(ids.uuid4(r), snomed, display, icd, onset))
        for _ in range(between(r, 0, 3)):
            rx, display = pick(r, vocab.MEDICATIONS)
            authored = f"2025-{between(r, 1, 12):02d}-{between(r, 1, 28):02d}"
            p.meds.append(Med(str(40_000_000 + index * 8 + len(p.meds)), rx, display, authored, p.gp))
        for _ in range(between(r, 1, 4)):
            code, display, klass = pick(r, vocab.ENCOUNTER_TYPES)
            p.encounters.append(
                Enc(
                    ids.uuid4(r),
                    code,
                    display,
                    klass,
                    base_ms + int(r.random() * 360) * 86_400_000 + between(r, 8, 17) * 3_600_000,
                    pick(r, (p.gp, int(r.random() * self.n_practitioners))),
                    int(r.random() * self.n_locations),
                )
            )
        p.invoices = [str(INVOICE_BASE + index * 8 + k) for k in range(between(r, 1, 5))]
        p.lab_results = [str(LAB_BASE + index * 16 + k) for k in range(between(r, 1, 6))]
        return p

    def practitioner(self, index: int) -> Practitioner:
        pr = self._practitioners.get(index)
        if pr is None:
            r = random.Random(self.seed * 1_000_003 + 5_000_000_000 + index)
            gender = r.choice(("female", "male"))
            area = vocab.CITIES[(index % self.n_locations) % len(vocab.CITIES)][3]
            pr = Practitioner(
                index=index,
                id=str(700_000 + index),
                npi=ids.npi(r),
                given=r.choice(vocab.GIVEN_F if gender == "female" else vocab.GIVEN_M),
                family=r.choice(vocab.FAMILY),
                gender=gender,
                specialty=r.randrange(len(vocab.SPECIALTIES)),
                location=index % self.n_locations,
                phone=ids.phone(r, area),
            )
            self._practitioners[index] = pr
        return pr

    def _location(self, index: int) -> Location:
        r = random.Random(f"location:{self.seed}:{index}")
        city, state, zip3, area = vocab.CITIES[index % len(vocab.CITIES)]
        kind = ("Clinic", "Medical Office", "Urgent Care", "Hospital")[index % 4]
        return Location(
            index=index,
            id=str(300 + index),
            name=f"{self.org_name.split()[0]} {city} {kind}",
            line=f"{r.randint(10, 2999)} {r.choice(vocab.STREETS)}",
            city=city,
            state=state,
            postal=f"{zip3}{r.randint(0, 99):02d}",
            phone=ids.phone(r, area),
        )

    def patient_index_of_obs(self, obs_id: str) -> int:
        return (int(obs_id) - OBS_BASE) // PER_PATIENT
