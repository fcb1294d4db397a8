"""A run's summary from its records a chunk at a time is the whole-column summary, bit for bit.

``offloadsim run`` summarises the engine's records as they are read back
from disk, a chunk at a time (offloadsim/analysis/chunked.py), so that its
memory does not grow with the number of tasks.  Every number must be the
one the whole-column computation (the summary of the same records as
arrays in memory) gives: the same floats, compared through summary.json's
text, on runs spilled into many chunks.  The exact sums and percentiles it
rests on (offloadsim/analysis/exact.py) are checked against numpy itself
on random data cut at random places.
"""

from __future__ import annotations

import doctest
import json

import numpy as np
import pytest

import offloadsim.engine.records as engine_records
from offloadsim import api
from offloadsim.analysis import exact
from offloadsim.analysis.exact import OrderStatistics, PairwiseSum, linear_percentile, percentile_ranks
from offloadsim.analysis.offered_load import offered_rates
from offloadsim.analysis.summary import summarize
from offloadsim.analysis.table_notes import application_order

# Runs with what a summary can hold: latencies and waits, deadlines met and missed, tasks dropped by
# a full queue (their reasons), a growing backlog (its warning), LLM timings, a record-column metric.
RUNS = {
    "quickstart": ("scenarios/quickstart.yaml", ("duration=40 s", "warmup=5 s")),
    "llm-assistant": ("scenarios/llm-assistant.yaml", ("duration=300 s",)),
    "commute": ("scenarios/commute.yaml", ("duration=40 s", "warmup=5 s")),
    "city": ("benchmarks/scenarios/city.yaml", ("duration=2 s",)),
    "edge-outage": ("scenarios/edge-outage.yaml", ("duration=60 s", "warmup=5 s")),
    "mm1-overloaded": ("benchmarks/scenarios/mm1.yaml", ("duration=3000 s", "workload[0].rate=1.3 /s")),
    "mm1-full-queue": (
        "benchmarks/scenarios/mm1.yaml",
        (
            "duration=3000 s",
            "workload[0].rate=1.3 /s",
            "nodes.server.processor.queue_limit=3",
            "applications.job.deadline=4 s",
        ),
    ),
}


# Records spilled every this many rows: the two short runs have about 30 and 90 tasks.
_CHUNK_ROWS = {"llm-assistant": 7, "commute": 7}


@pytest.fixture(scope="module")
def summaries() -> dict[str, tuple[dict, dict, int]]:
    """Per run: its summary chunk by chunk, over whole columns, and how many chunks it was spilled in."""
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        for name, (scenario, overrides) in RUNS.items():
            patch.setattr(engine_records, "CHUNK_ROWS", _CHUNK_ROWS.get(name, 97))
            result = api.run(scenario, overrides=overrides)
            records, manifest = result.records, result.manifest
            assert records is not None
            nodes, links, duration, end = (
                result._nodes,
                result._links,
                manifest["duration_s"],
                manifest["end_s"],
            )
            loaded = api.load(scenario, overrides)
            # How many sources have power: is the scenario's, which the run passes on.
            rest = {
                "end_s": end,
                "processors": result._processors,
                "powered_sources": result.summary.powered_sources,
                # the rates its sources offer, as the run passes them (the overload warning reads them)
                "offered_rates": offered_rates(loaded.workload, manifest["warmup_s"], end),
                # the scenario's applications, as the run passes them (each's numbers where several)
                "applications": list(application_order([loaded])),
            }
            chunked = summarize(records, nodes, links, duration, **rest)
            assert chunked == result.summary  # what the run itself reported
            whole = summarize(dict(records.items()), nodes, links, duration, **rest)
            found[name] = (chunked.to_dict(), whole.to_dict(), len(records.log.chunks))
    return found


@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_summary_read_a_chunk_at_a_time_is_the_whole_column_summary(name, summaries):
    chunked, whole, chunks = summaries[name]
    assert chunks >= 4
    assert json.dumps(chunked, sort_keys=True) == json.dumps(whole, sort_keys=True)


def test_the_compared_runs_have_every_kind_of_number(summaries):
    """The comparison above means something: each kind of summary number is there in some run."""
    llm, commute, full, overloaded = (
        summaries[name][0] for name in ("llm-assistant", "commute", "mm1-full-queue", "mm1-overloaded")
    )
    assert llm["ttft_p95_s"] is not None and llm["tpot_mean_s"] is not None
    assert llm["decode_tokens_per_s_mean"] is not None and llm["output_tokens_per_s"] is not None
    assert commute["column_metrics"], "a record-column metric (handovers)"
    outage = summaries["edge-outage"][0]
    assert outage["recovered"] > 0 and outage["retried"] >= outage["recovered"], "tasks recovery ran again"
    assert full["drop_reasons"] and full["deadline_misses"] > 0
    assert any("grew through the run" in w for w in overloaded["warnings"])


def test_a_chunked_summary_never_reads_a_whole_column(monkeypatch):
    monkeypatch.setattr(engine_records, "CHUNK_ROWS", 97)
    result = api.run(*RUNS["city"][:1], overrides=RUNS["city"][1])
    records = result.records
    assert records is not None and len(records.log.chunks) > 10

    def whole_column(self, name):
        raise AssertionError(f"the summary read the whole column {name!r}")

    monkeypatch.setattr(engine_records.TaskRecords, "__getitem__", whole_column)
    monkeypatch.setattr(engine_records.TaskRecords, "codes", whole_column)
    again = summarize(
        records,
        result._nodes,
        result._links,
        2.0,
        end_s=result.manifest["end_s"],
        processors=result._processors,
        powered_sources=result.summary.powered_sources,
    )
    assert again == result.summary


# --------------------------------------------------------------------------- the exact reductions


def _random_cases(seed: int):
    """Columns of many shapes (ties, negatives, all equal, tiny), each cut at random places."""
    rng = np.random.default_rng(seed)
    for n in (0, 1, 2, 7, 8, 9, 127, 128, 129, 1_000, 4_099, 30_001):
        for kind in ("exponential", "normal", "ties", "equal", "wide"):
            if kind == "exponential":
                values = rng.exponential(1.0, n)
            elif kind == "normal":
                values = rng.normal(0.0, 1e3, n)
            elif kind == "ties":
                values = np.round(rng.exponential(1.0, n), 1)
            elif kind == "equal":
                values = np.full(n, 0.25)
            else:
                scale = rng.choice([1e-9, 1.0, 1e9, np.inf], n, p=[0.3, 0.3, 0.3, 0.1])
                values = rng.exponential(1.0, n) * scale
            cuts = np.sort(rng.integers(0, n + 1, size=int(rng.integers(0, 12))))
            yield values, np.split(values, cuts)


def test_pairwise_sum_in_chunks_is_numpys_sum_bit_for_bit():
    for values, parts in _random_cases(1):
        total = PairwiseSum(len(values))
        for part in parts:
            total.add(part)
        expected = np.add.reduce(values)
        assert total.value == expected or (np.isnan(total.value) and np.isnan(expected)), len(values)
        if len(values) and np.isfinite(expected):
            assert total.value / len(values) == values.mean()


@pytest.mark.parametrize("gather", [exact.GATHER, 500])
def test_percentiles_by_selection_are_numpys_bit_for_bit(gather, monkeypatch):
    """Also with few candidates gathered at a time, so that values are narrowed over several passes."""
    monkeypatch.setattr(exact, "GATHER", gather)
    qs = (0, 1, 50, 95, 99, 99.9, 100)
    for values, parts in _random_cases(2):
        stats = OrderStatistics(lambda n: {rank for q in qs for rank in percentile_ranks(n, q)})
        passes = 0
        while stats.pending:
            for part in reversed(parts):  # any order of chunks
                stats.add(part)
            stats.end_pass()
            passes += 1
        assert passes <= 5
        with np.errstate(invalid="ignore"):  # inf - inf, when both neighbours are infinite (numpy's too)
            for q in qs:
                got = linear_percentile(stats.n, q, stats.value)
                expected = float(np.percentile(values, q)) if len(values) else float("nan")
                assert str(got) == str(expected), (len(values), q)


def test_the_exact_module_examples_hold():
    assert doctest.testmod(exact).failed == 0
