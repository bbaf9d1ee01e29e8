"""Fixed vocabularies of the synthetic world: names, places, clinical codes, user agents.

Clinical codes are real (LOINC with valid mod-10 check digits, SNOMED CT, ICD-10-CM, RxNorm,
NUCC taxonomy), so classifiers see what production traffic carries.
"""

from __future__ import annotations

ORGS: tuple[tuple[str, str], ...] = (
    ("riverside", "Riverside Health System"),
    ("stbrigid", "St. Brigid Medical Center"),
    ("lakeview", "Lakeview Regional Hospital"),
    ("northgate", "Northgate Community Health"),
    ("mercyvale", "Mercyvale Hospital"),
    ("cedarpoint", "Cedar Point Clinics"),
)

GIVEN_F = (
    "Maria", "Jennifer", "Linda", "Patricia", "Aisha", "Mei", "Sofia", "Grace", "Olivia",
    "Emma", "Fatima", "Hannah", "Priya", "Rosa", "Keiko", "Ana", "Nia", "Chloe", "Ingrid", "Leah",
)  # fmt: skip
GIVEN_M = (
    "James", "Robert", "Michael", "David", "Jose", "Wei", "Ahmed", "Daniel", "Carlos", "Thomas",
    "Kwame", "Ivan", "Luis", "Noah", "Raj", "Samuel", "Omar", "Hiroshi", "Ethan", "Mateo",
)  # fmt: skip
FAMILY = (
    "Smith", "Johnson", "Garcia", "Nguyen", "Okafor", "Kowalski", "Hernandez", "Patel", "Kim",
    "Brown", "Rossi", "Müller", "O'Brien", "Cohen", "Haddad", "Silva", "Tanaka", "Walker",
    "Lopez", "Anderson", "Jackson", "Novak", "Ibrahim", "Schmidt", "Reyes", "Chen", "Murphy",
)  # fmt: skip
STREETS = (
    "Maple Ave", "Oak St", "Pine Ridge Rd", "Lakeshore Dr", "Elm St", "Cedar Ln", "Main St",
    "Washington Blvd", "Riverside Dr", "Harbor View Ct", "Chestnut St", "Park Pl", "Mill Rd",
)  # fmt: skip
# (city, state, zip prefix, phone area code)
CITIES = (
    ("Springfield", "MA", "011", "413"),
    ("Worcester", "MA", "016", "508"),
    ("Hartford", "CT", "061", "860"),
    ("Providence", "RI", "029", "401"),
    ("Albany", "NY", "122", "518"),
    ("Burlington", "VT", "054", "802"),
    ("Portland", "ME", "041", "207"),
    ("Manchester", "NH", "031", "603"),
)
EMAIL_DOMAINS = ("mail.example.com", "inbox.example.com", "example.net")

# LOINC vital signs and labs: (code, display, unit, low, high, category)
OBSERVATIONS = (
    ("8867-4", "Heart rate", "/min", 52.0, 110.0, "vital-signs"),
    ("8480-6", "Systolic blood pressure", "mm[Hg]", 98.0, 168.0, "vital-signs"),
    ("8462-4", "Diastolic blood pressure", "mm[Hg]", 58.0, 102.0, "vital-signs"),
    ("29463-7", "Body weight", "kg", 48.0, 128.0, "vital-signs"),
    ("8302-2", "Body height", "cm", 150.0, 195.0, "vital-signs"),
    ("8310-5", "Body temperature", "Cel", 36.1, 38.6, "vital-signs"),
    ("9279-1", "Respiratory rate", "/min", 11.0, 24.0, "vital-signs"),
    ("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 18.0, 41.0, "vital-signs"),
    ("2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 68.0, 240.0, "laboratory"),
    ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.6, 10.5, "laboratory"),
    ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 140.0, 290.0, "laboratory"),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 10.5, 17.5, "laboratory"),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.9, "laboratory"),
    ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 133.0, 147.0, "laboratory"),
    ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.3, 5.4, "laboratory"),
)
# (SNOMED CT code, display, ICD-10-CM code)
CONDITIONS = (
    ("44054006", "Diabetes mellitus type 2 (disorder)", "E11.9"),
    ("38341003", "Hypertensive disorder, systemic arterial (disorder)", "I10"),
    ("195967001", "Asthma (disorder)", "J45.909"),
    ("55822004", "Hyperlipidemia (disorder)", "E78.5"),
    ("13645005", "Chronic obstructive lung disease (disorder)", "J44.9"),
    ("35489007", "Depressive disorder (disorder)", "F32.9"),
    ("162864005", "Body mass index 30+ - obesity (finding)", "E66.9"),
    ("444814009", "Viral sinusitis (disorder)", "J01.90"),
    ("10509002", "Acute bronchitis (disorder)", "J20.9"),
    ("433144002", "Chronic kidney disease stage 3 (disorder)", "N18.30"),
)
# (RxNorm code, display)
MEDICATIONS = (
    ("314076", "lisinopril 10 MG Oral Tablet"),
    ("860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"),
    ("314231", "Simvastatin 10 MG Oral Tablet"),
    ("310798", "Hydrochlorothiazide 25 MG Oral Tablet"),
    ("351137", "albuterol 0.21 MG/ML Inhalation Solution"),
    ("197361", "amlodipine 5 MG Oral Tablet"),
    ("904419", "Alendronic acid 10 MG Oral Tablet"),
    ("310965", "Ibuprofen 200 MG Oral Tablet"),
)
# (NUCC taxonomy code, display, SNOMED specialty code used by the directory)
SPECIALTIES = (
    ("207Q00000X", "Family Medicine", "419772000"),
    ("207R00000X", "Internal Medicine", "419192003"),
    ("207RC0000X", "Cardiovascular Disease", "394579002"),
    ("2084N0400X", "Neurology", "394591006"),
    ("208000000X", "Pediatrics", "394537008"),
    ("207V00000X", "Obstetrics & Gynecology", "394585009"),
    ("207RE0101X", "Endocrinology, Diabetes & Metabolism", "394583002"),
)
ENCOUNTER_TYPES = (
    ("185349003", "Encounter for check up (procedure)", "AMB"),
    ("390906007", "Follow-up encounter (procedure)", "AMB"),
    ("50849002", "Emergency room admission (procedure)", "EMER"),
    ("183452005", "Emergency hospital admission (procedure)", "IMP"),
    ("185345009", "Encounter for symptom (procedure)", "AMB"),
)
PAYERS = (
    ("Blue Peak Health Plan", "BPH"),
    ("Medicare Part B", "MCR"),
    ("Harborline Medicaid", "HMD"),
)

UA_PATIENT_IOS = "PulseHealth/4.12.1 (iPhone; iOS 17.5.1; Scale/3.00)"
UA_PATIENT_ANDROID = "PulseHealth/4.12.0 (Android 14; Pixel 8) okhttp/4.12.0"
UA_CLINICIAN = "CareBridge-Clinician/2026.1.3 (Windows NT 10.0; Win64; x64) Electron/29.4.0"
UA_PAYER = "BluePeak-BulkClient/3.2.0 (+https://bluepeak.example.com/integrations) Java/17.0.10"
UA_SUPPLIER = "MedSupplyConnector/2.3.7 python-requests/2.31.0"
UA_BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
)
UA_LAB = "curl/8.5.0"
UA_LAB_SCRIPT = "LabResultsBridge/0.9 (cron; Python-urllib/3.10)"
UA_PROBE = "kube-probe/1.29"
