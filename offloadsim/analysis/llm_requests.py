"""The LLM metrics on the registry: time to first token, per output token, and tokens/s.

Over the *completed* LLM requests, as latency is over completed tasks; a run that served none (a
CNN's) has no such columns in its metrics row, and no rows of them in its printed table.  Their
values are the summary's own fields (``ttft_mean_s`` ... ``output_tokens_per_s``), which both
summary paths compute (the chunked one bit for bit, :mod:`offloadsim.analysis.chunked`), so their
``summary.json`` keys stay where they always were (``summary_fields``); the registration says the
rest: their display, their row place (right after the headline metrics), their catalogue place and
table rows (under the latency rows) and which sweep's table shows.
"""

from __future__ import annotations

from typing import Any

from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric

__all__ = ["LLM_REQUESTS"]

#: Each marked ``†`` in an overloaded run's table (``overload_marked``): a time to first token holds
#: the wait, a time per output token and a decode rate per request the decode steps a growing batch
#: or queue stretches, an output token throughput the tokens of the requests that finished.
_COLUMNS = {
    "ttft_mean_s": Metric("mean time to first token", "ms", 1e3, "lower", overload_marked=True),
    "ttft_p50_s": Metric("median time to first token", "ms", 1e3, "lower", overload_marked=True),
    "ttft_p95_s": Metric("p95 time to first token", "ms", 1e3, "lower", overload_marked=True),
    "tpot_mean_s": Metric("mean time per output token", "ms", 1e3, "lower", overload_marked=True),
    "decode_tokens_per_s_mean": Metric(
        "mean decode rate per request", "tokens/s", 1.0, "higher", overload_marked=True
    ),
    "output_tokens_per_s": Metric("output token throughput", "tokens/s", 1.0, "higher", overload_marked=True),
}


def _row(summary: Any) -> dict[str, float]:
    """All six where an LLM request completed (NaN among them: one-token answers' decode rate); else none."""
    if not summary.served_llm:
        return {}
    return {name: getattr(summary, name) for name in _COLUMNS}


#: The registered LLM metrics: a run's metrics row has them right after the headline metrics where
#: it served LLM requests; the run's table shows each under the latency rows then (a mean decode
#: rate and time per token of a run at a decode ceiling said as bounds); sweep's table shows the four means.
LLM_REQUESTS = SummaryMetric(
    name="ttft_mean_s",
    description="of the completed LLM requests: time to first token, per output token, and tokens/s",
    columns=_COLUMNS,
    summary_fields=True,
    row=_row,
    sweep=("ttft_mean_s", "tpot_mean_s", "decode_tokens_per_s_mean", "output_tokens_per_s"),
    table_note="",
    row_place="headline",
    catalogue_place="headline",
    table_place="latency",
    of_completed=True,
    descriptions={
        "ttft_mean_s": "the mean time to the first token of the completed LLM requests",
        "ttft_p50_s": "the median time to the first token of the completed LLM requests",
        "ttft_p95_s": "the 95th percentile of the time to the first token of the completed LLM requests",
        "tpot_mean_s": "the mean time per output token after the first, over the completed LLM requests",
        "decode_tokens_per_s_mean": "the mean over the completed LLM requests of each one's decode rate",
        "output_tokens_per_s": "the LLM output tokens generated in the measured window over it",
    },
)
