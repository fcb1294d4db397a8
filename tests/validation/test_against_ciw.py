"""offloadsim against an independent simulator, ciw: the same queueing network run by both agrees.

ciw (https://ciw.readthedocs.io) is a discrete-event queueing simulator of its
own, written and tested apart from offloadsim.  Each case below is one system
written twice: as an offloadsim scenario (the whole product path: loader,
world, policy, engine, records) and as a ciw Network built from the same
distributions.  Both run independent replications of the same length, both
drop the tasks that arrived in the warm-up and the ones still in flight at the
end, and each replication gives one estimate per statistic (the mean, and the
95th percentile of latency); the two sets of estimates then agree within the
99 % bound of their difference, and that bound must be narrow (relative to the
mean), so that a vague comparison cannot pass.

The cases have no closed form to test against: a FIFO phone stage, a
processor-sharing upload of lognormal size and an M/D/2-like edge in series;
and three phones sharing an edge of three cores whose service is lognormal
(M/G/3).  Where the models differ (none of the links' latency, zero-byte replies)
the scenarios are chosen so that the difference is exactly zero.

``CASES`` lists every case once; the test below and ``ciw_table.py`` (the
table of docs/validation.md) both read it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from offloadsim.analysis.statistics import mean_ci, student_t_ppf
from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text

ciw = pytest.importorskip("ciw", reason="ciw is not installed: pip install -e '.[dev]' installs it")

CONFIDENCE = 0.99
SEED = 11
QUANTILE = 95  # the tail statistic compared, a percentile of latency per replication
# The largest relative half-width of the difference that still tests something, per statistic:
# a systematic error of this fraction of ciw's value would be caught.
WIDTHS = {"latency": 0.08, f"p{QUANTILE}": 0.12}


@dataclass(frozen=True)
class Case:
    """One system written for both simulators, its run length and the bound on the comparison."""

    system: str  # the test id
    label: str  # its row in docs/validation.md
    scenario: str  # offloadsim YAML
    network: Callable[[], Any]  # builds the ciw Network
    node_classes: tuple[Any, ...]  # ciw's node class per station (ciw.Node, or ciw.PSNode: processor sharing)
    exits: frozenset[int]  # the ciw stations (numbered from 1) a customer leaves the network from
    duration: float
    replications: int

    @property
    def warmup(self) -> float:
        """The warm-up both simulators drop: 1/20 of the run, as section 1's checks."""
        return self.duration / 20


def offloadsim_samples(case: Case, seed: int = SEED) -> dict[str, list[float]]:
    """Per replication, the mean latency and the latency percentile of the completed tasks."""
    scenario = load_scenario_text(case.scenario, source=f"<ciw {case.system}>")
    out: dict[str, list[float]] = {"latency": [], f"p{QUANTILE}": []}
    for r in range(case.replications):
        tasks = simulate(scenario, seed=seed, replication=r).tasks
        done = tasks["status"] == "completed"  # the records hold only tasks arrived after the warm-up
        latency = tasks["latency"][done]
        out["latency"].append(float(np.mean(latency)))
        out[f"p{QUANTILE}"].append(float(np.percentile(latency, QUANTILE)))
    return out


def ciw_samples(case: Case, seed: int = SEED) -> dict[str, list[float]]:
    """The same statistics from ciw: customers arrived after the warm-up that left from an exit station."""
    out: dict[str, list[float]] = {"latency": [], f"p{QUANTILE}": []}
    for r in range(case.replications):
        ciw.seed(seed * 100_003 + r)
        sim = ciw.Simulation(case.network(), node_class=list(case.node_classes))
        sim.simulate_until_max_time(case.duration)
        first: dict[int, float] = {}
        left: dict[int, float] = {}
        for rec in sim.get_all_records():
            i = rec.id_number
            if rec.node == 1:
                first[i] = rec.arrival_date
            if rec.node in case.exits:
                left[i] = rec.exit_date
        kept = [i for i in left if first[i] >= case.warmup]
        latency = np.array([left[i] - first[i] for i in kept])
        out["latency"].append(float(np.mean(latency)))
        out[f"p{QUANTILE}"].append(float(np.percentile(latency, QUANTILE)))
    return out


@dataclass(frozen=True)
class Agreement:
    """One statistic from both simulators, and the 99 % bound on their difference."""

    statistic: str
    ours: tuple[float, float]  # mean and 99 % half-width over replications
    theirs: tuple[float, float]
    bound: float  # 99 % half-width of the difference of the two means (Welch)

    @property
    def difference(self) -> float:
        return self.ours[0] - self.theirs[0]

    @property
    def relative_bound(self) -> float:
        return self.bound / self.theirs[0]


def agreement(statistic: str, ours: list[float], theirs: list[float]) -> Agreement:
    """Welch's 99 % half-width of the difference of the means of two independent sets of replications."""
    a, b = np.asarray(ours), np.asarray(theirs)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    bound = student_t_ppf(0.5 + CONFIDENCE / 2, df) * math.sqrt(va + vb)
    return Agreement(statistic, mean_ci(a, CONFIDENCE), mean_ci(b, CONFIDENCE), bound)


def compare(case: Case, seed: int = SEED) -> list[Agreement]:
    """Every statistic of ``case`` from both simulators."""
    ours, theirs = offloadsim_samples(case, seed), ciw_samples(case, seed)
    return [agreement(name, ours[name], theirs[name]) for name in ours]


def lognormal_mu(mean: float, sigma: float) -> float:
    """The underlying normal's mean (ciw's parameter) of a lognormal of mean ``mean`` (offloadsim's)."""
    return math.log(mean) - sigma**2 / 2


def device_edge_tandem(
    duration: float, replications: int, shared: bool = True, edge: tuple[int, float] = (2, 2.8)
) -> Case:
    """A phone's FIFO stage, a shared upload, an edge of two cores: three stations in series.

    ``shared`` and ``edge`` (cores, seconds) change ciw's side only: a wrong model, for ciw_table.py's
    ``--wrong``, that the comparison must catch.
    """
    # Poisson requests at 0.5 /s.  Stage 1 on the phone's one core, exponential of mean 1 s
    # (rho 0.5).  Its output, lognormal of mean 1.2 MB (sigma 0.8), goes up an 8 Mbps link (1 MB/s,
    # rho 0.6) that the uploads under way share max-min fairly: on one link, processor sharing of
    # 1.2 s of work each.  Stage 2 on the edge's two cores, 2.8 s each (rho 0.7).  No latency and a
    # zero-byte reply, so the reply takes no time and latency ends with stage 2, as in ciw.
    text = f"""
name: ciw-tandem
duration: {duration}
warmup: {duration / 20}
nodes:
  phone: {{tier: device, processor: {{speed: 1 FLOP/s, cores: 1}}}}
  edge: {{tier: edge, processor: {{speed: 1 FLOP/s, cores: 2}}}}
links:
  - {{between: [phone, edge], bandwidth: 8 Mbps}}
applications:
  job:
    stages:
      - {{service: {{exponential: {{mean: 1 s}}}}, output: {{lognormal: {{mean: 1200000 B, sigma: 0.8}}}}}}
      - {{service: 2.8 s}}
workload:
  - {{app: job, sources: phone, arrivals: poisson, rate: 0.5}}
policy: {{name: fixed, nodes: [phone, edge], cuts: [1]}}
"""

    def network() -> Any:
        return ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(0.5), None, None],
            service_distributions=[
                ciw.dists.Exponential(1.0),
                ciw.dists.Lognormal(lognormal_mu(1.2, 0.8), 0.8),  # seconds at 1 MB/s
                ciw.dists.Deterministic(edge[1]),
            ],
            number_of_servers=[1, float("inf") if shared else 1, edge[0]],  # a PS node's: how many share
            routing=[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
        )

    label = f"phone → PS upload → edge (2 cores) ({replications} × {duration:,} s)"
    classes = (ciw.Node, ciw.PSNode if shared else ciw.Node, ciw.Node)
    return Case("tandem", label, text, network, classes, frozenset({3}), duration, replications)


def shared_edge(duration: float, replications: int, ciw_mean: float = 1.0) -> Case:
    """Three phones' Poisson requests on one edge of three cores with lognormal service (M/G/3).

    ``ciw_mean`` changes ciw's mean service only: a wrong model, for ciw_table.py's ``--wrong``.
    """
    # Each phone sends 0.7 /s (2.1 /s in all, rho 0.7) of zero-byte requests, so the uploads take
    # no time; service lognormal of mean 1 s, sigma 0.8 (squared coefficient of
    # variation e^0.64 - 1 = 0.9).
    text = f"""
name: ciw-shared-edge
duration: {duration}
warmup: {duration / 20}
nodes:
  phone: {{tier: device, count: 3}}
  edge: {{tier: edge, processor: {{speed: 1 FLOP/s, cores: 3}}}}
links:
  - {{between: [phone-*, edge], bandwidth: 1 Gbps}}
applications:
  job: {{service: {{lognormal: {{mean: 1 s, sigma: 0.8}}}}}}
workload:
  - {{app: job, sources: phone-*, arrivals: poisson, rate: 0.7}}
policy: edge
"""

    def network() -> Any:
        service = ciw.dists.Lognormal(lognormal_mu(ciw_mean, 0.8), 0.8)
        phones = [f"phone-{i}" for i in range(3)]  # one customer class per phone
        return ciw.create_network(
            arrival_distributions={p: [ciw.dists.Exponential(0.7)] for p in phones},
            service_distributions={p: [service] for p in phones},
            number_of_servers=[3],
            routing={p: [[0.0]] for p in phones},
        )

    label = f"3 phones → edge, M/G/3 ({replications} × {duration:,} s)"
    return Case("shared-edge", label, text, network, (ciw.Node,), frozenset({1}), duration, replications)


def random_split(duration: float, replications: int) -> Case:
    """The ``random`` policy sending each request to one of two unlike edges, uniformly."""
    # Poisson requests at 1.2 /s of zero bytes, lognormal work of mean 1 GFLOP (sigma 0.8); edge-a
    # has one core of 1 GFLOP/s (1 s a request, rho 0.6), edge-b two of 0.625 GFLOP/s (1.6 s,
    # rho 0.48).  In ciw the policy's draw is a station of no service and unbounded servers
    # routing to either edge with probability 1/2 (ciw's own routing); a lognormal scaled by a
    # constant keeps its sigma, so each edge's service is lognormal of its own mean.
    text = f"""
name: ciw-random-split
duration: {duration}
warmup: {duration / 20}
nodes:
  phone: {{tier: device}}
  edge-a: {{tier: edge, processor: {{speed: 1 GFLOP/s, cores: 1}}}}
  edge-b: {{tier: edge, processor: {{speed: 0.625 GFLOP/s, cores: 2}}}}
links:
  - {{between: [phone, edge-a], bandwidth: 1 Gbps}}
  - {{between: [phone, edge-b], bandwidth: 1 Gbps}}
applications:
  job: {{work: {{lognormal: {{mean: 1 GFLOP, sigma: 0.8}}}}}}
workload:
  - {{app: job, sources: phone, arrivals: poisson, rate: 1.2}}
policy: {{name: random, tiers: [edge]}}
"""

    def network() -> Any:
        return ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(1.2), None, None],
            service_distributions=[
                ciw.dists.Deterministic(0.0),
                ciw.dists.Lognormal(lognormal_mu(1.0, 0.8), 0.8),
                ciw.dists.Lognormal(lognormal_mu(1.6, 0.8), 0.8),
            ],
            number_of_servers=[float("inf"), 1, 2],
            routing=[[0.0, 0.5, 0.5], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        )

    label = f"random policy → edge (1 core) or edge (2 slower cores) ({replications} × {duration:,} s)"
    classes = (ciw.Node, ciw.Node, ciw.Node)
    return Case("random", label, text, network, classes, frozenset({2, 3}), duration, replications)


CASES = (
    device_edge_tandem(8_000, 16),
    shared_edge(4_000, 20),
    random_split(4_000, 16),
)


# ciw models that differ from offloadsim's scenario by one mistake a simulator could make: the
# comparison is worth something only if it fails on them.
WRONG: tuple[tuple[str, Case], ...] = (
    ("uploads one at a time (FIFO), not shared", device_edge_tandem(8_000, 16, shared=False)),
    ("the edge's 2 cores as 1 of double speed", device_edge_tandem(8_000, 16, edge=(1, 1.4))),
    ("the M/G/3 service 5 % longer", shared_edge(4_000, 20, ciw_mean=1.05)),
)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.system) for c in CASES])
def test_offloadsim_agrees_with_ciw(case):
    """Mean latency and its 95th percentile: ciw's and ours differ by less than a narrow 99 % bound."""
    for a in compare(case):
        assert a.relative_bound < WIDTHS[a.statistic], (
            f"{a.statistic}: bound {a.bound:.4f} too wide to test anything ({a.relative_bound:.3f})"
        )
        assert abs(a.difference) <= a.bound, (
            f"{a.statistic}: offloadsim {a.ours[0]:.4f}, ciw {a.theirs[0]:.4f}, "
            f"difference {a.difference:.4f} beyond the 99 % bound {a.bound:.4f}"
        )


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", [c for _, c in WRONG], ids=("fifo-upload", "one-core-double-speed", "service-5pc-longer")
)
def test_a_wrong_model_is_caught(case):
    """The comparison is not vacuous: against each wrong ciw model, some statistic is out of bounds."""
    assert any(abs(a.difference) > a.bound for a in compare(case))
