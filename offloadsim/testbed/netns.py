"""Network namespaces joined through a bridge by veth pairs, one link shaped by tbf: set up, torn down.

The layout (``N`` devices)::

    dev0 ─veth─┐
    dev1 ─veth─┤ ap (bridge br0) ─veth, shaped both ways─ edge
    ...        │
    devN-1 ────┘

Every device reaches the edge through the *access link* ``ap``—``edge``,
which is the only shaped link, so concurrent transfers share its rate. The
device—ap veths are not shaped (the scenario gives them 10 Gbps).

Everything is created *inside* the namespaces (``ip -n NS link add ...
peer ... netns OTHER``): nothing is ever added to the caller's namespace, so
deleting the namespaces removes every interface, bridge and qdisc with them.
Namespaces are named ``osim-<pid>-<role>`` after the process that made them;
:func:`stale_namespaces` finds those whose process is gone and
:func:`remove_stale` deletes them. Addresses are 10.77.0.0/24, which exist only
inside these namespaces.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

from offloadsim.testbed.errors import TestbedError, TestbedUnavailable

__all__ = [
    "PREFIX",
    "Shaping",
    "Testbed",
    "check_available",
    "our_namespaces",
    "remove_stale",
    "shaping_for",
    "stale_namespaces",
]

#: Namespace names start with this, then the creating process id and the role.
PREFIX = "osim-"
_NAME = re.compile(rf"^{re.escape(PREFIX)}(\d+)-")
SUBNET = "10.77.0"
EDGE_ADDRESS = f"{SUBNET}.1"
MAX_DEVICES = 64
#: Bytes tbf counts for one full frame: 1500 B MTU + 14 B Ethernet header.
FRAME_BYTES = 1514
_COMMAND_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class Shaping:
    """tbf parameters of the access link: rate (bit/s), bucket size and queue limit (bytes).

    ``burst`` is what may leave at line rate after the link was idle; it is
    the largest error a transfer's time can have from the bucket, so it is kept
    small: two full frames, or 1 ms of the rate when that is more (tbf needs
    at least one frame, and a bucket under ~1 ms of traffic makes the rate
    depend on timer precision). ``limit`` is the drop-tail FIFO queue in front
    of the bucket, 1 MiB by default (at least 16 frames). A queue shorter than
    a transfer makes TCP's slow start overshoot it and lose packets, and each
    loss costs a retransmission, often a 200 ms timeout, which a fluid model
    does not have (measured: a 32 KB tensor at 2 Mbps took twice its time
    behind a 24 KB queue). Deep buffers are also what cellular uplinks have.
    The price: a flow that starts while another has filled the queue waits
    behind those bytes, so a FIFO shares less fairly than max-min; the
    kernel here has no fair-queueing qdisc to put under tbf.
    """

    rate_bps: float
    burst_bytes: int
    limit_bytes: int

    def tc_args(self) -> list[str]:
        """``tc qdisc add ... root`` arguments after the device name."""
        return [
            "tbf",
            "rate",
            f"{round(self.rate_bps)}bit",
            "burst",
            str(self.burst_bytes),
            "limit",
            str(self.limit_bytes),
        ]


#: The default tbf queue (bytes).
DEFAULT_QUEUE_BYTES = 1024**2


def shaping_for(rate_bps: float, queue_bytes: float = DEFAULT_QUEUE_BYTES) -> Shaping:
    """The tbf parameters for ``rate_bps`` with a queue of ``queue_bytes`` (see :class:`Shaping`).

    >>> shaping_for(10e6)
    Shaping(rate_bps=10000000.0, burst_bytes=3028, limit_bytes=1048576)
    """
    if not (math.isfinite(rate_bps) and 8e3 <= rate_bps <= 10e9):
        raise TestbedError(f"link rate {rate_bps:g} bit/s is outside 8 kbit/s .. 10 Gbit/s")
    if not (math.isfinite(queue_bytes) and 0 < queue_bytes <= 1e9):
        raise TestbedError(f"queue must be above 0 and at most 1 GB, got {queue_bytes:g} B")
    per_s = rate_bps / 8
    burst = max(2 * FRAME_BYTES, math.ceil(per_s / 1000))
    limit = max(16 * FRAME_BYTES, math.ceil(queue_bytes))
    return Shaping(float(rate_bps), burst, limit)


def _run(argv: Sequence[str], what: str) -> str:
    """Run one ``ip``/``tc`` command; TestbedError naming ``what`` and its message if it fails."""
    try:
        done = subprocess.run(  # own session: a Ctrl-C at the terminal cannot cut a set-up step in half
            list(argv),
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT_S,
            check=False,
            start_new_session=True,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TestbedError(f"{what}: {' '.join(argv)}: {exc}") from None
    if done.returncode != 0:
        message = " ".join((done.stderr or done.stdout).split()) or f"exit status {done.returncode}"
        raise TestbedError(f"{what}: {' '.join(argv)}: {message}")
    return done.stdout


def check_available() -> None:
    """TestbedUnavailable unless this process can create namespaces: root, ``ip``, ``tc``, netns support."""
    if os.name != "posix" or not hasattr(os, "geteuid"):
        raise TestbedUnavailable("the testbed needs Linux network namespaces")
    if os.geteuid() != 0:
        raise TestbedUnavailable(
            f"the testbed needs root to create network namespaces (running as uid {os.geteuid()})"
        )
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            raise TestbedUnavailable(f"the testbed needs the {tool!r} command (iproute2), not found on PATH")
    probe = f"{PREFIX}{os.getpid()}-probe"
    try:
        _run(["ip", "netns", "add", probe], "network namespaces are not available")
    except TestbedError as exc:
        raise TestbedUnavailable(str(exc)) from None
    _run(["ip", "netns", "delete", probe], "cannot delete the probe namespace")


def our_namespaces() -> list[str]:
    """Names of every namespace made by a testbed (``osim-<pid>-...``), whichever process made it."""
    try:
        listing = _run(["ip", "netns", "list"], "cannot list network namespaces")
    except TestbedError:
        return []
    names = (line.split()[0] for line in listing.splitlines() if line.strip())
    return [name for name in names if _NAME.match(name)]


def stale_namespaces() -> list[str]:
    """Testbed namespaces whose creating process no longer runs (left by a killed run)."""
    stale = []
    for name in our_namespaces():
        match = _NAME.match(name)
        assert match is not None
        if not os.path.exists(f"/proc/{match.group(1)}"):
            stale.append(name)
    return stale


def remove_stale() -> list[str]:
    """Delete :func:`stale_namespaces`; return their names."""
    removed = []
    for name in stale_namespaces():
        try:
            _run(["ip", "netns", "delete", name], "cannot delete a stale namespace")
            removed.append(name)
        except TestbedError:
            continue  # deleted by someone else meanwhile, or busy: the next clean-up tries again
    return removed


@dataclass
class Testbed:
    """The namespaces of one run, made on ``__enter__`` and deleted on ``__exit__`` whatever happened.

    >>> with Testbed(devices=2, shaping=shaping_for(10e6)) as bed:  # doctest: +SKIP
    ...     bed.exec_prefix(bed.device_ns(0)) + ["python", "-c", "..."]
    """

    devices: int
    shaping: Shaping
    tag: str = field(default_factory=lambda: str(os.getpid()))
    created: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if not 1 <= self.devices <= MAX_DEVICES:
            raise TestbedError(f"devices must be 1 .. {MAX_DEVICES}, got {self.devices}")

    # -- names ------------------------------------------------------------------------------

    @property
    def ap_ns(self) -> str:
        """The namespace holding the bridge all devices and the edge hang off."""
        return f"{PREFIX}{self.tag}-ap"

    @property
    def edge_ns(self) -> str:
        """The edge server's namespace."""
        return f"{PREFIX}{self.tag}-edge"

    def device_ns(self, index: int) -> str:
        """Device ``index``'s namespace."""
        return f"{PREFIX}{self.tag}-dev{index}"

    @property
    def edge_address(self) -> str:
        """The edge's IPv4 address (only meaningful inside the namespaces)."""
        return EDGE_ADDRESS

    def device_address(self, index: int) -> str:
        """Device ``index``'s IPv4 address."""
        return f"{SUBNET}.{10 + index}"

    @staticmethod
    def exec_prefix(namespace: str) -> list[str]:
        """The argv prefix that runs a command inside ``namespace``."""
        return ["ip", "netns", "exec", namespace]

    # -- life cycle --------------------------------------------------------------------------

    def __enter__(self) -> Testbed:
        try:
            self._build()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()

    def _namespace(self, name: str) -> None:
        self.created.append(name)  # first: an interrupt right after the add still gets it deleted
        _run(["ip", "netns", "add", name], "cannot create a network namespace")
        _run(["ip", "-n", name, "link", "set", "lo", "up"], "cannot bring up loopback")

    def _build(self) -> None:
        ap, edge = self.ap_ns, self.edge_ns
        self._namespace(ap)
        self._namespace(edge)
        _run(["ip", "-n", ap, "link", "add", "br0", "type", "bridge"], "cannot create the bridge")
        _run(["ip", "-n", ap, "link", "set", "br0", "up"], "cannot bring up the bridge")
        self._veth(edge, "eth0", "e0", EDGE_ADDRESS)
        for i in range(self.devices):
            self._namespace(self.device_ns(i))
            self._veth(self.device_ns(i), "eth0", f"d{i}", self.device_address(i))
        shape = self.shaping.tc_args()
        for ns, dev in ((ap, "e0"), (edge, "eth0")):  # ap->edge is the upload, edge->ap the download
            try:
                _run(["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", *shape], "tbf")
            except TestbedError as exc:
                raise TestbedUnavailable(f"cannot shape the link with the tbf qdisc: {exc}") from None

    def _veth(self, ns: str, inside: str, port: str, address: str) -> None:
        """A veth from ``inside`` in ``ns`` to bridge port ``port`` in the ap namespace, addressed and up."""
        ap = self.ap_ns
        _run(
            ["ip", "-n", ns, "link", "add", inside, "type", "veth", "peer", "name", port, "netns", ap],
            "cannot create a veth pair",
        )
        _run(["ip", "-n", ns, "addr", "add", f"{address}/24", "dev", inside], "cannot assign an address")
        _run(["ip", "-n", ns, "link", "set", inside, "up"], "cannot bring up a veth")
        _run(["ip", "-n", ap, "link", "set", port, "master", "br0"], "cannot attach a veth to the bridge")
        _run(["ip", "-n", ap, "link", "set", port, "up"], "cannot bring up a bridge port")

    def link_stats(self) -> dict[str, dict[str, int]]:
        """Counters of the shaped link's two tbf qdiscs: ``upload`` (ap->edge) and ``download`` (edge->ap).

        Each has ``bytes`` and ``packets`` sent (frames as tbf counts them,
        Ethernet header included), ``drops`` (queue full) and ``overlimits``.
        Drops are why TCP retransmits: where they are many, expect slow transfers.
        """
        import json

        stats = {}
        for direction, ns, dev in (("upload", self.ap_ns, "e0"), ("download", self.edge_ns, "eth0")):
            text = _run(
                ["ip", "netns", "exec", ns, "tc", "-s", "-j", "qdisc", "show", "dev", dev], "tc stats"
            )
            try:
                entry = next(q for q in json.loads(text) if q.get("kind") == "tbf")
            except (ValueError, StopIteration):
                raise TestbedError(f"tc printed no tbf statistics for {dev} in {ns}") from None
            stats[direction] = {
                key: int(entry.get(key, 0)) for key in ("bytes", "packets", "drops", "overlimits")
            }
        return stats

    def teardown(self) -> None:
        """Delete every namespace this testbed made (their interfaces and qdiscs go with them)."""
        while self.created:
            name = self.created.pop()
            try:
                _run(["ip", "netns", "delete", name], "cannot delete a namespace")
            except TestbedError:
                continue  # already gone; anything else is found by remove_stale later
