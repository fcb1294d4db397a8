"""The device and edge processes of a testbed run: real onnxruntime inference, real TCP.

Started by :mod:`offloadsim.testbed.runner` inside a namespace as
``python -m offloadsim.testbed.worker CONFIG.json``. The handshake on
stdin/stdout is one line each way: the worker prints ``ready`` when its
model is loaded and warmed up (and, on a device, its connections are open);
a device then waits for ``go T0_NS`` and times its requests from ``T0_NS``
on the ``CLOCK_MONOTONIC`` clock, which every process on the machine shares.
At the end the worker writes its per-request records (JSON) and exits 0.

**Device.** One compute thread (the main thread, onnxruntime with one
intra-op thread) serves requests first come first served: an *open* pattern
gives the arrival times, a *closed* one sends the next request when the
previous result is back (plus a think time). After its layers, a request is
handed to a pool of persistent TCP connections, one thread each, which sends
the tensors crossing the cut and waits for the result: transfers of
different requests overlap and share the link as separate flows, as the
simulator's flows do, while the compute thread goes on with the next request.

**Edge.** A thread per connection receives requests, a single compute thread
runs the rest of the model in arrival order (a one-core FIFO server) and the
connection thread sends the result back.

**Propagation latency.** netem is not available, so the link's one-way
latency is added by the receiver: a message counts as delivered ``latency``
after its last byte arrived, which is what the simulator's flow model does
(the flow occupies the link from its start; delivery follows one latency
later). TCP itself does not see this delay.

Every loop is bounded by the request count and by ``time_limit_s``; SIGTERM
or the death of the parent ends the worker at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main"]

_POLL_S = 0.2


#: Environment variable naming the runner's process id (see :func:`_die_with_parent`).
PARENT_ENV = "OFFLOADSIM_TESTBED_RUNNER"


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this process when its parent (the runner) dies, even by SIGKILL.

    If the runner died before this was set (while this process was still
    starting), exit at once.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the time limit still bounds the worker
        pass
    expected = os.environ.get(PARENT_ENV)
    if expected and expected.isdigit() and os.getppid() != int(expected):
        sys.exit(143)


def _now() -> int:
    return time.monotonic_ns()


def _session(path: str | None, threads: int) -> Any:
    if path is None:
        return None
    from offloadsim.calibration.kernels import ort_session

    return ort_session(path, threads)


def _compute(session: Any, feed: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], int, int, float]:
    """Run ``session`` on ``feed``: (outputs by name, start ns, end ns, thread CPU seconds)."""
    start, cpu = _now(), time.thread_time()
    if session is None:
        outputs: dict[str, np.ndarray] = {}
    else:
        names = [o.name for o in session.get_outputs()]
        outputs = dict(zip(names, session.run(names, feed), strict=True))
    return outputs, start, _now(), time.thread_time() - cpu


def _warm(session: Any, repeats: int) -> None:
    if session is None:
        return
    feed = {
        arg.name: np.zeros([d if isinstance(d, int) and d > 0 else 1 for d in arg.shape], np.float32)
        for arg in session.get_inputs()
    }
    for _ in range(repeats):
        session.run(None, feed)


def _sleep_until(target_ns: int, deadline_ns: int) -> None:
    while True:
        now = _now()
        if now >= target_ns:
            return
        if now >= deadline_ns:
            raise TimeoutError("time limit reached")
        time.sleep(min(target_ns - now, deadline_ns - now) / 1e9)


def _pin(cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


# --------------------------------------------------------------------------- edge


def run_edge(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """Serve requests until every expected connection has closed (or the time limit); return records."""
    from offloadsim.testbed.protocol import recv_message, send_message

    deadline = _now() + int(cfg["time_limit_s"] * 1e9)
    latency_ns = int(cfg["latency_s"] * 1e9)
    _pin(cfg.get("cpu"))
    session = _session(cfg.get("onnx"), int(cfg.get("threads", 1)))
    _warm(session, int(cfg.get("warmup", 3)))
    jobs: queue.Queue[tuple[dict[str, Any], dict[str, np.ndarray], queue.Queue[Any]] | None] = queue.Queue()
    records: list[dict[str, Any]] = []
    failures: list[BaseException] = []

    def compute_loop() -> None:
        while True:
            job = jobs.get()
            if job is None:
                return
            record, feed, reply = job
            outputs, start, end, cpu = _compute(session, feed)
            record.update(compute_start=start, compute_end=end, compute_cpu=cpu)
            reply.put(outputs)

    def serve(conn: socket.socket) -> None:
        try:
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for _ in range(int(cfg["max_requests"]) + 1):
                    message = recv_message(conn, deadline)
                    if message is None or message.header.get("bye"):
                        return
                    delivered = message.last_ns + latency_ns
                    _sleep_until(delivered, deadline)
                    record = {
                        "device": message.header["device"],
                        "id": message.header["id"],
                        "recv_first": message.first_ns,
                        "recv_last": message.last_ns,
                        "delivered": delivered,
                        "bytes_in": message.nbytes,
                    }
                    reply: queue.Queue[dict[str, np.ndarray]] = queue.Queue(maxsize=1)
                    jobs.put((record, message.tensors, reply))
                    outputs = reply.get(timeout=max((deadline - _now()) / 1e9, 0.001))
                    record["reply_start"] = _now()
                    record["bytes_out"] = send_message(conn, {"id": record["id"]}, outputs)
                    record["reply_end"] = _now()
                    records.append(record)
        except BaseException as exc:
            failures.append(exc)

    computer = threading.Thread(target=compute_loop, name="edge-compute", daemon=True)
    computer.start()
    server = socket.create_server((cfg["host"], int(cfg["port"])), backlog=256)
    server.settimeout(_POLL_S)
    print("ready", flush=True)
    threads: list[threading.Thread] = []
    with server:
        while len(threads) < int(cfg["connections"]) and _now() < deadline and not failures:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(
                target=serve, args=(conn,), name=f"edge-conn{len(threads)}", daemon=True
            )
            thread.start()
            threads.append(thread)
    for thread in threads:
        thread.join(max((deadline - _now()) / 1e9, 0.0))
    jobs.put(None)
    computer.join(max((deadline - _now()) / 1e9, 0.0) + 1.0)
    if failures:
        raise failures[0]
    if any(t.is_alive() for t in threads) or len(threads) < int(cfg["connections"]):
        raise TimeoutError("time limit reached before every device finished")
    return records


# --------------------------------------------------------------------------- device


def _connect(host: str, port: int, deadline_ns: int) -> socket.socket:
    """A TCP connection to the edge, retried while the edge is still starting (until the deadline)."""
    while True:
        try:
            return socket.create_connection((host, port), timeout=max((deadline_ns - _now()) / 1e9, 0.001))
        except ConnectionRefusedError:
            if _now() >= deadline_ns:
                raise
            time.sleep(0.05)


def _wait_for_go(deadline_ns: int) -> int:
    """Block until the runner writes ``go T0_NS`` on stdin; return T0_NS."""
    while _now() < deadline_ns:
        ready, _, _ = select.select([sys.stdin], [], [], _POLL_S)
        if not ready:
            continue
        line = sys.stdin.readline()
        if not line:
            raise EOFError("the runner closed stdin before 'go'")
        word, _, value = line.strip().partition(" ")
        if word == "go":
            return int(value)
    raise TimeoutError("no 'go' from the runner in time")


def run_device(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """Run this device's requests; return one record per request."""
    from offloadsim.testbed.protocol import recv_message, send_message

    deadline = _now() + int(cfg["time_limit_s"] * 1e9)
    latency_ns = int(cfg["latency_s"] * 1e9)
    device = cfg["device"]
    _pin(cfg.get("cpu"))
    session = _session(cfg.get("onnx"), int(cfg.get("threads", 1)))
    _warm(session, int(cfg.get("warmup", 3)))
    rng = np.random.default_rng(int(cfg.get("seed", 0)))
    if cfg.get("payload_bytes") is not None:  # a pure transfer (flows): no model, this many bytes
        source = {"payload": np.zeros(int(cfg["payload_bytes"]), np.uint8)}
    else:
        source = {cfg["input_name"]: rng.standard_normal(cfg["input_shape"], dtype=np.float32)}
    offload = bool(cfg["offload"])
    pending: queue.Queue[tuple[dict[str, Any], dict[str, np.ndarray]] | None] = queue.Queue()
    finished: queue.Queue[dict[str, Any]] = queue.Queue()
    failures: list[BaseException] = []
    outputs_seen: list[dict[str, np.ndarray]] = []

    def connection_loop(conn: socket.socket) -> None:
        try:
            with conn:
                while True:
                    job = pending.get()
                    if job is None:
                        send_message(conn, {"bye": True}, {})
                        return
                    record, tensors = job
                    record["send_start"] = _now()
                    record["bytes_out"] = send_message(conn, {"device": device, "id": record["id"]}, tensors)
                    record["send_end"] = _now()
                    reply = recv_message(conn, deadline)
                    if reply is None:
                        raise ConnectionError("the edge closed the connection before replying")
                    record["reply_first"], record["reply_last"] = reply.first_ns, reply.last_ns
                    record["bytes_in"] = reply.nbytes
                    _sleep_until(reply.last_ns + latency_ns, deadline)
                    record["finish"] = reply.last_ns + latency_ns
                    if not outputs_seen:
                        outputs_seen.append(reply.tensors)
                    finished.put(record)
        except BaseException as exc:
            failures.append(exc)
            finished.put({})  # wake the main thread

    threads = []
    if offload:
        for i in range(int(cfg["connections"])):
            conn = _connect(cfg["edge_host"], int(cfg["edge_port"]), deadline)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(target=connection_loop, args=(conn,), name=f"conn{i}", daemon=True)
            threads.append(thread)
    print("ready", flush=True)
    t0 = _wait_for_go(deadline)
    for thread in threads:
        thread.start()

    records: list[dict[str, Any]] = []

    def done(record: dict[str, Any]) -> None:
        if failures:
            raise failures[0]
        records.append(record)

    pattern = cfg["arrivals"]
    closed = pattern["kind"] == "closed"
    times = [] if closed else [float(t) for t in pattern["times"]]
    count = int(pattern["count"]) if closed else len(times)
    think_ns = int(float(pattern.get("think_s", 0.0)) * 1e9)
    next_arrival = t0 + think_ns if closed else 0
    in_flight = 0
    for i in range(count):
        arrival = next_arrival if closed else t0 + int(times[i] * 1e9)
        _sleep_until(arrival, deadline)
        record: dict[str, Any] = {"device": device, "id": i, "arrival": arrival}
        outputs, start, end, cpu = _compute(session, source)
        record.update(compute_start=start, compute_end=end, compute_cpu=cpu)
        if offload:
            record["queued"] = _now()
            pending.put((record, outputs or source))
            in_flight += 1
        else:
            record["finish"] = end
            if not outputs_seen:
                outputs_seen.append(outputs)
            done(record)
        if closed:
            if offload:
                done(finished.get(timeout=max((deadline - _now()) / 1e9, 0.001)))
                in_flight -= 1
            next_arrival = records[-1]["finish"] + think_ns
        while not finished.empty():
            done(finished.get_nowait())
            in_flight -= 1
    while in_flight > 0:
        done(finished.get(timeout=max((deadline - _now()) / 1e9, 0.001)))
        in_flight -= 1
    for _ in threads:
        pending.put(None)
    for thread in threads:
        thread.join(max((deadline - _now()) / 1e9, 0.0))
    if failures:
        raise failures[0]
    if cfg.get("save_output") and outputs_seen:
        save: Any = np.savez  # numpy's stubs do not type keyword arrays
        save(cfg["save_output"], **outputs_seen[0])
    return records


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    """``python -m offloadsim.testbed.worker CONFIG.json``: run one worker; 0 on success."""
    args = sys.argv[1:] if argv is None else argv
    _die_with_parent()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    # The runner starts workers with these signals blocked (see runner._start); the mask is inherited.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
    cfg = json.loads(Path(args[0]).read_text())
    try:
        records = run_edge(cfg) if cfg["role"] == "edge" else run_device(cfg)
    except (TimeoutError, OSError, EOFError, queue.Empty) as exc:
        print(f"{cfg['role']} {cfg.get('device', '')}: {type(exc).__name__}: {exc}".strip(), file=sys.stderr)
        return 3
    from offloadsim.outdir import write_text

    write_text(json.dumps(records), Path(cfg["records"]))
    with contextlib.suppress(BrokenPipeError):
        print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
