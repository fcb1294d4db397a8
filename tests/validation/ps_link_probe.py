"""Is the fixed-size processor-sharing link check's low reading chance or a bias? (docs/validation.md)

Under root seeds 1 to 4 and 11 the check read 3.85–3.94 s against 4 s.  This prints, with
99% Student-t half-widths:

* the check itself (12 × 10,000 s, :func:`test_queueing_theory.run_check`) under root seeds
  ``--seeds A B``, each seed's mean and their mean;
* the same estimator over numpy's own Poisson arrivals fed through :func:`ps_fixed_sojourns`
  (an exact processor-sharing computation written apart from the engine), ``--numpy N`` runs;
* on those arrivals, paired, what the estimator's choices move: the tasks still in flight at the end
  left out (censoring), and the warm-up cut (none, or 2,000 s rather than 500 s).

::

    python tests/validation/ps_link_probe.py --seeds 1 160 --numpy 1000   # about 6 minutes on one core
"""

from __future__ import annotations

import argparse
from collections import deque

import numpy as np
from test_queueing_theory import CHECKS, CONFIDENCE, run_check

from offloadsim.analysis.statistics import mean_ci

#: The check's load: one 0.8 s transfer per Poisson arrival at 1 /s, 10,000 s measured after 500 s.
SIZE_S, DURATION_S, WARMUP_S = 0.8, 10_000.0, 500.0


def ps_fixed_sojourns(arrivals: np.ndarray, size_s: float, end_s: float) -> np.ndarray:
    """Each arrival's time in a processor-sharing server of jobs of one size (NaN: not done by ``end_s``).

    Virtual time V grows at 1/n while n jobs share the server; a job arriving at V₀ leaves when V
    reaches V₀ + ``size_s``.  Of one size, jobs leave in the order they came.  ``arrivals`` sorted.
    """
    out = np.full(len(arrivals), np.nan)
    queue: deque[tuple[int, float]] = deque()  # (arrival index, virtual time it leaves at)
    virtual = now = 0.0
    i = 0
    while True:
        next_arrival = arrivals[i] if i < len(arrivals) else np.inf
        leaves = now + (queue[0][1] - virtual) * len(queue) if queue else np.inf
        if min(leaves, next_arrival) >= end_s:
            return out
        if leaves <= next_arrival:
            j, virtual = queue.popleft()
            now = leaves
            out[j] = now - arrivals[j]
        else:
            if queue:
                virtual += (next_arrival - now) / len(queue)
            now = next_arrival
            queue.append((i, virtual + size_s))
            i += 1


def numpy_runs(runs: int, seed: int) -> np.ndarray:
    """Per run over numpy's Poisson arrivals: the check's estimator, uncensored, no warm-up, 2,000 s of it."""
    rng = np.random.default_rng(seed)
    end = WARMUP_S + DURATION_S
    rows = []
    for _ in range(runs):
        arrivals = np.cumsum(rng.exponential(1.0, int(end * 1.2)))
        arrivals = arrivals[arrivals < end]
        sojourn = ps_fixed_sojourns(arrivals, SIZE_S, np.inf)
        done = arrivals + sojourn <= end
        measured = arrivals >= WARMUP_S
        rows.append(
            (
                sojourn[measured & done].mean(),
                sojourn[measured].mean(),
                sojourn[done].mean(),
                sojourn[(arrivals >= 2_000) & done].mean(),
            )
        )
    return np.array(rows)


def line(label: str, values: np.ndarray) -> str:
    mean, half = mean_ci(values, CONFIDENCE)
    return f"{label}: {mean:.4f} ± {half:.4f} ({len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=(1, 5), metavar=("FIRST", "LAST"))
    parser.add_argument("--numpy", type=int, default=50, help="runs over numpy's arrivals")
    parser.add_argument("--numpy-seed", type=int, default=9)
    args = parser.parse_args()
    (check,) = [c for c in CHECKS if c.system == "ps-fixed" and not c.slow]
    means = []
    for seed in range(args.seeds[0], args.seeds[1] + 1):
        mean, half = run_check(check, seed)
        means.append(mean)
        print(f"seed {seed}: {mean:.4f} ± {half:.4f}", flush=True)
    below = sum(m < check.theory for m in means)
    print(line("the check's means over seeds", np.array(means)) + f", {below} below {check.theory:g}")
    rows = numpy_runs(args.numpy, args.numpy_seed)
    print(line("numpy's arrivals, exact PS, the check's estimator", rows[:, 0]))
    print(line("  minus every arrival's own sojourn (censoring)", rows[:, 0] - rows[:, 1]))
    print(line("  minus no warm-up", rows[:, 0] - rows[:, 2]))
    print(line("  minus a 2,000 s warm-up", rows[:, 0] - rows[:, 3]))


if __name__ == "__main__":
    main()
