"""Tests for phiwatch.detect."""
