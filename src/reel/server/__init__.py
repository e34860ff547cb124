"""Server: the ASGI app factory, shared context, health and readiness."""
