"""The scenario many tests run: one phone, one edge server 5 ms away, synthetic 1 GFLOP jobs under ``edge``.

Each test says what it varies (its name and window, the upload, the rate, the keys after
``policy``); the nodes, link and application, copied from file to file, are written once here.
"""

from __future__ import annotations

__all__ = ["phone_edge"]


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
