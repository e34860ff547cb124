"""The listening socket of a Reel server, bound before uvicorn starts so a busy port is a clear error."""

from __future__ import annotations

import errno
import socket

from reel.errors import ReelError


class PortUnavailable(ReelError):
    """The address and port cannot be listened on (another program has it, or the address is wrong)."""

    code = "port_unavailable"


def bind_listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host:port` (port 0 picks a free one), ready for uvicorn's `sockets=`.

    Raises PortUnavailable with what to do, instead of the OSError traceback a busy port gave before.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # small answers wait for delayed ACKs (about 40 ms each).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    # As uvicorn does: a restarted server may bind while old connections are in TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"port {port} on {host} is already in use (another Reel, or another program): "
                "stop it, or choose another port"
            ) from exc
        if exc.errno == errno.EACCES:
            raise PortUnavailable(
                f"no permission to listen on port {port}: ports below 1024 need root; "
                "use a higher port behind a reverse proxy (docs/deployment.md)"
            ) from exc
        raise PortUnavailable(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock
