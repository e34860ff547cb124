"""Reel: self-hosted session replay for web and mobile apps."""

__version__ = "0.1.0"
