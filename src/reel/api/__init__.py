"""Operator API under /api/v1/."""
