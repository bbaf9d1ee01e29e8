"""Runtime detectors: one module per detector; ``waf/`` holds the OWASP CRS engine."""
