"""The testbed's TCP messages: a length-prefixed JSON header, then the tensors' raw bytes.

A message is ``!I`` (header length), the header — ``{"id": .., "tensors":
[{"name", "dtype", "shape"}, ...], ...}`` — and each tensor's bytes in
order, C-contiguous. Tensors are sent straight from their buffers and
received straight into new arrays (no copies beyond the kernel's). Every
read has a deadline: a peer that stalls raises :class:`socket.timeout`
instead of hanging the run.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["Message", "ProtocolError", "recv_message", "send_message"]

_LENGTH = struct.Struct("!I")
_MAX_HEADER = 1 << 20
_MAX_TENSOR_BYTES = 1 << 31


class ProtocolError(ConnectionError):
    """The peer sent something that is not a testbed message, or closed mid-message."""


class Message:
    """A received message: its header fields, its tensors, when its first and last bytes arrived."""

    __slots__ = ("first_ns", "header", "last_ns", "nbytes", "tensors")

    def __init__(
        self, header: dict[str, Any], tensors: dict[str, np.ndarray], first_ns: int, last_ns: int, nbytes: int
    ) -> None:
        self.header = header
        self.tensors = tensors
        self.first_ns = first_ns
        self.last_ns = last_ns
        self.nbytes = nbytes


def send_message(sock: socket.socket, header: Mapping[str, Any], tensors: Mapping[str, np.ndarray]) -> int:
    """Send ``header`` and ``tensors``; return the bytes written (header and payload)."""
    arrays = [(name, np.ascontiguousarray(array)) for name, array in tensors.items()]
    meta = dict(header)
    meta["tensors"] = [{"name": n, "dtype": a.dtype.str, "shape": list(a.shape)} for n, a in arrays]
    encoded = json.dumps(meta, separators=(",", ":")).encode()
    sock.sendall(_LENGTH.pack(len(encoded)) + encoded)
    total = _LENGTH.size + len(encoded)
    for _, array in arrays:
        if array.nbytes:
            sock.sendall(array.data.cast("B"))
        total += array.nbytes
    return total


def _recv_into(sock: socket.socket, view: memoryview, deadline_ns: int) -> None:
    got = 0
    while got < len(view):
        remaining = (deadline_ns - time.monotonic_ns()) / 1e9
        if remaining <= 0:
            raise TimeoutError("message not received in time")
        sock.settimeout(remaining)
        n = sock.recv_into(view[got:])
        if n == 0:
            raise ProtocolError("connection closed in the middle of a message")
        got += n


def recv_message(sock: socket.socket, deadline_ns: int) -> Message | None:
    """The next message, or None when the peer closed the connection cleanly between messages.

    ``deadline_ns`` is on the ``time.monotonic_ns`` clock. ``first_ns`` is
    when the first byte was read, ``last_ns`` when the last was.
    """
    prefix = bytearray(_LENGTH.size)
    view = memoryview(prefix)
    remaining = (deadline_ns - time.monotonic_ns()) / 1e9
    if remaining <= 0:
        raise TimeoutError("message not received in time")
    sock.settimeout(remaining)
    n = sock.recv_into(view)
    if n == 0:
        return None
    first_ns = time.monotonic_ns()
    _recv_into(sock, view[n:], deadline_ns)
    (length,) = _LENGTH.unpack(prefix)
    if not 0 < length <= _MAX_HEADER:
        raise ProtocolError(f"bad header length {length}")
    raw = bytearray(length)
    _recv_into(sock, memoryview(raw), deadline_ns)
    try:
        header = json.loads(raw)
        specs: Sequence[Mapping[str, Any]] = header.pop("tensors")
    except (ValueError, KeyError, AttributeError) as exc:
        raise ProtocolError(f"bad header: {exc}") from None
    tensors: dict[str, np.ndarray] = {}
    total = _LENGTH.size + length
    for spec in specs:
        array = np.empty(tuple(int(d) for d in spec["shape"]), dtype=np.dtype(str(spec["dtype"])))
        if array.nbytes > _MAX_TENSOR_BYTES:
            raise ProtocolError(f"tensor {spec['name']!r} of {array.nbytes} bytes is too large")
        if array.nbytes:
            _recv_into(sock, array.data.cast("B"), deadline_ns)
        tensors[str(spec["name"])] = array
        total += array.nbytes
    return Message(header, tensors, first_ns, time.monotonic_ns(), total)
