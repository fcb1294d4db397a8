"""The scenario many tests run: one phone, one edge server 5 ms away, synthetic 1 GFLOP jobs under ``edge``.

Each test says what it varies (its name and window, the upload, the rate, the keys after
``policy``); the nodes, link and application, copied from file to file, are written once here.
"""

from __future__ import annotations

__all__ = ["one_phone", "phone_edge"]


def phone_edge(header: str, *, rate: str = "5 /s", upload: str = "200 KB", after: str = "") -> str:
    """``header`` (its name, seed and window), the phone and edge server, a job of ``upload`` at ``rate``.

    ``after``: keys after ``policy: edge`` (``dynamics: ...``).
    """
    return (
        header + "nodes:\n"
        "  phone: {tier: device, processor: {speed: 10 GFLOP/s}}\n"
        "  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}\n"
        "links:\n"
        "  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 5 ms}\n"
        "applications:\n"
        f"  job: {{work: 1 GFLOP, input: {upload}, output: 1 KB}}\n"
        "workload:\n"
        f"  - {{app: job, sources: phone, rate: {rate}}}\n"
        "policy: edge\n" + after
    )


def one_phone(name: str, *entries: str, duration: str = "3 s") -> str:
    """A phone of 1 GFLOP/s alone, its 1 MFLOP jobs sent by ``entries`` (each an entry's arrival keys).

    What a plug-in arrival process's tests run: its work takes a millisecond, so the arrivals are
    what is looked at.
    """
    workload = "".join(f"  - {{app: job, sources: phone, {entry}}}\n" for entry in entries)
    return (
        f"name: {name}\nduration: {duration}\nnodes:\n"
        "  phone: {tier: device, processor: {speed: 1 GFLOPS}}\n"
        "applications:\n  job: {work: 1 MFLOP}\n"
        "workload:\n" + workload
    )
