"""An LLM's token rates, from the records' ``tpot`` and ``output_tokens``: what users of vLLM or MLPerf read.

Two rates, both derived here from columns the engine already records (it
computes neither):

* the **decode rate** of one request, in tokens/s: ``(output_tokens − 1) /
  (last token − first token)``, both times at the source, which is exactly
  ``1 / tpot``; the per-user output token throughput of LLM serving reports.
  A one-token answer has no decode interval (``tpot`` NaN), and neither has
  an answer whose tokens all reached the source at one instant (``tpot`` 0):
  its rate is NaN, never a division by zero;
* the **output token throughput** of a run, in tokens/s: every output token
  generated in the measured window over it, whatever became of its request
  (the nodes table's ``tokens_generated``, which the engine counts), so that
  a saturated server reads its capacity; counting the completed requests'
  tokens alone read a 3-Jetson pipeline's 38.9 tokens/s as 21.3 with 20 users
  in flight.  An application's (a per-application breakdown) counts its
  requests' tokens in the window alike, from the task records'
  ``window_tokens``; a run from before the counts, the completed requests'
  tokens.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from offloadsim.analysis.table_columns import floats, has, is_frame

__all__ = ["decode_rate", "generated_token_rate", "output_token_rate"]


def decode_rate(tpot: np.ndarray) -> np.ndarray:
    """Each request's decode rate (tokens/s): ``1 / tpot`` where ``tpot`` > 0, NaN elsewhere.

    >>> decode_rate(np.array([0.02, np.nan, 0.0])).tolist()
    [50.0, nan, nan]
    """
    tpot = np.asarray(tpot, dtype=np.float64)
    timed = tpot > 0.0  # NaN compares False: a one-token answer has no rate
    return np.divide(1.0, tpot, out=np.full(tpot.shape, math.nan), where=timed)


def output_token_rate(tokens: float, duration_s: float) -> float:
    """Output tokens per second of measured time; NaN without a measured time."""
    return tokens / duration_s if duration_s > 0 else math.nan


def generated_token_rate(rate: float, nodes: Any, duration_s: float, tasks: Any = None) -> float:
    """``rate`` (the completed requests' output tokens a second) as every token generated in the window.

    Every token generated in the measured window (the nodes table's ``tokens_generated``), not only
    the completed requests': at saturation those read low.  Where ``nodes`` has no count (a
    breakdown per application passes none), the tokens ``tasks`` generated in the window (their
    ``window_tokens``, the requests in flight at the end included).  ``rate`` itself where no
    request was served (NaN) or the tables are from before the columns.  A run's summary, a
    breakdown's and a sweep's merge of an older job file all take it so.
    """
    if rate != rate:
        return rate
    if has(nodes, "tokens_generated"):
        return output_token_rate(float(np.sum(floats(nodes, "tokens_generated"))), duration_s)
    if tasks is not None and is_frame(tasks) and has(tasks, "window_tokens"):
        counted = floats(tasks, "window_tokens")
        if np.isfinite(counted).any():
            return output_token_rate(float(np.nansum(counted)), duration_s)
    return rate
