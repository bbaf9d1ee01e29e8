"""The specs the organisation publishes: an OpenAPI 3.0 file and a FHIR CapabilityStatement.

Both are built from the world (hosts, base URL) and are the only input the ground truth
uses to decide documented / zombie / orphan, exactly as phiwatch would read them.
"""
