"""Endpoint discovery: path templating, inventory, spec import and lifecycle status.

``templating.Templater`` turns paths into templates (``/Patient/{id}``), with FHIR rules from
``fhir``; ``learning.PathLearner`` finds parameters by cardinality; ``inventory.Inventory`` keeps
per-endpoint statistics and ``inventory.DiscoverStage`` is the pipeline's "discover" stage.
"""
