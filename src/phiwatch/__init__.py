"""phiwatch: API security for healthcare."""

__version__ = "0.1.0"
