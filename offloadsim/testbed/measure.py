"""The workers' records joined into one row per request: latency and its parts, as measured.

Times are seconds after the run's common start ``T0``, read from the
``CLOCK_MONOTONIC`` clock that every process on the machine shares, so a
device's send time and the edge's receive time can be subtracted. Besides
wall-clock compute times the rows keep each compute step's *thread CPU
time*: on a quiet machine the two agree; when other work preempts the
worker, wall exceeds CPU, which is how a noisy measurement shows itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MEASURED_COLUMNS", "flows_frame", "requests_frame"]

#: Columns of ``measured.csv`` for split inference (seconds, bytes).
MEASURED_COLUMNS = (
    "device",
    "id",
    "arrival",
    "finish",
    "latency",
    "device_wait",
    "device_compute",
    "device_cpu",
    "connection_wait",
    "upload",
    "edge_wait",
    "edge_compute",
    "edge_cpu",
    "download",
    "bytes_up",
    "bytes_down",
)


def requests_frame(
    device_records: Sequence[dict[str, Any]], edge_records: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    """One row per request (:data:`MEASURED_COLUMNS`), sorted by device and request id.

    ``upload`` runs from the device starting to send until the edge has the
    whole message and its latency has passed; ``download`` from the edge
    starting to reply until the device has the result and its latency has
    passed. A request that ran wholly on its device has NaN there.
    """
    import pandas as pd

    edge = {(r["device"], r["id"]): r for r in edge_records}
    rows = []
    nan = float("nan")
    for d in device_records:
        e = edge.get((d["device"], d["id"]))
        row = {
            "device": d["device"],
            "id": d["id"],
            "arrival": d["arrival"],
            "finish": d["finish"],
            "latency": d["finish"] - d["arrival"],
            "device_wait": d["compute_start"] - d["arrival"],
            "device_compute": d["compute_end"] - d["compute_start"],
            "device_cpu": d["compute_cpu"],
            "connection_wait": d["send_start"] - d["queued"] if "send_start" in d else nan,
            "upload": nan,
            "edge_wait": nan,
            "edge_compute": nan,
            "edge_cpu": nan,
            "download": nan,
            "bytes_up": 0.0,
            "bytes_down": 0.0,
        }
        if e is not None:
            row.update(
                upload=e["delivered"] - d["send_start"],
                edge_wait=e["compute_start"] - e["delivered"],
                edge_compute=e["compute_end"] - e["compute_start"],
                edge_cpu=e["compute_cpu"],
                download=d["finish"] - e["reply_start"],
                bytes_up=float(e["bytes_in"]),
                bytes_down=float(d["bytes_in"]),
            )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(MEASURED_COLUMNS))
    return frame.sort_values(["device", "id"], kind="stable").reset_index(drop=True)


def flows_frame(
    device_records: Sequence[dict[str, Any]], edge_records: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    """One row per flow: device, round, start, flow completion time (``fct``), bytes, rate (bit/s).

    A flow starts when its device starts sending and completes when the
    edge has the last byte and the link latency has passed.
    """
    import pandas as pd

    edge = {(r["device"], r["id"]): r for r in edge_records}
    rows = []
    for d in device_records:
        e = edge[(d["device"], d["id"])]
        fct = e["delivered"] - d["send_start"]
        rows.append(
            {
                "device": d["device"],
                "round": int(d["id"]),
                "start": d["send_start"],
                "fct": fct,
                "bytes": float(e["bytes_in"]),
                "rate_bps": float(e["bytes_in"]) * 8 / fct if fct > 0 else np.nan,
            }
        )
    frame = pd.DataFrame(rows, columns=["device", "round", "start", "fct", "bytes", "rate_bps"])
    return frame.sort_values(["round", "device"], kind="stable").reset_index(drop=True)
