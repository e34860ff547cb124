"""Ingest: where beacons arrive — authentication, limits, decoding, dedupe and durable acknowledgement."""
