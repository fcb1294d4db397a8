"""Helpers shared by the scenario tests: a small valid scenario, and which sibling modules exist yet.

Also what the ``plain-*`` checks' tests share: the shipped scenarios, a document written to a
file, and one check's warnings of a file.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"

#: Its phones offered 50 % each under local (1 /s x 2 GFLOP / 4 GFLOP/s): no offered-load warning.
SMALL = """\
name: small
duration: 30 s
nodes:
  phone: {count: 3, tier: device, processor: {speed: 4 GFLOP/s}, power: {idle: 0.5 W, busy: 3 W}}
  lonely: {tier: device}
  ap: {tier: network}
  edge: {tier: edge, processor: {profile: a100, cores: 2}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 0.5 ms}
applications:
  job: {work: 2 GFLOP, input: 150 KB, output: 4 KB}
workload:
  - {app: job, sources: phone-*, rate: 1 /s}
"""


def small_document() -> dict[str, Any]:
    return yaml.safe_load(SMALL)


def importable(module: str, attribute: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), attribute)
    except ImportError:
        return False


HAVE_ZOO = importable("offloadsim.models", "list_models")
HAVE_REGISTRY = importable("offloadsim.policies.registry", "available_policies")


ROOT = Path(__file__).resolve().parents[2]
#: The shipped scenarios and benchmark scenarios, but sweeps (a check runs on each point instead).
SHIPPED = sorted(
    p
    for p in (*(ROOT / "scenarios").glob("*.yaml"), *(ROOT / "benchmarks" / "scenarios").glob("*.yaml"))
    if not p.name.startswith("sweep-")
)


def write_document(tmp_path: Path, document: dict[str, Any], name: str = "s.yaml") -> Path:
    """``document`` as a scenario file in ``tmp_path``."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def check_warnings(path: Path, check: str) -> list[str]:
    """The warnings the check named ``check`` gives the scenario at ``path``, as printed."""
    from offloadsim import api
    from offloadsim.scenario import load_scenario

    scenario = load_scenario(path)
    return [str(p) for p in api.scenario_warnings(scenario.policy, scenario) if p.check == check]


def trace_command(tmp_path: Path, table: str, command: list[str]) -> tuple[Path, int]:
    """``command`` on a small scenario whose one ``dynamics`` entry plays ``uplink.csv`` on ``links[0]``.

    ``table``: the file's text, header and all; ``command``: the command line but the scenario's
    path, which goes second, ``{out}`` in it a folder in ``tmp_path`` (``["run", "--out", "{out}"]``).
    Returns the scenario's path and the exit status.
    """
    from offloadsim.cli import main

    (tmp_path / "uplink.csv").write_text(table)
    document = small_document()
    document["dynamics"] = [{"kind": "link-trace", "link": 0, "file": "uplink.csv"}]
    path = write_document(tmp_path, document)
    args = [arg.format(out=tmp_path / "out") for arg in command]
    return path, main([args[0], str(path), *args[1:]])
