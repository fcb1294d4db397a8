"""A long fuzz campaign against the command line: real subprocesses, a time bound per case, a findings log.

The default suite's fuzz test (``tests/test_fuzz_scenarios.py``) mutates the
shipped scenarios in process.  This campaign goes further, for a long
validation run outside the suite: each case is a mutant of a shipped scenario
(that test's mutations, plus structural ones: duplicate YAML keys, topology
cycles, disconnected nodes, links to nodes that do not exist, zero bandwidth,
odd names renamed everywhere, truncated or non-UTF-8 files, dynamics entries
and link-trace CSV files with bad rows, ``--set`` overrides with odd values
and odd key paths, and the features added since it was written, in
``fuzz_features.py``: batteries and power states, the dynamics kinds, CSV
arrival traces, empirical samples and positions, a plug-in policy's
parameters, ``recovery:``, LLM applications, sweep files) that goes through
``offloadsim validate`` and a short ``offloadsim run`` -- now and then
``compare``, or a ``sweep`` over the mutant (some with ``--dry-run``) -- each
as its own process under a wall-clock bound.  A finding is any exit status
other than 0 or 2, a traceback or a stray line on stderr, an error line that
names neither the file given nor a ``--set``, a case that runs past its bound
(a hang, or an input that makes a run effectively endless), ``validate`` and
``run`` disagreeing, or an output directory left behind by a command that
failed (or missing its records after one that succeeded; a sweep whose jobs
failed keeps ``failures.log`` and its finished points for the rerun, as
designed).  The plug-in policies are a distribution the campaign lays out
under ``WORK/site`` and puts on the commands' ``PYTHONPATH``.

Most mutants are refused by ``validate``, so they reach the engine rarely.
``--valid-share P`` draws a share ``P`` of the cases from valid values only
(``fuzz_features.VALID``: each quantity's plausible values and the edges of
what still runs, tiny positive to large, in its unit) on the same features,
so that they run: dynamics, batteries, recovery, LLMs, plug-ins, comparisons
(run again with two workers: tables that differ are a finding) and sweeps.
Which cases are drawn so, and their values, come from random streams of
their own: every other case is the default campaign's mutant of its number.
``--case-memory`` bounds each command's address space.

Cases are numbered; case ``i`` of seed ``s`` is the same mutant on every run
of the same version of this script (and ``fuzz_features.py``: a mutator added
or changed gives a number another mutant), so a finding is reproduced with
``--seed s --only i`` and the run's ``--valid-share`` (its mutant is also kept
under ``WORK/findings``)::

    python tests/validation/fuzz_campaign.py --seed 1 --cases 1000 --minutes 45 --work /tmp/fuzz
    python tests/validation/fuzz_campaign.py --seed 31 --cases 5000 --minutes 15 --valid-share 0.5 \
        --case-seconds 60 --case-memory 4 --work /tmp/fuzz31
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

import test_fuzz_scenarios as base  # noqa: E402  (the default suite's mutations, reused)

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_features as features  # noqa: E402  (mutations of the features added since)

TRACES = base.SCENARIOS / "traces"
#: How the campaign passes --case-memory to _command (in its env; not passed on to the command).
MEMORY_VARIABLE = "FUZZ_CAMPAIGN_CASE_GIB"
ODD_NAMES = ["🙂", "é-node", "a b", "a.b", "x[0]", "-", "*", "0", "true", "null", "a" * 300, "$source"]
ODD_VALUES: list[Any] = [
    *base.NUMBERS,
    *base.FLOATS,
    *base.STRINGS,
    *base.SHAPES,
    "1e400 s",
    "1e308 s",
    "0 Mbps",
    "0 s",
    "5 W",
    "5 Mbps",
    "1e-300 s",
    "3 GFLOP",
    "2 /s",
    "1e9 /s",
    "1e9 s",
    "1e-9 s",
    "[" * 700 + "]" * 700,
]
BAD_CSV_ROWS = [
    "",
    "time,bandwidth",
    "x,y",
    "0,nan",
    "0,inf",
    "-1,1000000",
    "nan,1000000",
    "inf,1000000",
    "0,0",
    "0,-5",
    "1e400,1",
    "0,1e400",
    "0",
    "0,1,2",
    "5,1000000\n1,1000000",
    "0,1000000\n0,2000000",
    "\ufeff0,1000",
    "0;1000000",
    "0,10 Mbps",
    ",",
]


# --------------------------------------------------------------------------- structural mutations


def _nodes(document: dict[str, Any]) -> list[str]:
    nodes = document.get("nodes")
    return [str(name) for name in nodes] if isinstance(nodes, dict) else []


def _links(document: dict[str, Any]) -> list[Any]:
    links = document.get("links")
    if not isinstance(links, list):
        links = document["links"] = []
    return links


def _topology(document: dict[str, Any], rng: random.Random) -> str:
    """A cycle, a self-link, a link to a ghost, a disconnected node, zero bandwidth or a duplicate link."""
    names = _nodes(document) or ["ghost"]
    links = _links(document)
    how = rng.choice(["cycle", "self", "ghost", "island", "zero", "dup", "empty"])
    if how == "cycle" and len(names) >= 2:
        ring = rng.sample(names, k=min(len(names), rng.randrange(2, 5)))
        for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
            links.append({"between": [a, b], "bandwidth": "10 Mbps", "latency": "1 ms"})
    elif how == "self":
        name = rng.choice(names)
        links.append({"between": [name, name], "bandwidth": "10 Mbps", "latency": "1 ms"})
    elif how == "ghost":
        links.append({"between": [rng.choice(names), "ghost"], "bandwidth": "10 Mbps", "latency": "1 ms"})
    elif how == "island":
        nodes = document.setdefault("nodes", {})
        if isinstance(nodes, dict):
            tier = rng.choice(["edge", "cloud", "device", "network"])
            nodes["island"] = {"tier": tier, "processor": {"speed": "10 GFLOP/s"}}
            if tier == "network":
                del nodes["island"]["processor"]
    elif how == "zero" and links:
        link = rng.choice(links)
        if isinstance(link, dict):
            link[rng.choice(["bandwidth", "reverse_bandwidth", "latency"])] = rng.choice(
                ["0 Mbps", 0, "0 bps", "1e-300 bps", "0 s", "1e400 s"]
            )
    elif how == "dup" and links:
        links.append(copy.deepcopy(rng.choice(links)))
    else:
        document["links"] = []
    return f"topology {how}"


def _reference(document: dict[str, Any], rng: random.Random) -> str:
    """A workload, processor or policy that names an application, node or profile that does not exist."""
    ghost = rng.choice(["ghost", "ghost-*", "ghost-0", "EDGE", "edge-99", "phone-3", "*-*", ""])
    workload = document.get("workload")
    nodes = document.get("nodes")
    how = rng.choice(["app", "source", "profile", "policy", "model"])
    if how in ("app", "source") and isinstance(workload, list) and workload:
        entry = rng.choice(workload)
        if isinstance(entry, dict):
            entry["app" if how == "app" else "sources"] = ghost
    elif how == "profile" and isinstance(nodes, dict) and nodes:
        node = rng.choice(list(nodes.values()))
        if isinstance(node, dict):
            node["processor"] = {"profile": rng.choice(["ghost", "A100", "t4 ", "../t4", "/etc/passwd"])}
    elif how == "model" and isinstance(document.get("applications"), dict) and document["applications"]:
        app = rng.choice(list(document["applications"].values()))
        if isinstance(app, dict):
            app["model"] = rng.choice(["ghost", "resnet", {"onnx": "missing.onnx"}, {"onnx": "/dev/null"}])
    else:
        document["policy"] = {"name": "fixed", "node": ghost}
    return f"reference {how} -> {ghost!r}"


def _rename(document: dict[str, Any], rng: random.Random) -> tuple[str, str | None]:
    """A node group or application renamed to an odd name, everywhere (in the YAML text)."""
    pool = _nodes(document) + list(document.get("applications") or {})
    if not pool:
        return "rename (nothing)", None
    old, new = rng.choice(pool), rng.choice(ODD_NAMES)
    return f"rename {old!r} -> {new!r}", yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True
    ).replace(old, new)


def _bad_trace(directory: Path, index: int, rng: random.Random) -> Path:
    """A copy of a shipped link trace with bad rows put in (or nothing but bad rows)."""
    lines = rng.choice(sorted(TRACES.glob("*.csv"))).read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if not line.startswith("#")]
    how = rng.randrange(4)
    if how == 0:
        rows = [rng.choice(BAD_CSV_ROWS)]
    elif how == 1:
        rows = [*rows[:1], rng.choice(BAD_CSV_ROWS)]
    elif how == 2:
        rows.insert(rng.randrange(1, len(rows) + 1), rng.choice(BAD_CSV_ROWS))
    else:
        rows = rows[: rng.randrange(len(rows) + 1)]
    path = directory / f"trace-{index}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _dynamics(document: dict[str, Any], rng: random.Random, trace: Path) -> str:
    """A link-trace entry on a link of the scenario reading a bad CSV, an empty list or a half entry."""
    links = [
        link for link in _links(document) if isinstance(link, dict) and isinstance(link.get("between"), list)
    ]
    how = rng.choice(["trace", "trace", "trace", "empty", "half", "failures"])
    if how == "trace" and links:
        pair = [str(n).replace("*", "0") for n in rng.choice(links)["between"]]
        entry: dict[str, Any] = {"kind": "link-trace", "link": pair, "file": str(trace)}
        if rng.random() < 0.5:
            entry["loop"] = rng.choice([True, False, "yes", 0])
        document["dynamics"] = [entry]
    elif how == "empty":
        document["dynamics"] = rng.choice([[], None, {}, [{}]])
    elif how == "failures":
        names = _nodes(document) or ["edge"]
        document["dynamics"] = [
            {
                "kind": "failures",
                "nodes": rng.choice(names),
                "mtbf": rng.choice(["0 s", "1e-9 s", "1 s", "1e400 s", -1]),
                "mttr": rng.choice(["0 s", "1e-9 s", "1 s", "1e308 s"]),
            }
        ]
    else:
        document["dynamics"] = [{"kind": rng.choice(["link-trace", "mobility", "failures", "ghost"])}]
    return f"dynamics {how}"


def _key_paths(document: Any) -> list[str]:
    """Every key path of ``document`` in ``--set`` syntax (``a.b[0].c``)."""
    paths = []
    for _, _, path in base._entries(document):
        text = ""
        for part in path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        paths.append(text)
    return paths


def _overrides(document: dict[str, Any], rng: random.Random) -> list[str]:
    """One to three ``--set`` arguments: real key paths with odd values, or odd key paths."""
    paths = _key_paths(document)
    sets = []
    for _ in range(rng.randrange(1, 4)):
        path = rng.choice(paths) if paths and rng.random() < 0.8 else ""
        if not path or rng.random() < 0.15:
            path = rng.choice(
                [
                    "ghost",
                    "links[99].bandwidth",
                    "links[-1].bandwidth",
                    "nodes.ghost.tier",
                    "a..b",
                    "[0]",
                    "nodes",
                    "links[x]",
                    "policy.name.x",
                    "duration.s",
                    "🙂",
                    "links[99999999999999999999]",
                ]
            )
        value = rng.choice(ODD_VALUES)
        text = value if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True).strip()
        text = text.removesuffix("\n...").strip() if not isinstance(value, str) else text
        sets.append(f"{path}={text}".replace("\x00", "0"))  # a command line cannot hold a NUL
    return sets


def _raw(text: str, rng: random.Random) -> tuple[str, bytes]:
    """The YAML text damaged as text: a duplicate key, truncated, a tab, bytes not UTF-8, empty."""
    how = rng.choice(["dupkey", "dupkey", "truncate", "tab", "bytes", "empty", "anchor", "bom", "deep"])
    data = text.encode("utf-8")
    if how == "dupkey":
        top = [line for line in text.splitlines() if line and not line.startswith((" ", "-", "#"))]
        line = rng.choice(top) if top else "seed: 1"
        data = (text + line + "\n").encode("utf-8")
    elif how == "truncate":
        data = data[: rng.randrange(len(data) + 1)]
    elif how == "tab":
        data = text.replace("  ", "\t", 1).encode("utf-8")
    elif how == "bytes":
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + b"\xff\xfe\x80" + data[cut:]
    elif how == "empty":
        data = rng.choice([b"", b"---\n", b"null\n", b"[]\n", b"42\n", b"\x00" * 8])
    elif how == "anchor":  # a billion laughs, small
        data = (
            b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
            + b"".join(
                f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n".encode()
                for p, c in zip("abcdefg", "bcdefgh", strict=True)
            )
            + b"name: *h\n"
        )
    elif how == "deep":  # nested deeper than the limit, but not so deep that PyYAML gives up
        depth = rng.choice([101, 300, 700, 950])
        data = (text + "description: " + "[" * depth + "]" * depth + "\n").encode("utf-8")
    else:
        data = b"\xef\xbb\xbf" + data
    return f"raw {how}", data


# --------------------------------------------------------------------------- one case

OPS = ["base", "topology", "reference", "dynamics", "rename", "raw", "none"]
#: The mutations of features added since the campaign began (fuzz_features.py), with their weights.
FEATURES = {"power": 2, "dynamics2": 3, "csv": 2, "recovery": 2, "llm": 2, "plugin": 1}


def make_case(seed: int, index: int, bases: list[dict[str, Any]], directory: Path) -> dict[str, Any]:
    """Case ``index`` of ``seed``: the mutant's file, the ``--set`` arguments, the verbs, what was done."""
    rng = random.Random(f"{seed}:{index}")
    which = rng.randrange(len(bases))
    document = copy.deepcopy(bases[which])
    mutations: list[str] = []
    text: str | None = None
    data: bytes | None = None
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.choices(
            [*OPS, *FEATURES],
            weights=[5, 2, 2, 2, 1, 1, 1, *FEATURES.values()],
        )[0]
        if not isinstance(document, dict) or not document:
            break
        if op == "power":
            mutations.append(features.power(document, rng))
        elif op == "dynamics2":
            mutations.append(features.dynamics(document, rng, directory, index))
        elif op == "csv":
            mutations.append(features.csv_inputs(document, rng, directory, index))
        elif op == "recovery":
            mutations.append(features.recovery(document, rng))
        elif op == "llm":
            mutations.append(features.llm(document, rng))
        elif op == "plugin":
            mutations.append(features.plugin_policy(document, rng))
        elif op == "base":
            mutations.append(base._mutate(document, rng))
        elif op == "topology":
            mutations.append(_topology(document, rng))
        elif op == "reference":
            mutations.append(_reference(document, rng))
        elif op == "dynamics":
            mutations.append(_dynamics(document, rng, _bad_trace(directory, index, rng)))
        elif op == "rename":
            what, text = _rename(document, rng)
            mutations.append(what)
            break
        elif op == "raw":
            what, data = _raw(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), rng)
            mutations.append(what)
            break
    sets = _overrides(document, rng) if isinstance(document, dict) and rng.random() < 0.3 else []
    mutations += [f"--set {s!r}" for s in sets]
    path = directory / f"case-{index}.yaml"
    if data is not None:
        path.write_bytes(data)
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    else:
        base._write(document, path)
    extra = rng.choices(["", "compare", "sweep"], weights=[8, 1, 2])[0]
    sweep: tuple[dict[str, Any] | str, bool] | None = None
    if extra == "sweep" and not sets:
        sweep = features.sweep(
            document if isinstance(document, dict) else {}, path.name, rng, directory, index
        )
        mutations.append(f"sweep {sweep[0]!r:.200}{' --dry-run' if sweep[1] else ''}")
    return {
        "index": index,
        "base": which,
        "path": path,
        "sets": sets,
        "extra": extra,
        "sweep": sweep,
        "mutations": mutations,
    }


#: The mutators of valid values (--valid-share): each one's weight, and how it is called.
VALID_OPS: dict[str, tuple[int, Callable[[dict[str, Any], random.Random, Path, int], str]]] = {
    "power": (2, lambda document, rng, _, __: features.valid_power(document, rng)),
    "dynamics": (4, lambda document, rng, _, __: features.valid_dynamics(document, rng)),
    "arrivals": (1, features.valid_arrivals),
    "recovery": (2, lambda document, rng, _, __: features.valid_recovery(document, rng)),
    "llm": (2, lambda document, rng, _, __: features.valid_llm(document, rng)),
    "plugin": (1, lambda document, rng, _, __: features.valid_plugin(document, rng)),
    "none": (1, lambda *_: "none"),
}


def make_valid_case(seed: int, index: int, bases: list[dict[str, Any]], directory: Path) -> dict[str, Any]:
    """Case ``index`` of ``seed`` drawn from valid values only (``--valid-share``): it should run.

    Its draws come from a stream of their own (``seed:index:valid``), so the
    default campaign's case ``index`` stays the mutant it was.
    """
    rng = random.Random(f"{seed}:{index}:valid")
    which = rng.randrange(len(bases))
    document = copy.deepcopy(bases[which])
    mutations: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.choices(list(VALID_OPS), weights=[weight for weight, _ in VALID_OPS.values()])[0]
        mutations.append(VALID_OPS[op][1](document, rng, directory, index))
    path = base._write(document, directory / f"case-{index}.yaml")
    extra = rng.choices(["", "compare", "sweep"], weights=[6, 1, 2])[0]
    sweep: tuple[dict[str, Any] | str, bool] | None = None
    if extra == "sweep":
        sweep = features.valid_sweep(document, path.name, rng)
        mutations.append(f"sweep {sweep[0]!r:.200}{' --dry-run' if sweep[1] else ''}")
    return {
        "index": index,
        "base": which,
        "path": path,
        "sets": [],
        "extra": extra,
        "sweep": sweep,
        "mutations": ["valid values", *mutations],
    }


def draw_case(
    seed: int, index: int, bases: list[dict[str, Any]], directory: Path, valid_share: float
) -> dict[str, Any]:
    """Case ``index``: of valid values with probability ``valid_share``, otherwise the default mutant.

    Whether it is drawn valid comes from a stream of its own
    (``seed:index:share``), so a case that is not is the default's case ``index``.
    """
    if valid_share > 0 and random.Random(f"{seed}:{index}:share").random() < valid_share:
        return make_valid_case(seed, index, bases, directory)
    return make_case(seed, index, bases, directory)


def _command(argv: list[str], seconds: float, env: dict[str, str]) -> tuple[int | str, str]:
    """``offloadsim ARGV`` as a process: (exit status or "timeout", stderr).

    Past the bound it is sent SIGTERM (it must clean up), then SIGKILL.
    """
    memory = env.get(MEMORY_VARIABLE)

    def bound_memory() -> None:  # in the child, before it runs offloadsim
        if memory:
            limit = int(float(memory) * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    process = subprocess.Popen(
        [sys.executable, "-m", "offloadsim", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={k: v for k, v in env.items() if k != MEMORY_VARIABLE},
        start_new_session=True,
        preexec_fn=bound_memory if memory else None,
    )
    try:
        _, err = process.communicate(timeout=seconds)
        return process.returncode, err.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, err = process.communicate()
        return "timeout", err.decode("utf-8", "replace")


def _stderr_problems(err: str, code: int | str, file: Path | None) -> list[str]:
    problems = []
    if "Traceback" in err or "internal error" in err:
        problems.append("traceback or internal error")
    lines = err.splitlines()
    for line in lines:
        if not line.startswith(("offloadsim: error: ", "offloadsim: warning: ", "offloadsim: note: ")):
            problems.append(f"stray stderr line {line[:160]!r}")
            break
    errors = [line for line in lines if line.startswith("offloadsim: error: ")]
    if file is not None and any(str(file) not in line and "--set" not in line for line in errors):
        problems.append("an error that names neither the file nor the --set")
    if code == 2 and not errors:
        problems.append("exit 2 without an error line")
    return problems


def _output_problems(code: int | str, out: Path, records: str | None) -> list[str]:
    """What a command left in its output directory against the contract; ``records`` None: it writes none."""
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(out.name) and p != out)
    problems = [f"left behind {leftovers}"] if leftovers else []
    # A sweep whose jobs failed (exit 2) keeps failures.log and the finished points for its rerun.
    kept = code == 2 and records == "summary.csv" and (out / "failures.log").is_file()
    if (code != 0 or records is None) and out.exists() and not kept:
        problems.append(f"exit {code} but wrote {out.name}: {sorted(p.name for p in out.iterdir())[:6]}")
    if code == 0 and records is not None and not (out / records).exists():
        problems.append(f"exit 0 without {records}")
    return problems


def _differences(one: Path, two: Path) -> list[str]:
    """The tables of two output directories that differ (parquet by content, CSV and text by bytes)."""
    import pyarrow.parquet as pq

    names = sorted(p.name for p in one.iterdir() if p.suffix in (".parquet", ".csv", ".txt"))
    if names != sorted(p.name for p in two.iterdir() if p.suffix in (".parquet", ".csv", ".txt")):
        return [f"tables {names} against {sorted(p.name for p in two.iterdir())}"]
    return [
        name
        for name in names
        if not (
            pq.read_table(one / name).equals(pq.read_table(two / name))
            if name.endswith(".parquet")
            else (one / name).read_bytes() == (two / name).read_bytes()
        )
    ]


def check(case: dict[str, Any], directory: Path, seconds: float, env: dict[str, str]) -> list[str]:
    """Run a case's commands; return what broke the contract (empty: nothing)."""
    path: Path = case["path"]
    sets = [arg for s in case["sets"] for arg in ("--set", s)]
    findings: list[str] = []

    def step(
        name: str, argv: list[str], out: Path | None, records: str | None, file: Path | None
    ) -> int | str:
        start = time.monotonic()
        code, err = _command([*argv, *(["--out", str(out), "-q"] if out else [])], seconds, env)
        took = time.monotonic() - start
        problems = [] if code in (0, 2) else [f"exit {code} after {took:.1f} s"]
        problems += _stderr_problems(err, code, file)
        problems += _output_problems(code, out, records) if out is not None else []
        findings.extend(f"{name}: {p} | stderr {err[-400:]!r}" for p in problems)
        return code

    valid = case["valid"] = step("validate", ["validate", str(path), *sets], None, "", path)
    ran = step("run", ["run", str(path), *sets], directory / f"run-{case['index']}", "tasks.parquet", path)
    if valid in (0, 2) and ran in (0, 2) and valid != ran:
        findings.append(f"validate exited {valid} but run {ran}")
    if case["extra"] == "compare" and valid == 0:
        argv = ["compare", str(path), *sets, "--policies", "local,edge", "-n", "2"]
        one, two = directory / f"compare-{case['index']}", directory / f"compare2-{case['index']}"
        if (
            step("compare", [*argv, "--workers", "1"], one, "summary.txt", path) == 0
            and step("compare --workers 2", [*argv, "--workers", "2"], two, "summary.txt", path) == 0
        ):
            findings.extend(f"records differ with 2 workers: {d}" for d in _differences(one, two))
    elif case["sweep"] is not None:
        document, dry = case["sweep"]
        sweep = directory / f"sweep-{case['index']}.yaml"
        if isinstance(document, str):
            sweep.write_text(document, encoding="utf-8")
        else:
            sweep.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        out = directory / f"sweep-{case['index']}-out"
        argv = ["sweep", str(sweep), "--workers", "1", *(["--dry-run"] if dry else [])]
        step("sweep", argv, out, None if dry else "summary.csv", sweep)
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=1000, help="case budget (default 1000)")
    parser.add_argument("--start", type=int, default=0, help="first case index")
    parser.add_argument("--only", type=int, action="append", help="run only this case (repeatable)")
    parser.add_argument("--minutes", type=float, default=None, help="stop after this long")
    parser.add_argument("--case-seconds", type=float, default=20.0, help="bound of one command")
    parser.add_argument("--work", type=Path, default=Path("fuzz-campaign"))
    parser.add_argument(
        "--valid-share",
        type=float,
        default=0.0,
        help="draw this share of the cases from valid values only, so they reach the engine "
        "(default 0: every case a mutant; the others stay the default's cases)",
    )
    parser.add_argument(
        "--case-memory", type=float, default=None, help="bound of one command's address space, GiB"
    )
    args = parser.parse_args(argv)
    if not 0 <= args.valid_share <= 1:
        parser.error(f"--valid-share: expected a share in [0, 1], got {args.valid_share}")
    work = args.work.resolve()
    cases_dir, findings_dir = work / "cases", work / "findings"
    for folder in (cases_dir, findings_dir, work / "xdg"):
        folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "OFFLOADSIM_PROFILE_PATH"}
    env["XDG_DATA_HOME"] = str(work / "xdg")
    if args.case_memory:
        env[MEMORY_VARIABLE] = str(args.case_memory)
    features.install_plugins(work / "site")  # plug-in policies the mutants may name
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work / "site"), env.get("PYTHONPATH")]))
    bases = base._base_documents(work)
    indices = args.only or range(args.start, args.start + args.cases)
    deadline = time.monotonic() + 60 * args.minutes if args.minutes else None
    ran = found = accepted = drawn_valid = 0
    for index in indices:
        if deadline is not None and time.monotonic() > deadline:
            break
        for child in cases_dir.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        case = draw_case(args.seed, index, bases, cases_dir, args.valid_share)
        findings = check(case, cases_dir, args.case_seconds, env)
        ran += 1
        accepted += case["valid"] == 0
        drawn_valid += case["mutations"][:1] == ["valid values"]
        if findings:
            found += 1
            kept = findings_dir / f"s{args.seed}-case-{index}"
            shutil.copytree(
                cases_dir, kept, dirs_exist_ok=True, ignore=shutil.ignore_patterns("run-*", "compare*")
            )
            record = {
                "seed": args.seed,
                "index": index,
                "mutations": case["mutations"],
                "extra": case["extra"],
            }
            with (work / "findings.jsonl").open("a", encoding="utf-8") as log:
                log.write(json.dumps({**record, "findings": findings}) + "\n")
            print(f"case {index}: {case['mutations']}\n  " + "\n  ".join(findings), flush=True)
        if ran % 25 == 0:
            print(f"{ran} cases, {found} with findings", flush=True)
    print(
        f"done: {ran} cases (seed {args.seed}), {found} with findings; {accepted} valid mutants ran"
        f"{f' ({drawn_valid} drawn from valid values)' if args.valid_share else ''}; "
        f"log {work / 'findings.jsonl'}"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
