"""Tests for phiwatch.detect.waf."""
