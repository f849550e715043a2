"""Detect: find personal data in tables (entity modules, checksums, the column classifier)."""
