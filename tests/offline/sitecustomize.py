"""Blocks the network in every Python process the tests start (kernels included).

Active only when RAGFT_BLOCK_NETWORK=1. Loopback and Unix sockets stay open (Jupyter kernels
talk to their client over 127.0.0.1); anything else fails at once with a clear error, so a
notebook that tries to download something fails its test instead of silently working online.
"""

import os
import socket

_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths and the like
        return True
    host = str(address[0])
    return host == "" or host.startswith(_LOCAL) or host == "::ffff:127.0.0.1"


def _guard(connect):
    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
            raise ConnectionRefusedError(f"network blocked by the course tests: tried to reach {address!r}")
        return connect(self, address)

    return guarded


def _guard_getaddrinfo(getaddrinfo):
    def guarded(host, *args, **kwargs):
        if host is not None and not _is_local((host if isinstance(host, str) else host.decode(),)):
            raise socket.gaierror(f"network blocked by the course tests: tried to resolve {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    return guarded


def install() -> None:
    if getattr(socket, "_ragft_blocked", False):
        return
    socket.socket.connect = _guard(socket.socket.connect)
    socket.socket.connect_ex = _guard(socket.socket.connect_ex)
    socket.getaddrinfo = _guard_getaddrinfo(socket.getaddrinfo)
    socket._ragft_blocked = True


if os.environ.get("RAGFT_BLOCK_NETWORK") == "1":
    install()
