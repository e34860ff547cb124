"""The listening socket `reel serve` and `reel demo` bind before uvicorn starts (reel.runtime.sockets)."""

from __future__ import annotations

import socket

import pytest

from reel.runtime.sockets import PortUnavailable, bind_listening_socket


def test_the_socket_names_tcp_so_asyncio_turns_nagle_off() -> None:
    # asyncio sets TCP_NODELAY on accepted connections only when the listening socket's proto is TCP;
    # with proto 0 every small answer waited ~40 ms for a delayed ACK.
    with bind_listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[1] > 0


def test_a_busy_port_is_a_sentence_not_a_traceback() -> None:
    with bind_listening_socket("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        taken.listen()
        with pytest.raises(PortUnavailable) as refused:
            bind_listening_socket("127.0.0.1", port)
    assert refused.value.message == (
        f"port {port} on 127.0.0.1 is already in use (another Reel, or another program): "
        "stop it, or choose another port"
    )


def test_an_address_that_is_not_this_machines_is_refused_clearly() -> None:
    with pytest.raises(PortUnavailable) as refused:
        bind_listening_socket("192.0.2.1", 0)  # TEST-NET-1: never an address of this machine
    assert refused.value.message.startswith("cannot listen on 192.0.2.1:0")
