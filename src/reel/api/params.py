"""Bounds the operator API's query parameters share (pure)."""

from __future__ import annotations

MAX_QUERY_INT = 2**63 - 1
"""Largest integer a query parameter may hold: stores compare them with 64-bit columns, and a larger one
(`started_after=2**64`) overflowed in SQLite and answered 500 instead of 400 naming the parameter."""
