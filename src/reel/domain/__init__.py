"""Reel's domain model: records, how beacons fold into sessions, splits, masking rules (pure)."""
