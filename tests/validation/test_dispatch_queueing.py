"""Load balancing over c one-core edge servers against queueing theory, transfers free.

A trial user balancing phones over several edge servers re-derived two closed forms by hand:

* ``random`` splits a Poisson stream of rate λ into c Poisson streams of λ/c, so each server is an
  M/M/1 queue at λ/c: the mean wait is M/M/1's at ρ = λ/(cμ);
* ``round-robin`` from one source gives each server every c-th arrival: its gaps are Erlang-c of
  phase rate λ, an E_c/M/1 queue, whose mean wait is σ / (μ(1 − σ)) with σ the root in (0, 1) of
  σ = (λ / (λ + μ(1 − σ)))^c (GI/M/1: Kleinrock, *Queueing Systems* Vol. 1, section 6.4);
* ``least-loaded`` sends each task where its wait (the work queued and in service) is least. With
  transfers free and the task's own size known, that is least-work-left dispatch, whose every
  task waits exactly as in one FCFS queue served by c servers (a task starts when the first server
  frees, both ways): the mean wait is M/M/c's, Erlang C over cμ − λ.

None was checked: the queueing checks (test_queueing_theory.py) run ``local`` on one node, and
the Ciw comparison ``random`` over two unlike edges.  Same discipline: replications, a 99 %
Student-t interval that must hold the closed form and be narrow enough to mean something
(measured at seed 11: 2.370 ± 0.117 s against 2.3333, 1.347 ± 0.068 against 1.3577, and
1.649 ± 0.132 against 1.6231).
"""

from __future__ import annotations

import pytest
from test_queueing_theory import assert_within, replicate

from offloadsim.analysis import theory


def erlang_m1_wait(rate: float, mu: float, c: int) -> float:
    """Mean wait of E_c/M/1, its gaps Erlang-c of phase rate ``rate``: GI/M/1's σ by fixed point.

    The map is a contraction on (0, 1) below saturation; at c = 1 it is M/M/1 (σ = ρ):

    >>> round(erlang_m1_wait(0.7, 1.0, 1), 4), round(theory.mm1_wait(0.7, 1.0), 4)
    (2.3333, 2.3333)
    >>> round(erlang_m1_wait(2.1, 1.0, 3), 4)
    1.3577
    """
    sigma = 0.5
    for _ in range(10_000):
        sigma, was = (rate / (rate + mu * (1.0 - sigma))) ** c, sigma
        if abs(sigma - was) < 1e-15:
            break
    return sigma / (mu * (1.0 - sigma))


def _cluster(policy: str, servers: int, rate: float, duration: float) -> str:
    """One source behind an access point, ``servers`` one-core edges of exponential service (mean 1 s)."""
    return f"""
name: cluster
duration: {duration}
warmup: {duration / 20}
nodes:
  phone: {{tier: device}}
  ap: {{tier: network}}
  edge: {{count: {servers}, tier: edge, processor: {{speed: 1 FLOP/s}}}}
links:
  - {{between: [phone, ap], bandwidth: 1 Gbps, latency: 0 s}}
  - {{between: [ap, edge-*], bandwidth: 1 Gbps, latency: 0 s}}
applications:
  job: {{service: {{exponential: {{mean: 1 s}}}}}}
workload:
  - {{app: job, sources: phone, arrivals: poisson, rate: {rate}}}
policy: {{name: {policy}, tiers: [edge]}}
"""


@pytest.mark.parametrize(
    ("policy", "servers", "rho", "expected"),
    [
        ("random", 3, 0.7, theory.mm1_wait(0.7, 1.0)),  # each edge M/M/1 at λ/c: 2.3333 s
        ("round-robin", 3, 0.7, erlang_m1_wait(3 * 0.7, 1.0, 3)),  # each edge E3/M/1: 1.3577 s
        ("least-loaded", 3, 0.85, theory.mmc_wait(3 * 0.85, 1.0, 3)),  # one M/M/3 queue: 1.6231 s
    ],
    ids=["random-mm1", "round-robin-e3m1", "least-loaded-mmc"],
)
def test_dispatch_over_edges_waits_as_its_closed_form(policy, servers, rho, expected):
    mean, half = replicate(_cluster(policy, servers, rho * servers, 10_000), "wait", 12)
    assert_within(expected, mean, half, 0.12)


def test_the_erlang_wait_examples_run():
    """erlang_m1_wait's examples: M/M/1 at c = 1, and the value the round-robin case is held to."""
    import doctest

    (found,) = doctest.DocTestFinder().find(erlang_m1_wait, "erlang_m1_wait", globs={**globals()})
    runner = doctest.DocTestRunner()
    runner.run(found)
    assert runner.failures == 0 and runner.tries == 2
