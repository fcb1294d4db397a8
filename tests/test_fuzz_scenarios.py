"""Fuzzed scenarios keep the command line's contract: exit 0 or 2, one line per problem, nothing else.

Every shipped scenario, shrunk to a few nodes and a fraction of a second, is
mutated at random by a seeded generator: keys deleted or misspelt, types
changed, values swapped, numbers out of range, bad units and names, huge
numbers, wrong nesting, other policies with parameters naming nodes and tiers.
Each mutant goes through ``offloadsim validate`` and then, in process, a very
short ``offloadsim run``.  For every mutant:

* the exit status is 0 or 2, never 1 (a bug) and never a traceback;
* everything on stderr is an ``offloadsim: error:``, ``warning:`` or ``note:``
  line, and an error names the scenario file;
* what ``validate`` accepts, ``run`` accepts (everything the run would refuse,
  validate refuses first); what it refuses, ``run`` refuses too, writing nothing;
* a case ends within a time bound (no hang).

A run is skipped only when the mutant asks for a lot of simulated work
(a rate or a duration made huge): that is a request, not a hang, and size is
another test's subject.  The test checks that such skips stay rare.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import random
import signal
import string
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from offloadsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SEED = 20240611
CASES = 1000  # the default suite; --runslow runs SLOW_CASES more
SLOW_CASES = 5000
CASE_SECONDS = 30.0  # wall-clock bound of one case (validate + run); a case beyond it has hung
ARRIVALS = 12  # tasks a base scenario's run sees (its duration is set for it)
MAX_WORK = 20_000  # expected arrivals x (1 + tokens each) beyond which the run is skipped (size, not bugs)
LONG_INT = "__LONG_INT__"  # written as an integer too long for Python to read

# Failures this test finds that belong to open issues: {text every problem of the case contains: issue}.
# Like xfail(strict=True): a case failing only this way is expected, and the test fails when no case
# fails this way any more, so the entry is removed with the fix.
# (The first entry, policies placing an application outside its hosts, went with issue 8's fix.)
KNOWN: dict[str, str] = {}

NUMBERS: list[Any] = [-1, 0, 1, 2, 3, 0.5, -0.0, 1e-12, 2**31, 2**63, 2**64, 10**30, 1e308, -1e308]
FLOATS: list[Any] = [float("nan"), float("inf"), float("-inf")]
HUGE: list[Any] = [2**64, 10**30, -(2**63), 1e308, "1e999 s", "9" * 40 + " s", LONG_INT]
UNITS = ["parsecs", "mbps", "MS", "GHz", "w", "gflop", "Gbps", "KB", "/s", "s", "", "FLOP/s", "%"]
STRINGS: list[Any] = [
    "",
    " ",
    "fast",
    "10 mbps",
    "5 parsecs",
    "3 GHz",
    "-2 s",
    "nan s",
    "inf Mbps",
    "1e999 s",
    "edgee",
    "EDGE",
    "T4",
    "a\x00b",
    "$source",
    "phone-*",
    "*",
    "🙂",
    "10^9",
    "1/0",
    "yes",
    "null",
]
SHAPES: list[Any] = [
    None,
    True,
    False,
    [],
    {},
    [1, 2],
    {"a": 1},
    [[1]],
    {"uniform": [1, 2]},
    {"exponential": 0},
]
TIERS = ["device", "edge", "cloud", "network", "egde", "Edge", "fog"]


# --------------------------------------------------------------------------- the mutants


def _shrink(document: dict[str, Any]) -> dict[str, Any]:
    """The scenario with (where its patterns allow) at most three nodes per group, and no warm-up."""
    small = copy.deepcopy(document)
    small["warmup"] = "0 s"
    for node in (small.get("nodes") or {}).values():
        if isinstance(node, dict) and isinstance(node.get("count"), int):
            node["count"] = min(node["count"], 3)
    return small


def _base_documents(directory: Path) -> list[dict[str, Any]]:
    """Every shipped scenario (not sweep files), small, lasting about ARRIVALS arrivals.

    Shrunk to three nodes per group where its patterns still match; its
    duration is cut so that a run sees a handful of tasks (a run with none
    would exercise no placement at all).
    """
    bases = []
    for file in sorted(SCENARIOS.glob("*.yaml")):
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or "base" in document:
            continue
        for entry in document.get("dynamics") or []:  # mutants are written elsewhere: files by full path
            if isinstance(entry, dict) and isinstance(entry.get("file"), str):
                entry["file"] = str(SCENARIOS / entry["file"])
        for candidate in (_shrink(document), {**document, "warmup": "0 s"}):
            path = _write(candidate, directory / f"base-{file.stem}.yaml")
            if _cli(["validate", str(path)])[0] == 0:
                candidate["duration"] = f"{ARRIVALS * _seconds_per_arrival(path):.6g} s"
                bases.append(candidate)
                break
        else:
            raise AssertionError(f"{file.name}: neither it nor a smaller version validates")
    return bases


def _seconds_per_arrival(path: Path) -> float:
    """Mean time between arrivals of the whole scenario at ``path``, measured by a run."""
    from offloadsim import api

    scenario = api.load(path)
    arrivals = len(api.run(scenario).tasks)
    assert arrivals > 0, f"{path}: no task arrives"
    return scenario.end_s / arrivals


def _entries(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, Any, tuple[Any, ...]]]:
    """``(container, key, path)`` for every value below ``value`` (containers included)."""
    if isinstance(value, dict):
        items: Iterator[tuple[Any, Any]] = iter(list(value.items()))
    elif isinstance(value, list):
        items = iter(list(enumerate(value)))
    else:
        return
    for key, item in items:
        yield value, key, (*path, key)
        yield from _entries(item, (*path, key))


def _names(document: dict[str, Any]) -> list[str]:
    """Names a mutant may borrow: nodes, groups, applications, tiers, profiles, policies."""
    names = [*TIERS, "$source", "a100", "t4", "cortex-a76", "local", "edge", "fixed", "neurosurgeon"]
    nodes, apps = document.get("nodes"), document.get("applications")
    for group, node in nodes.items() if isinstance(nodes, dict) else ():
        names.append(str(group))
        if isinstance(node, dict) and isinstance(node.get("count"), int):
            names += [f"{group}-{i}" for i in range(min(node["count"], 3))]
    names += [str(app) for app in apps] if isinstance(apps, dict) else []
    return names


def _misspell(text: str, rng: random.Random) -> str:
    if not text:
        return rng.choice(string.ascii_letters)
    i = rng.randrange(len(text))
    how = rng.randrange(5)
    if how == 0:
        return text.swapcase()
    if how == 1:
        return text[:i] + text[i + 1 :]
    if how == 2:
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i:]
    if how == 3 and len(text) > 1:
        j = min(i + 1, len(text) - 1)
        chars = list(text)
        chars[i], chars[j] = chars[j], chars[i]
        return "".join(chars)
    return text.upper()


def _policy(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Another policy, with zero to two of its parameters set to names or odd values."""
    from offloadsim.policies import describe_policies

    info = rng.choice(describe_policies())
    policy: dict[str, Any] = {"name": info.name}
    names = _names(document)
    for param in rng.sample(info.params, k=min(len(info.params), rng.randrange(3))):
        choices: list[Callable[[], Any]] = [
            lambda: rng.choice(names),
            lambda: [rng.choice(names) for _ in range(rng.randrange(1, 4))],
            lambda: rng.choice(NUMBERS + STRINGS + SHAPES),
            lambda: rng.choice(["latency", "energy", "drop", "local", "lantecy"]),
            lambda: [rng.randrange(-2, 300) for _ in range(rng.randrange(0, 3))],
        ]
        policy[param.name] = rng.choice(choices)()
    if rng.random() < 0.1:
        policy[_misspell(rng.choice([p.name for p in info.params] or ["param"]), rng)] = 1
    return policy


def _is_quantity(value: Any) -> bool:
    return isinstance(value, str) and value[:1].isdigit()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# Each mutation: (weight, which entries it applies to, what it does) -- see _mutate.
def _mutate(document: dict[str, Any], rng: random.Random) -> str:
    """Apply one random mutation to ``document`` in place; return what it did."""
    entries = list(_entries(document))
    leaves = [e for e in entries if not isinstance(e[0][e[1]], dict | list)]
    op = rng.choices(
        ["delete", "retype", "swap", "number", "unit", "name", "huge", "nest", "policy", "add", "dup", "odd"],
        weights=[2, 1, 2, 3, 3, 3, 1, 1, 3, 1, 1, 1],
    )[0]
    pool = {
        "number": [e for e in leaves if _is_number(e[0][e[1]])],
        "unit": [e for e in leaves if _is_quantity(e[0][e[1]])],
        "name": [e for e in leaves if isinstance(e[0][e[1]], str) and not _is_quantity(e[0][e[1]])],
        "odd": [e for e in leaves if isinstance(e[0][e[1]], str)],
        "add": [e for e in entries if isinstance(e[0][e[1]], dict)],
        "dup": [e for e in entries if isinstance(e[0][e[1]], list) and e[0][e[1]]],
    }.get(op, entries)
    if not pool:
        op, pool = "delete", entries
    container, key, path = rng.choice(pool)
    value = container[key]
    if op == "delete":
        del container[key]
        return f"delete {path}"
    if op == "retype":
        container[key] = copy.deepcopy(rng.choice(NUMBERS + FLOATS + STRINGS + SHAPES))
        return f"retype {path} = {container[key]!r:.40}"
    if op == "swap":
        other, other_key, other_path = rng.choice(leaves if rng.random() < 0.7 else entries)
        try:
            container[key], other[other_key] = copy.deepcopy(other[other_key]), copy.deepcopy(value)
        except (KeyError, IndexError):  # one was inside the other and has moved
            return "swap (lost)"
        return f"swap {path} <-> {other_path}"
    if op == "number":
        container[key] = rng.choice(NUMBERS + FLOATS)
        return f"number {path} = {container[key]!r}"
    if op == "unit":
        number = value.split()[0]
        container[key] = (
            f"{rng.choice([number, '-' + number, '1e400', '0', '0.0001', '2.5'])} {rng.choice(UNITS)}"
        )
        return f"unit {path} = {container[key]!r}"
    if op == "name":
        container[key] = _misspell(value, rng) if rng.random() < 0.5 else rng.choice(_names(document))
        return f"name {path} = {container[key]!r}"
    if op == "huge":
        container[key] = rng.choice(HUGE)
        return f"huge {path}"
    if op == "nest":
        if isinstance(value, list) and value and rng.random() < 0.5:
            container[key] = copy.deepcopy(value[0])
        elif isinstance(value, dict) and value and rng.random() < 0.5:
            container[key] = copy.deepcopy(next(iter(value.values())))
        else:
            container[key] = [value] if rng.random() < 0.5 else {rng.choice(["x", "mean", "uniform"]): value}
        return f"nest {path}"
    if op == "policy":
        document["policy"] = _policy(document, rng)
        return f"policy {document['policy']!r:.80}"
    if op == "add":
        value[_misspell(str(rng.choice(list(value) or ["key"])), rng)] = copy.deepcopy(
            rng.choice(NUMBERS + STRINGS)
        )
        return f"add key under {path}"
    if op == "dup":
        value.append(copy.deepcopy(rng.choice(value)))
        return f"duplicate an entry of {path}"
    container[key] = value + rng.choice(["\x00", "\n", "\t", "é", " ", "*"])
    return f"odd character in {path}"


@dataclass
class Case:
    index: int
    base: int
    mutations: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"case {self.index} (base {self.base}): " + "; ".join(self.mutations)


def make_case(index: int, bases: list[dict[str, Any]]) -> tuple[Case, dict[str, Any]]:
    """Mutant number ``index``: the same for every run of the suite."""
    rng = random.Random(SEED * 1_000_003 + index)
    base = rng.randrange(len(bases))
    document = copy.deepcopy(bases[base])
    case = Case(index, base)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if not document:
            break
        case.mutations.append(_mutate(document, rng))
    return case, document


# --------------------------------------------------------------------------- running one


class _Hang(BaseException):
    """A case ran past its time bound (not an Exception, so the CLI cannot swallow it)."""


def _hang(*_: Any) -> None:
    raise _Hang


def _write(document: Any, path: Path) -> Path:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    path.write_text(text.replace(LONG_INT, "1" * 4400), encoding="utf-8")
    return path


def _cli(argv: list[str]) -> tuple[int, str, str]:
    """``offloadsim ARGV`` in process, warnings shown as a user would see them; (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        warnings.simplefilter("default")
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _work(path: Path) -> float:
    """Expected arrivals over the run times (1 + output tokens each): how much simulating it asks for."""
    from offloadsim.scenario import load_scenario

    scenario = load_scenario(path)
    total = 0.0
    for entry in scenario.workload:
        arrivals, sources = entry.arrivals, len(entry.sources)
        active = (entry.stop_s if entry.stop_s is not None else scenario.end_s) - entry.start_s
        if arrivals.kind == "poisson":
            count = (arrivals.rate_per_s or 0.0) * sources * active
        elif arrivals.kind == "periodic":
            count = sources * active / (arrivals.period_s or math.inf)
        elif arrivals.kind == "trace":
            count = sum(len(times) for times in arrivals.trace.values())
        else:  # closed: each user waits for its answer, then thinks
            think = arrivals.think.mean if arrivals.think is not None else 0.0
            count = (arrivals.users or 0) * sources * active / think if think > 1e-3 else math.inf
        app = scenario.applications.get(entry.app)
        tokens = app.output_tokens.mean if app is not None and app.output_tokens is not None else 64.0
        total += count * (1.0 + (tokens if app is not None and app.model else 0.0))
    return total if math.isfinite(total) else math.inf


def _problems(err: str, path: Path, code: int) -> list[str]:
    """What is wrong with a command's stderr under the contract (empty: nothing)."""
    problems = []
    lines = err.splitlines()
    if "Traceback" in err or "internal error" in err:
        problems.append("a traceback or internal error")
    for line in lines:
        if not line.startswith(("offloadsim: error: ", "offloadsim: warning: ", "offloadsim: note: ")):
            problems.append(f"a stray stderr line: {line[:200]!r}")
        elif line.startswith("offloadsim: error: ") and str(path) not in line:
            problems.append(f"an error that does not name the file: {line[:200]!r}")
    errors = [line for line in lines if line.startswith("offloadsim: error: ")]
    if code == 2 and not errors:
        problems.append("exit 2 without an error line")
    if code == 0 and errors:
        problems.append("exit 0 with an error line")
    return problems


def check_case(case: Case, document: dict[str, Any], directory: Path) -> tuple[list[str], bool]:
    """Run one mutant through validate and run; return (problems found, whether the run was skipped)."""
    path = _write(document, directory / f"case-{case.index}.yaml")
    out = directory / f"run-{case.index}"
    problems: list[str] = []
    skipped = False
    err = ""
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
    try:
        code, _, err = _cli(["validate", str(path)])
        if code not in (0, 2):
            problems.append(f"validate exited {code}")
        problems += [f"validate: {p}" for p in _problems(err, path, code)]
        if code == 2:
            run_code, _, run_err = _cli(["run", str(path), "--out", str(out), "-q"])
            if run_code != 2:
                problems.append(f"validate refused it but run exited {run_code}")
            problems += [f"run: {p}" for p in _problems(run_err, path, run_code)]
            if out.exists():
                problems.append("run refused it but wrote its output directory")
        elif code == 0:
            skipped = _work(path) > MAX_WORK
            if not skipped:
                run_code, _, err = _cli(["run", str(path), "--out", str(out), "-q"])
                if run_code != 0:
                    problems.append(f"validate accepted it but run exited {run_code}")
                problems += [f"run: {p}" for p in _problems(err, path, run_code)]
                if run_code == 0 and not (out / "tasks.parquet").is_file():
                    problems.append("run succeeded without writing tasks.parquet")
    except _Hang:
        problems.append(f"no answer within {CASE_SECONDS:g} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if problems:
        problems.append(f"last stderr: {err[:300]!r}")
    return problems, skipped


def _fuzz(indices: range, bases: list[dict[str, Any]], directory: Path) -> None:
    failures: list[str] = []
    skipped = 0
    seen = dict.fromkeys(KNOWN, 0)
    for index in indices:
        case, document = make_case(index, bases)
        problems, was_skipped = check_case(case, document, directory)
        skipped += was_skipped
        known = [text for text in KNOWN if problems and text in " | ".join(problems)]
        for text in known:
            seen[text] += 1
        if problems and not known:
            failures.append(f"{case}: " + " | ".join(problems))
    failures += [
        f"no case fails with {text!r} any more: remove it from KNOWN ({KNOWN[text]})"
        for text, n in seen.items()
        if n == 0
    ]
    assert not failures, f"{len(failures)} of {len(indices)} cases break the contract:\n" + "\n".join(
        failures[:20]
    )
    assert skipped < 0.1 * len(indices), f"{skipped} of {len(indices)} runs skipped as too large"


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return _base_documents(tmp_path_factory.mktemp("bases"))


def test_mutated_scenarios_keep_the_cli_contract(bases: list[dict[str, Any]], tmp_path: Path) -> None:
    _fuzz(range(CASES), bases, tmp_path)


@pytest.mark.slow
def test_many_more_mutated_scenarios_keep_the_cli_contract(
    bases: list[dict[str, Any]], tmp_path: Path
) -> None:
    _fuzz(range(CASES, CASES + SLOW_CASES), bases, tmp_path)


def test_mutants_are_deterministic_and_varied(bases: list[dict[str, Any]]) -> None:
    first = [make_case(i, bases) for i in range(200)]
    again = [make_case(i, bases) for i in range(200)]
    assert [(str(c), d) for c, d in first] == [(str(c), d) for c, d in again]
    kinds = {m.split()[0] for case, _ in first for m in case.mutations}
    assert {"delete", "retype", "swap", "number", "unit", "name", "huge", "nest", "policy", "odd"} <= kinds
    assert len({case.base for case, _ in first}) == len(bases) >= 6
