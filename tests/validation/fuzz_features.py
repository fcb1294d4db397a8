"""The fuzz campaign's mutations of the features added after it was written.

Each mutator changes a scenario document in place (some write a CSV file beside it) the
way a user could plausibly get it wrong: a battery, power states and a radio's power per
rate (``power:``), the dynamics kinds (``mobility`` with a random waypoint or a file of
positions, ``node-schedule``, ``link-schedule``, ``failures`` drawing from
distributions, ``gilbert-elliott``, ``random-walk``), CSV inputs (arrival traces,
empirical samples, positions) missing, empty, a folder, not UTF-8, or with bad rows, a
plug-in policy's ``policy:`` parameters, ``recovery:``, LLM applications (tokens,
precision, alternatives, context windows), and sweep files (``base:``, ``set:``,
``grid:``, ``zip:``, ``policies:``, ``replications:``, ``labels:``). Values are drawn
from pools per quantity that mix the plausible, the wrong unit or kind, zero, negative,
NaN, huge, and the edges of what validation accepts (``1e-30``/``1e30`` of the SI unit
and just past them). Every draw comes from the case's own ``random.Random``, so a case
stays the same mutant on every run.
"""

from __future__ import annotations

import copy
import random
import textwrap
from pathlib import Path
from typing import Any

# Values per quantity: plausible, at the edges of the accepted range and past them, of another
# quantity, bare numbers, NaN and infinity, and shapes where a distribution or a list is taken.
POOLS: dict[str, list[Any]] = {
    "time": [
        "0 s",
        "1e-30 s",
        "1e-31 s",
        "1e-9 s",
        "1 ms",
        "1 s",
        "30 s",
        "1e30 s",
        "1e31 s",
        "-1 s",
        "nan s",
        "inf s",
        0,
        1,
        -1,
        1e-300,
        "5 W",
        "5",
        "",
        None,
        [],
        "1 parsec",
    ],
    "time_dist": [
        {"exponential": "0 s"},
        {"exponential": "1e-30 s"},
        {"uniform": ["2 s", "1 s"]},
        {"uniform": ["0 s", "0 s"]},
        {"uniform": ["0 s", "1e30 s"]},
        {"empirical": []},
        {"empirical": ["0 s"]},
        {"deterministic": "1e-30 s"},
        {"deterministic": "0 s"},
        {"lognormal": {"mean": "1 s", "sigma": 50}},
        {"lognormal": {"mean": "1 s", "sigma": -1}},
        {"lognormal": {"mean": "0 s", "sigma": 0}},
        {"exponential": {"mean": "5 s", "x": 1}},
        {"gamma": "1 s"},
        {"uniform": ["1 s"]},
        {"uniform": {"low": "1 s"}},
    ],
    "power": ["0 W", "1 mW", "2 W", "1e30 W", "1e31 W", "-1 W", "nan W", "3 Wh", "3 dBm", "3", 1.5, 0],
    # a radio's power per rate: mW/Mbps as meant, J/bit bare (438.39 is warned of), power or rate alone
    "power_per_rate": [
        "0 mW/Mbps",
        "438.39 mW/Mbps",
        "1 pJ/bit",
        "1e30 J/bit",
        "1e31 J/bit",
        "-1 mW/Mbps",
        "nan nJ/bit",
        "438.39",
        "1e-9",
        0,
        "3 W",
        "20 Mbps",
        "5 mW/s",
    ],
    "energy": [
        "0 J",
        "1e-30 J",
        "1e-31 J",
        "1 mJ",
        "1 J",
        "10 Wh",
        "1e30 J",
        "1e31 J",
        "-5 Wh",
        "5 mAh",
        "3 W",
        "nan J",
        "inf J",
        1,
        0,
        "5 mWh",
        {"uniform": ["1 J", "2 J"]},
    ],
    "length": ["0 m", "1 m", "150 m", "1e-30 m", "1e30 m", "1e31 m", "-5 m", "5 s", "nan m", 100, 0],
    "velocity": ["0 m/s", "1e-30 m/s", "1 m/s", "1e30 m/s", "-1 m/s", "5 km/h", "5 m", 1, "nan m/s"],
    "frequency": ["0 Hz", "20 MHz", "1e-30 Hz", "1e30 Hz", "-1 MHz", "20 Mbps", 2e7, "nan Hz"],
    "dbm": ["23 dBm", "-300 dBm", "300 dBm", "301 dBm", "-301 dBm", "nan dBm", "23 dB", "23 W", 23],
    "db": ["40 dB", "-300 dB", "301 dB", "40 dBm", 40, "nan dB", "-40 dB"],
    "number": [3, 0, -1, 1e-30, 1e30, 1e308, float("nan"), float("inf"), "3", True, None, 2**64],
    "count": [
        1,
        0,
        -1,
        1.5,
        10**6,
        2**63,
        "5",
        "5 tokens",
        True,
        None,
        {"uniform": [1, 2000]},
        {"uniform": [0, 5]},
        {"exponential": 1e9},
        {"exponential": 0.001},
        {"empirical": [1, 1024]},
        {"lognormal": {"mean": 100, "sigma": 50}},
        {"deterministic": 1024},
        {"deterministic": 1023},
        {"uniform": [1, 1e30]},
        {"empirical": []},
    ],
    "bandwidth": [
        "0 Mbps",
        "1e-30 bps",
        "1e-31 bps",
        "10 Mbps",
        "1e30 bps",
        "1e31 bps",
        "-1 Mbps",
        "nan Mbps",
        "10 MB",
        "10 Hz",
        20,
        1e7,
        "10 mbps",
    ],
    "probability": [0, 0.5, 1, 1.0000001, -0.1, float("nan"), "5 %", "0.5", None],
}


def odd(kind: str, rng: random.Random) -> Any:
    """A value for a key of quantity ``kind`` (a distribution now and then where times are taken)."""
    if kind == "time" and rng.random() < 0.25:
        return copy.deepcopy(rng.choice(POOLS["time_dist"]))
    return copy.deepcopy(rng.choice(POOLS[kind]))


def maybe(value: Any, kind: str, rng: random.Random, p: float = 0.3) -> Any:
    """``value`` as written, or (with probability ``p``) an odd one of its quantity."""
    return odd(kind, rng) if rng.random() < p else value


def _groups(document: dict[str, Any], *tiers: str) -> list[str]:
    """Node group names of the given tiers (all groups if none given)."""
    nodes = document.get("nodes")
    if not isinstance(nodes, dict):
        return []
    return [
        str(name)
        for name, node in nodes.items()
        if isinstance(node, dict) and (not tiers or node.get("tier") in tiers)
    ]


def _expanded(document: dict[str, Any], group: str) -> list[str]:
    node = (document.get("nodes") or {}).get(group)
    count = node.get("count") if isinstance(node, dict) else None
    return [f"{group}-{i}" for i in range(min(count, 5))] if isinstance(count, int) and count > 0 else [group]


# --------------------------------------------------------------------------- CSV files

ARRIVAL_ROWS = [
    "0.1",
    "0.2\n0.5\n1.0",
    "5 ms\n10 ms",
    "-1",
    "nan",
    "inf",
    "1e400",
    "2\n1",
    "0.1\n0.1",
    "",
    "x",
    "0.1,ghost",
    "0.1,",
    "1e-31",
    "1e31",
    "0.1 parsecs",
    "1 W",
]
SAMPLE_ROWS = [
    "1",
    "0",
    "-1",
    "nan",
    "inf",
    "1e400",
    "5 ms",
    "5 parsecs",
    "5 W",
    "",
    "# only a comment",
    "value",
    "1,2",
    "1e-31",
    "1e31",
    "1 GFLOP",
    "150 KB",
    "\ufeff5",
]
POSITION_ROWS = [
    "0,{d},0,0",
    "0,{d},-5,0",
    "0,{d},nan,0",
    "1,{d},0,0\n0,{d},5,5",
    "0,{d},1e31,0",
    "0,ghost,0,0",
    "0,{d},0",
    "0,{d},0,0,0",
    "0 s,{d},5 m,5 m",
    "0,{d},5 s,0",
    "-1,{d},0,0",
    "inf,{d},0,0",
    "0,{d},0,0\n0,{d},1,1",
    "",
    "0,,0,0",
]


def csv_file(
    directory: Path, name: str, kind: str, rng: random.Random, devices: list[str] | None = None
) -> str:
    """A CSV file of ``kind`` (``arrivals``, ``samples``, ``positions``): its path, as a key names it.

    Now and then not a file at all (missing, a folder, ``/dev/null``), empty,
    not UTF-8, or only a header; otherwise a header and rows, good and bad.
    """
    how = rng.choices(
        ["rows", "missing", "folder", "devnull", "empty", "bytes", "header"], [8, 1, 1, 1, 1, 1, 1]
    )[0]
    path = directory / name
    written = name if rng.random() < 0.7 else str(path)
    if how == "missing":
        return rng.choice([written, "nowhere/" + name, "", " "])
    if how == "folder":
        if path.is_file():  # an earlier mutation of the case wrote a file of this name
            path.unlink()
        path.mkdir(exist_ok=True)
        return written
    if how == "devnull":
        return "/dev/null"
    header = {
        "arrivals": rng.choice(["time", "time,source", "Time", ""]),
        "samples": rng.choice(["", "value"]),
    }.get(kind, rng.choice(["time,node,x,y", "time,node,x", "t,node,x,y", "node,time,y,x"]))
    if how == "empty":
        path.write_bytes(b"")
        return written
    if how == "header":
        path.write_text(header + "\n", encoding="utf-8")
        return written
    pool = {"arrivals": ARRIVAL_ROWS, "samples": SAMPLE_ROWS}.get(kind, POSITION_ROWS)
    rows: list[str] = []
    for _ in range(rng.randrange(1, 4)):
        row = rng.choice(pool)
        if kind == "arrivals" and header == "time,source" and "," not in row:
            row = "\n".join(f"{line},{rng.choice([*(devices or ['ghost']), ''])}" for line in row.split("\n"))
        if kind == "positions":
            row = row.replace("{d}", rng.choice(devices or ["ghost"]))
        rows.append(row)
    if kind == "positions" and devices and rng.random() < 0.6:  # every device has rows, in time order
        rows = [f"{t},{d},{10 * t},{5 * i}" for t in range(3) for i, d in enumerate(devices)] + (
            rows if rng.random() < 0.5 else []
        )
    text = "\n".join(([header] if header else []) + rows) + "\n"
    data = text.encode("utf-8")
    if how == "bytes":
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + b"\xff\xfe\x80" + data[cut:]
    path.write_bytes(data)
    return written


# --------------------------------------------------------------------------- the mutators


def power(document: dict[str, Any], rng: random.Random) -> str:
    """A node group given ``power:`` states and a battery, plausible or odd; at times an energy objective."""
    groups = _groups(document, "device") or _groups(document)
    if not groups:
        return "power (no node)"
    group = rng.choice(groups)
    node = document["nodes"][group]
    states: dict[str, Any] = {"idle": "0.5 W", "busy": "3 W", "transmit": "1.3 W", "receive": "1 W"}
    for key in list(states):
        if rng.random() < 0.3:
            del states[key]
        else:
            states[key] = maybe(states[key], "power", rng)
    if rng.random() < 0.4:
        states["tail"] = odd("time", rng)
    if rng.random() < 0.8:
        states["battery"] = odd("energy", rng)
    for key, slope in (("transmit_per_rate", "438.39 mW/Mbps"), ("receive_per_rate", "51.97 mW/Mbps")):
        if rng.random() < 0.3:
            states[key] = maybe(slope, "power_per_rate", rng, p=0.5)
    if rng.random() < 0.1:
        states[rng.choice(["batery", "capacity", "Battery", "idle_power"])] = "1 J"
    if rng.random() < 0.1:
        node["power"] = rng.choice([None, [], "5 W", {"battery": "1 J"}, {}])
    else:
        node["power"] = states
    if rng.random() < 0.3:
        name = rng.choice(["neurosurgeon", "multi-tier", "dads"])
        document["policy"] = {
            "name": name,
            "objective": rng.choice(["energy", "energy", "latency", "battery"]),
        }
    return f"power on {group!r}: {node['power']!r:.100}"


def _link_pair(document: dict[str, Any], rng: random.Random) -> Any:
    links = [
        link
        for link in document.get("links") or []
        if isinstance(link, dict) and isinstance(link.get("between"), list)
    ]
    if not links or rng.random() < 0.15:
        return rng.choice([99, -1, ["ghost", "edge"], 0, "0", [], ["a"]])
    index = rng.randrange(len(links))
    if rng.random() < 0.3:
        return index
    return [str(n).replace("*", "0").replace("[0-9]", "0") for n in links[index]["between"]]


def _steps(rng: random.Random, keys: list[str]) -> list[Any]:
    steps: list[Any] = []
    at = 0.0
    for _ in range(rng.randrange(0, 4)):
        at += rng.choice([0.0, 0.01, 0.05, 0.5, 5.0])
        step: dict[str, Any] = {"at": maybe(f"{at:g} s", "time", rng, 0.2)}
        for key in rng.sample(keys, k=rng.randrange(0, len(keys) + 1)):
            step[key] = (
                rng.choice([True, False, "no", 0, None])
                if key == "up"
                else maybe(
                    "5 Mbps" if "bandwidth" in key else "10 ms",
                    "bandwidth" if "bandwidth" in key else "time",
                    rng,
                )
            )
        steps.append(step)
    if steps and rng.random() < 0.15:
        steps.reverse()
    return steps


def dynamics(document: dict[str, Any], rng: random.Random, directory: Path, index: int) -> str:
    """A dynamics entry of a kind added since the campaign began, its values plausible or odd."""
    devices, aps = _groups(document, "device"), _groups(document, "network", "edge")
    nodes = _groups(document) or ["ghost"]
    kind = rng.choice(
        ["mobility", "node-schedule", "link-schedule", "failures", "gilbert-elliott", "random-walk"]
    )
    entry: dict[str, Any] = {"kind": kind}
    if kind == "mobility":
        device = rng.choice(devices) if devices and rng.random() < 0.9 else rng.choice(nodes)
        points = [n for g in (aps or nodes) for n in _expanded(document, g)][: rng.randrange(1, 4)]
        entry["devices"] = rng.choice([device, f"{device}-*", device]) if rng.random() < 0.95 else "ghost"
        entry["access_points"] = [
            {
                "node": ap,
                "position": [maybe(f"{100 * i} m", "length", rng, 0.15), maybe("10 m", "length", rng, 0.15)],
                "radius": maybe("250 m", "length", rng, 0.2),
                **({"transmit_power": odd("dbm", rng)} if rng.random() < 0.2 else {}),
            }
            for i, ap in enumerate(points)
        ]
        if rng.random() < 0.6:
            entry["random_waypoint"] = {
                "area": [maybe("500 m", "length", rng), maybe("20 m", "length", rng)],
                "speed": maybe(["1 m/s", "10 m/s"], "velocity", rng, 0.4),
                **({"pause": odd("time", rng)} if rng.random() < 0.5 else {}),
            }
        else:
            entry["file"] = csv_file(
                directory, f"positions-{index}.csv", "positions", rng, _expanded(document, device)
            )
        if rng.random() < 0.1:
            entry["random_waypoint"] = {"area": ["500 m", "20 m"], "speed": "1 m/s"}
        entry["update"] = maybe("0.5 s", "time", rng, 0.4)
        entry["attach"] = rng.choice(["nearest", "strongest", "strongest", "best", None])
        entry["in_flight"] = rng.choice(["continue", "restart", "fail", "retry"])
        if entry["attach"] == "strongest" or rng.random() < 0.3:
            entry["radio"] = {
                "bandwidth": maybe("20 MHz", "frequency", rng),
                "transmit_power": maybe("23 dBm", "dbm", rng),
                "noise": maybe("-95 dBm", "dbm", rng),
                "exponent": maybe(3.5, "number", rng),
                "reference_loss": maybe("40 dB", "db", rng),
                **({"reference_distance": odd("length", rng)} if rng.random() < 0.3 else {}),
            }
    elif kind == "node-schedule":
        entry["node"] = rng.choice([rng.choice(nodes), [rng.choice(nodes)], "*", "ghost", []])
        entry["steps"] = _steps(rng, ["up"]) or [{"at": "0 s", "up": False}]
    elif kind == "link-schedule":
        entry["link"] = _link_pair(document, rng)
        entry["steps"] = _steps(rng, ["bandwidth", "reverse_bandwidth", "latency", "up"])
    elif kind == "failures":
        if rng.random() < 0.6:
            entry["nodes"] = rng.choice([rng.choice(nodes), "*", [rng.choice(nodes)]])
        else:
            entry["link"] = _link_pair(document, rng)
        for key in ("mtbf", "mttr"):
            if rng.random() < 0.15:
                entry[key] = {"empirical": csv_file(directory, f"{key}-{index}.csv", "samples", rng)}
            else:
                entry[key] = maybe(rng.choice(["1 s", "5 s", {"uniform": ["1 s", "2 s"]}]), "time", rng, 0.6)
        if rng.random() < 0.3:
            entry["start"] = odd("time", rng)
    elif kind == "gilbert-elliott":
        entry["link"] = _link_pair(document, rng)
        keys = rng.sample(["bandwidth", "reverse_bandwidth", "latency", "loss"], k=rng.randrange(0, 3))
        for state in ("good", "bad"):
            kinds = {
                "bandwidth": "bandwidth",
                "reverse_bandwidth": "bandwidth",
                "latency": "time",
                "loss": "probability",
            }
            entry[state] = {"mean": maybe("2 s", "time", rng), **{key: odd(kinds[key], rng) for key in keys}}
        if rng.random() < 0.3:
            entry["start"] = rng.choice(["good", "bad", "stationary", "ugly", 0])
    else:
        entry["link"] = _link_pair(document, rng)
        entry["every"] = maybe("1 s", "time", rng, 0.5)
        entry["step"] = maybe("1 Mbps", "bandwidth", rng, 0.5)
        entry["min"] = maybe("1 Mbps", "bandwidth", rng, 0.4)
        entry["max"] = maybe("50 Mbps", "bandwidth", rng, 0.4)
        if rng.random() < 0.4:
            entry["start"] = odd("bandwidth", rng)
    existing = document.get("dynamics")
    document["dynamics"] = [*(existing if isinstance(existing, list) and rng.random() < 0.5 else []), entry]
    return f"dynamics {kind}: {entry!r:.160}"


def csv_inputs(document: dict[str, Any], rng: random.Random, directory: Path, index: int) -> str:
    """An arrival trace or empirical samples read from a CSV file (good, bad, empty or missing)."""
    workload = document.get("workload")
    apps = document.get("applications")
    how = rng.choice(["arrivals", "arrivals", "samples"])
    if how == "arrivals" and isinstance(workload, list) and workload and isinstance(workload[0], dict):
        entry = rng.choice([e for e in workload if isinstance(e, dict)] or [workload[0]])
        sources = entry.get("sources")
        devices = [s for s in (sources if isinstance(sources, list) else [sources]) if isinstance(s, str)]
        devices = [n for s in devices for n in _expanded(document, s.removesuffix("-*"))]
        for key in ("rate", "period", "jitter", "users", "think"):
            if rng.random() < 0.9:
                entry.pop(key, None)
        entry["arrivals"] = rng.choice(["trace", "trace", "trace", "Trace", "csv"])
        entry["trace"] = csv_file(directory, f"arrivals-{index}.csv", "arrivals", rng, devices)
        return f"arrival trace {entry['trace']!r}"
    if isinstance(apps, dict) and apps:
        app = rng.choice([a for a in apps.values() if isinstance(a, dict)] or [{}])
        key = rng.choice(["work", "service", "input", "output", "deadline", "prompt_tokens", "output_tokens"])
        for other in ("model", "onnx", "stages", "work", "service"):
            if key in ("work", "service") and rng.random() < 0.8:
                app.pop(other, None)
        app[key] = {"empirical": csv_file(directory, f"samples-{index}.csv", "samples", rng)}
        return f"empirical samples at {key}: {app[key]!r}"
    return "csv (nothing)"


def recovery(document: dict[str, Any], rng: random.Random) -> str:
    """A ``recovery:`` block, with or without a world that fails, its values plausible or odd."""
    block: dict[str, Any] = {}
    for key, good in (("timeout", "200 ms"), ("retries", 1), ("backoff", "50 ms"), ("fallback", "another")):
        if rng.random() < 0.6:
            block[key] = good
    if rng.random() < 0.7 and block:
        key = rng.choice(list(block))
        block[key] = {
            "timeout": lambda: odd("time", rng),
            "retries": lambda: rng.choice([0, 100, 101, -1, 1.5, "3", 10**9, None, True]),
            "backoff": lambda: odd("time", rng),
            "fallback": lambda: rng.choice(["drop", "local", "another", "cloud", "", None, ["local"]]),
        }[key]()
    if rng.random() < 0.1:
        block[rng.choice(["timout", "retry", "Fallback", "max_retries"])] = 1
    document["recovery"] = rng.choice([block, block, block, block, None, [], "retry", {}])
    if rng.random() < 0.4:
        nodes = _groups(document, "edge", "cloud") or _groups(document) or ["ghost"]
        document["dynamics"] = [
            {
                "kind": "failures",
                "nodes": rng.choice(nodes),
                "mtbf": maybe("0.5 s", "time", rng, 0.2),
                "mttr": "0.2 s",
            }
        ]
    return f"recovery {document['recovery']!r:.100}"


LLMS = ["gpt2", "llama-3.2-1b", "llama-3.1-8b", "GPT2", "llama", "gpt-2"]


def llm(document: dict[str, Any], rng: random.Random) -> str:
    """An application made an LLM (or an LLM's tokens, precision, alternatives changed)."""
    apps = document.get("applications")
    if not isinstance(apps, dict) or not apps:
        return "llm (no application)"
    name = rng.choice(list(apps))
    app = apps[name] if isinstance(apps[name], dict) else {}
    apps[name] = app
    if app.get("model") not in LLMS[:3]:
        for key in ("work", "service", "stages", "onnx", "input", "output", "compression"):
            if rng.random() < 0.85:
                app.pop(key, None)
        app["model"] = rng.choice(LLMS)
    app["prompt_tokens"] = maybe(rng.choice([16, 64, {"uniform": [8, 32]}]), "count", rng, 0.5)
    app["output_tokens"] = maybe(rng.choice([4, 8, {"uniform": [2, 8]}]), "count", rng, 0.5)
    if rng.random() < 0.3:
        app["params"] = rng.choice(
            [
                {"precision": rng.choice(["int4", "int8", "fp16", "bf16", "fp32", "int2", "FP16"])},
                {"dtype_bytes": rng.choice([0.5, 1, 2, 4, 3, 0, -1, "2"])},
                {"tokens": 128},
                {"past_tokens": 5},
                {"seq_len": 10},
                {"precision": "int8", "dtype_bytes": 2},
                [],
                None,
            ]
        )
    if rng.random() < 0.3:
        app["alternatives"] = rng.choice([[name], ["ghost"], list(apps), name, [], [name, name]])
        if rng.random() < 0.5:
            apps[f"{name}-big"] = {"model": rng.choice(LLMS), "output_tokens": maybe(4, "count", rng)}
            app["alternatives"] = [f"{name}-big"]
    if rng.random() < 0.15:
        app[rng.choice(["input", "output", "compression", "deadline"])] = rng.choice(
            ["1 KB", "int8", "1 ms", "0 s"]
        )
    if rng.random() < 0.2:
        document["policy"] = rng.choice(
            ["model-select", {"name": "model-select", "tiers": ["cloud"]}, "neurosurgeon"]
        )
    return f"llm {name!r}: {app!r:.140}"


PLUGIN_MODULE = '''
"""Policies a user installs: typed parameters, a factory, one that checks its own parameters."""

from collections.abc import Sequence
from dataclasses import dataclass

from offloadsim.policies import ComputingNode, Plan, Station, Tier


@dataclass
class Typed:
    """Run on a named node, or the nearest of a tier.

    Parameters
    ----------
    via : ComputingNode
        Where to run.
    prefer : Tier
        The tier to prefer.
    share : float
        A fraction.
    count : int
        How many.
    tiers : Sequence[Tier] | None
        Tiers.
    stations : list[Station] | None
        Stations.
    """

    via: ComputingNode | None = None
    prefer: Tier = "edge"
    share: float = 0.5
    count: int = 1
    tiers: Sequence[Tier] | None = None
    stations: list[Station] | None = None

    def decide(self, task, view):
        if self.via is not None:
            return Plan.run_on(self.via)
        node = view.nearest(task.source, self.prefer)
        return Plan.run_on(node) if node is not None else Plan.reject()


def factory(**params):
    """Run every task on its source; takes anything."""
    return Checked(share=float(params.get("share", 0.5)))


class Checked:
    """Run locally; refuses a share outside [0, 1] itself.

    Parameters
    ----------
    share : float
        A fraction in [0, 1].
    """

    def __init__(self, share: float = 0.5) -> None:
        if not 0 <= share <= 1:
            raise ValueError(f"share must be in [0, 1], got {share}")
        self.share = share

    def decide(self, task, view):
        return Plan.run_on(task.source)
'''


def install_plugins(site: Path) -> None:
    """A distribution of plug-in policies in ``site``, laid out as pip would (put ``site`` on PYTHONPATH)."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "fuzz_plugin_policies.py").write_text(textwrap.dedent(PLUGIN_MODULE), encoding="utf-8")
    info = site / "fuzz_plugin_policies-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fuzz-plugin-policies\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[offloadsim.policies]\n"
        "fuzz-typed = fuzz_plugin_policies:Typed\n"
        "fuzz-factory = fuzz_plugin_policies:factory\n"
        "fuzz-checked = fuzz_plugin_policies:Checked\n"
    )


def plugin_policy(document: dict[str, Any], rng: random.Random) -> str:
    """A plug-in policy (installed by :func:`install_plugins`) with parameters plausible or odd."""
    nodes = [n for g in _groups(document) for n in _expanded(document, g)] or ["ghost"]
    name = rng.choice(["fuzz-typed", "fuzz-typed", "fuzz-factory", "fuzz-checked", "fuzz-typo"])
    policy: dict[str, Any] = {"name": name}
    pools: dict[str, list[Any]] = {
        "via": [*nodes, "ghost", "$source", None, 3, [nodes[0]]],
        "prefer": ["edge", "cloud", "device", "network", "fog", "", None, ["edge"]],
        "share": [0.5, 0, 1, -1, 2, float("nan"), float("inf"), "0.5", "50 %", True, None, [0.5]],
        "count": [1, 0, -1, 1.5, 2**63, "1", True, None],
        "tiers": [["edge"], ["edge", "cloud"], [], "edge", ["fog"], None, [None]],
        "stations": [["$source"], nodes[:2], ["ghost"], [], "$source", None],
        "extra": [1],
    }
    for key in rng.sample(list(pools), k=rng.randrange(0, 4)):
        policy[key] = copy.deepcopy(rng.choice(pools[key]))
    document["policy"] = policy
    return f"plug-in policy {policy!r:.120}"


# --------------------------------------------------------------------------- sweep files


def sweep(
    document: dict[str, Any], base: str, rng: random.Random, directory: Path, index: int
) -> tuple[dict[str, Any] | str, bool]:
    """A sweep file over the case's scenario: ``(its document or raw text, whether to --dry-run it)``.

    Keys and values are taken from the scenario (so most points load), with
    odd ones mixed in: a ``base:`` that is missing, a folder, another sweep or
    the sweep itself; grids and zips of unequal, empty, repeated or odd values;
    odd ``replications``, ``policies`` and ``labels``.
    """
    from test_fuzz_scenarios import _entries  # the campaign puts tests/ on sys.path

    leaves = [
        (path, value)
        for container, key, path in _entries(document)
        if not isinstance(value := container[key], dict | list)
        and all(isinstance(p, str | int) for p in path)
    ]

    def key_path(path: tuple[Any, ...]) -> str:
        text = ""
        for part in path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text

    def values(value: Any) -> list[Any]:
        n = rng.choice([1, 2, 2, 3])
        out = [value] + [
            maybe(value, rng.choice(["time", "bandwidth", "number", "count"]), rng, 0.5) for _ in range(n - 1)
        ]
        if rng.random() < 0.1:
            out.append(out[0])  # a value twice
        return out

    doc: dict[str, Any] = {"base": base}
    how = rng.random()
    if how < 0.1:
        doc["base"] = rng.choice(
            ["missing.yaml", "", ".", "/dev/null", f"sweep-{index}.yaml", None, [base], 1]
        )
    elif how < 0.15:
        inner = directory / f"inner-{index}.yaml"
        inner.write_text(f"base: {base}\ngrid:\n  seed: [1]\n", encoding="utf-8")
        doc["base"] = inner.name
    if rng.random() < 0.4:
        doc["set"] = {
            key_path(p): maybe(v, "time", rng, 0.3)
            for p, v in rng.sample(leaves, k=min(len(leaves), rng.randrange(1, 3)))
        }
        if rng.random() < 0.2:
            doc["set"] = rng.choice([{"duration": "1e30 s"}, {"ghost": 1}, [], "duration=1 s", {"seed": -1}])
    for block in ("grid", "zip"):
        if rng.random() < (0.7 if block == "grid" else 0.3) and leaves:
            chosen = rng.sample(leaves, k=min(len(leaves), rng.randrange(1, 3)))
            doc[block] = {key_path(p): values(v) for p, v in chosen}
            if block == "zip" and rng.random() < 0.3:
                first = next(iter(doc[block]))
                doc[block][first] = doc[block][first] + [doc[block][first][0]] * 2  # unequal lengths
            if rng.random() < 0.15:
                doc[block] = rng.choice(
                    [{}, [], None, {"seed": [1, 2]}, {"policy": ["local"]}, {"x": []}, {"duration": "1 s"}]
                )
    if rng.random() < 0.3:
        doc["policies"] = rng.choice(
            [["local", "edge"], ["local", "local"], [], "local", ["ghost"], ["fuzz-typed"], None]
        )
    doc["replications"] = rng.choice([1, 1, 1, 2, 0, -1, 1.5, "2", 100_001, None, True])
    if rng.random() < 0.15:
        swept = list(doc.get("grid") or {}) if isinstance(doc.get("grid"), dict) else []
        doc["labels"] = {rng.choice([*swept, "ghost", "policy.name"]): rng.choice(["a label", "", None, 5])}
    if rng.random() < 0.05:
        doc[rng.choice(["grids", "Base", "replication", "sets"])] = 1
    dry = rng.random() < 0.4
    if rng.random() < 0.05:
        return rng.choice(["", "base: [\n", "- 1\n", "\xff"]), dry
    return doc, dry


# --------------------------------------------------------------------------- valid values (--valid-share)

#: Values each quantity's key takes, in its unit: plausible ones and the edges of what still runs
#: within a case's bound (tiny positive, large).  ``period`` is how often the world changes (a
#: failure's mtbf, an update): its floor keeps a run of a few seconds to some thousands of changes,
#: where ``delay`` (a timeout, a latency, a pause) may be as small as 1 ns.
VALID: dict[str, list[Any]] = {
    "delay": ["1 ns", "1 us", "1 ms", "50 ms", "200 ms", "1 s", "30 s", "1e6 s"],
    "period": ["1 ms", "10 ms", "100 ms", "1 s", "5 s", "1e6 s"],
    "power": ["1 uW", "1 mW", "0.5 W", "3 W", "1 kW", "1e6 W"],
    "power_per_rate": ["0 mW/Mbps", "1 pJ/bit", "51.97 mW/Mbps", "438.39 mW/Mbps", "1 uJ/bit"],
    "energy": ["1e-6 J", "1 mJ", "1 J", "50 J", "10 Wh", "1e30 J"],
    "length": ["1 m", "20 m", "150 m", "1 km", "100 km"],
    "velocity": ["0.01 m/s", "1 m/s", "10 m/s", "30 m/s"],
    "frequency": ["1 kHz", "1 MHz", "20 MHz", "1 GHz"],
    "dbm": ["-30 dBm", "0 dBm", "23 dBm", "60 dBm"],
    "noise": ["-174 dBm", "-95 dBm", "-60 dBm"],
    "db": ["0 dB", "40 dB", "120 dB"],
    "exponent": [1, 2, 3.5, 6],
    "bandwidth": ["1 bps", "1 kbps", "1 Mbps", "20 Mbps", "1 Gbps", "1e12 bps"],
    "probability": [0, 1e-9, 0.01, 0.5, 0.99, 1],
    "tokens": [1, 2, 16, 64, 256],
}


def valid(kind: str, rng: random.Random) -> Any:
    """A value of quantity ``kind`` that validation takes (a distribution of it now and then for times)."""
    value = rng.choice(VALID[kind])
    if kind in ("delay", "period") and rng.random() < 0.25:
        return {rng.choice(["exponential", "deterministic"]): value}
    if kind == "tokens" and rng.random() < 0.25:
        return {"uniform": [1, value]}
    return value


def _valid_pair(document: dict[str, Any], rng: random.Random) -> list[str] | None:
    """The two ends of a link of the document (patterns resolved to their first node), or None."""
    links = [
        link
        for link in document.get("links") or []
        if isinstance(link, dict) and isinstance(link.get("between"), list) and len(link["between"]) == 2
    ]
    if not links:
        return None
    return [str(n).replace("*", "0").replace("[0-9]", "0") for n in rng.choice(links)["between"]]


def valid_power(document: dict[str, Any], rng: random.Random) -> str:
    """Power states and a battery on a device group, every value one validation takes."""
    groups = _groups(document, "device")
    if not groups:
        return "valid power (no device)"
    group = rng.choice(groups)
    draws = sorted(rng.sample(range(len(VALID["power"])), k=4))  # idle draws least: every state holds it
    states = {
        key: VALID["power"][draw]
        for key, draw in zip(("idle", "busy", "transmit", "receive"), draws, strict=True)
        if rng.random() < 0.8 or key == "idle"
    }
    if rng.random() < 0.4:
        states["tail"] = rng.choice(VALID["delay"])
    if rng.random() < 0.8:
        states["battery"] = rng.choice(VALID["energy"])
    for key in ("transmit_per_rate", "receive_per_rate"):
        if rng.random() < 0.3:
            states[key] = rng.choice(VALID["power_per_rate"])
    document["nodes"][group]["power"] = states
    return f"valid power on {group!r}: {states!r:.100}"


def valid_dynamics(document: dict[str, Any], rng: random.Random) -> str:
    """A dynamics entry of any kind with values validation takes, on nodes and links that exist."""
    devices, aps = _groups(document, "device"), _groups(document, "network", "edge")
    computing = [g for g in _groups(document) if isinstance(document["nodes"][g].get("processor"), dict)]
    pair = _valid_pair(document, rng)
    kinds = ["failures", "node-schedule"]
    kinds += ["link-schedule", "gilbert-elliott", "random-walk"] if pair else []
    kinds += ["mobility"] if devices and aps else []  # (and access points linked to them)
    kind = rng.choice(kinds)
    entry: dict[str, Any] = {"kind": kind}
    if kind == "failures":
        if pair is not None and rng.random() < 0.4:
            entry["link"] = pair
        else:
            entry["nodes"] = rng.choice(computing or _groups(document))
        entry["mtbf"] = valid("period", rng)
        entry["mttr"] = valid("period", rng)
        if rng.random() < 0.3:
            entry["start"] = rng.choice(VALID["delay"])
    elif kind == "node-schedule":
        entry["node"] = rng.choice(computing or _groups(document))
        at, steps = 0.0, []
        for _ in range(rng.randrange(1, 4)):
            steps.append({"at": f"{at:g} s", "up": rng.random() < 0.5})
            at += rng.choice([0.001, 0.1, 1.0, 5.0])
        entry["steps"] = steps
    elif kind == "link-schedule":
        entry["link"] = pair
        at, steps = 0.0, []
        for _ in range(rng.randrange(1, 4)):
            step: dict[str, Any] = {"at": f"{at:g} s"}
            for key in rng.sample(["bandwidth", "reverse_bandwidth", "latency", "up"], k=rng.randrange(1, 3)):
                step[key] = (
                    rng.random() < 0.5
                    if key == "up"
                    else rng.choice(VALID["delay" if key == "latency" else "bandwidth"])
                )
            steps.append(step)
            at += rng.choice([0.001, 0.1, 1.0, 5.0])
        entry["steps"] = steps
    elif kind == "gilbert-elliott":
        entry["link"] = pair
        keys = rng.sample(["bandwidth", "reverse_bandwidth", "latency", "loss"], k=rng.randrange(1, 3))
        kinds_of = {"bandwidth": "bandwidth", "reverse_bandwidth": "bandwidth", "latency": "delay"}
        for state in ("good", "bad"):
            entry[state] = {
                "mean": rng.choice(VALID["period"]),
                **{
                    key: rng.choice(VALID["probability"][:-1])
                    if key == "loss"
                    else rng.choice(VALID[kinds_of[key]])
                    for key in keys
                },
            }
        if rng.random() < 0.3:
            entry["start"] = rng.choice(["good", "bad"])
    elif kind == "random-walk":
        entry["link"] = pair
        low, high = sorted(rng.sample(VALID["bandwidth"], k=2), key=_bits)
        entry.update(
            every=rng.choice(VALID["period"]), step=rng.choice(VALID["bandwidth"]), min=low, max=high
        )
        entry["start"] = rng.choice([low, high])  # else the link's own bandwidth, maybe outside them
    else:
        device = rng.choice(devices)
        linked = {  # the groups a link joins to the device's nodes: they may be its access points
            str(other).removesuffix("-*")
            for link in document.get("links") or []
            if isinstance(link, dict) and isinstance(link.get("between"), list)
            for end, other in (link["between"], link["between"][::-1])
            if str(end).removesuffix("-*") == device
        }
        points = [n for g in aps if g in linked for n in _expanded(document, g)][: rng.randrange(1, 4)]
        if not points:
            return "valid dynamics mobility (no access point linked to the devices)"
        entry["devices"] = f"{device}-*" if (document["nodes"][device].get("count") or 1) > 1 else device
        entry["access_points"] = [
            {"node": ap, "position": [f"{100 * i} m", "10 m"], "radius": rng.choice(VALID["length"])}
            for i, ap in enumerate(points)
        ]
        entry["random_waypoint"] = {
            "area": [rng.choice(VALID["length"][1:]), rng.choice(VALID["length"])],
            "speed": rng.choice(
                [rng.choice(VALID["velocity"]), ["1 m/s", rng.choice(VALID["velocity"][1:])]]
            ),
            **({"pause": rng.choice(VALID["delay"])} if rng.random() < 0.5 else {}),
        }
        entry["update"] = rng.choice(VALID["period"])
        entry["attach"] = rng.choice(["nearest", "strongest"])
        entry["in_flight"] = rng.choice(["continue", "restart", "fail"])
        if entry["attach"] == "strongest" or rng.random() < 0.3:
            entry["radio"] = {
                "bandwidth": rng.choice(VALID["frequency"]),
                "transmit_power": rng.choice(VALID["dbm"]),
                "noise": rng.choice(VALID["noise"]),
                "exponent": rng.choice(VALID["exponent"]),
                "reference_loss": rng.choice(VALID["db"]),
            }
    existing = document.get("dynamics")
    entries = [*(existing if isinstance(existing, list) and rng.random() < 0.5 else []), entry]
    # Two entries setting one link's rate are refused, two link-schedules aside (a mobility's
    # radio sets its links' rates: world/dynamics/rates.py): not knowing their links, the new
    # entry alone goes where two set rates.
    setting = [e for e in entries if isinstance(e, dict) and _sets_rates(e)]
    if len(setting) > 1 and any(e.get("kind") != "link-schedule" for e in setting):
        entries = [entry]
    # Two mobility entries moving one device are refused too (rates.py's check_movers): not
    # knowing which devices their patterns match, the new entry alone goes where two move any.
    if sum(isinstance(e, dict) and e.get("kind") == "mobility" for e in entries) > 1:
        entries = [entry]
    document["dynamics"] = entries
    return f"valid dynamics {kind}: {entry!r:.160}"


def _sets_rates(entry: dict[str, Any]) -> bool:
    """Whether a dynamics entry sets a link's rate (a radio, a walk, a trace, a bandwidth)."""
    kind = entry.get("kind")
    rates = ("bandwidth", "reverse_bandwidth")
    if kind == "mobility":
        return "radio" in entry
    if kind == "link-schedule":
        steps = entry.get("steps")
        if not isinstance(steps, list):
            return True
        return any(isinstance(step, dict) and bool(step.keys() & set(rates)) for step in steps)
    if kind == "gilbert-elliott":
        good = entry.get("good")
        return not isinstance(good, dict) or bool(good.keys() & set(rates))
    return kind in ("random-walk", "link-trace")


def _bits(bandwidth: str) -> float:
    """A VALID bandwidth in bit/s (to order a pair of them)."""
    number, unit = bandwidth.split()
    return float(number) * {"bps": 1, "kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9}[unit]


def valid_arrivals(document: dict[str, Any], rng: random.Random, directory: Path, index: int) -> str:
    """A workload entry's arrivals read from a good CSV trace: times in order, some at one instant."""
    workload = document.get("workload")
    entries = [e for e in workload if isinstance(e, dict)] if isinstance(workload, list) else []
    if not entries:
        return "valid arrivals (no workload)"
    entry = rng.choice(entries)
    for key in ("rate", "period", "jitter", "users", "think"):
        entry.pop(key, None)
    times = sorted(rng.choice([0.0, 1e-9, 0.001, 0.5, 1.0, 3.0]) for _ in range(rng.randrange(1, 12)))
    path = directory / f"arrivals-{index}.csv"
    path.write_text("time\n" + "".join(f"{t:g}\n" for t in times), encoding="utf-8")
    entry["arrivals"], entry["trace"] = "trace", str(path)
    return f"valid arrival trace {times}"


def valid_recovery(document: dict[str, Any], rng: random.Random) -> str:
    """A ``recovery:`` block validation takes, often in a world whose servers fail."""
    block: dict[str, Any] = {"timeout": rng.choice(VALID["delay"])}
    if rng.random() < 0.7:
        block["retries"] = rng.choice([0, 1, 2, 3])
    if rng.random() < 0.5:
        block["backoff"] = rng.choice(VALID["delay"])
    if rng.random() < 0.6:
        block["fallback"] = rng.choice(["drop", "local", "another"])
    document["recovery"] = block
    computing = [g for g in _groups(document, "edge", "cloud")]
    if computing and rng.random() < 0.5:
        existing = document.get("dynamics")
        document["dynamics"] = [
            *(existing if isinstance(existing, list) else []),
            {
                "kind": "failures",
                "nodes": rng.choice(computing),
                "mtbf": valid("period", rng),
                "mttr": "0.2 s",
            },
        ]
    return f"valid recovery {block!r:.100}"


def valid_llm(document: dict[str, Any], rng: random.Random) -> str:
    """An application made a zoo LLM with token counts and a precision validation takes."""
    apps = document.get("applications")
    if not isinstance(apps, dict) or not apps:
        return "valid llm (no application)"
    name = rng.choice(list(apps))
    app = {"model": rng.choice(LLMS[:3])}
    for key in ("deadline",):
        if isinstance(apps[name], dict) and key in apps[name]:
            app[key] = apps[name][key]
    app["prompt_tokens"] = valid("tokens", rng)
    app["output_tokens"] = valid("tokens", rng)
    if rng.random() < 0.3:
        app["params"] = {"precision": rng.choice(["int4", "int8", "fp16", "bf16", "fp32"])}
    apps[name] = app
    if rng.random() < 0.2:
        apps[f"{name}-big"] = {"model": rng.choice(LLMS[:3]), "output_tokens": valid("tokens", rng)}
        app["alternatives"] = [f"{name}-big"]
        document["policy"] = "model-select"
    return f"valid llm {name!r}: {app!r:.140}"


def valid_plugin(document: dict[str, Any], rng: random.Random) -> str:
    """A plug-in policy (installed by :func:`install_plugins`) with parameters it takes."""
    computing = [
        n
        for g in _groups(document)
        if isinstance(document["nodes"][g].get("processor"), dict)
        for n in _expanded(document, g)
    ]
    name = rng.choice(["fuzz-typed", "fuzz-typed", "fuzz-factory", "fuzz-checked"])
    policy: dict[str, Any] = {"name": name}
    if name == "fuzz-typed":
        if computing and rng.random() < 0.5:
            policy["via"] = rng.choice(computing)
        policy["prefer"] = rng.choice(["edge", "cloud", "device"])
        if rng.random() < 0.3:
            policy["count"] = rng.choice([0, 1, 2**31])
    if rng.random() < 0.5:
        policy["share"] = rng.choice([0, 1e-9, 0.5, 1])
    document["policy"] = policy
    return f"valid plug-in policy {policy!r:.120}"


def valid_sweep(document: dict[str, Any], base: str, rng: random.Random) -> tuple[dict[str, Any], bool]:
    """A sweep over the case's scenario that loads: seeds, policies, replications (at times ``--dry-run``)."""
    doc: dict[str, Any] = {"base": base, "grid": {"seed": rng.choice([[1], [1, 2], [3, 1 << 40]])}}
    if rng.random() < 0.5:
        doc["policies"] = rng.choice([["local"], ["local", "edge"], ["edge", "cloud"]])
    doc["replications"] = rng.choice([1, 1, 2])
    if rng.random() < 0.3 and isinstance(document.get("duration"), str):
        doc["zip"] = {"duration": [document["duration"], "1 s"], "warmup": ["0 s", "1 ms"]}
    return doc, rng.random() < 0.2
