"""The one-way data flow, checked: import-linter contracts from pyproject.toml."""

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(exe).exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize("verb", ["run", "validate"])
def test_run_and_validate_never_import_calibration_nor_pandas(verb, tmp_path):
    # The CLI's parser lists the calibrate verb, so import-linter cannot see this; check it where it runs.
    # quickstart uses a calibrated profile (xeon-ort-1t), read by the world's own code.
    # pandas is a third of a short run's start-up: the summary and the Parquet files do without it,
    # the stages' file too.
    args = ["run", "scenarios/quickstart.yaml", "--out", str(tmp_path / "out"), "--quiet", "--stages"]
    argv = args if verb == "run" else ["validate", "scenarios/quickstart.yaml"]
    assert _loaded_by(argv, ("offloadsim.calibration", "pandas")) == []


def _loaded_by(argv: list[str], unwanted: tuple[str, ...]) -> list[str]:
    """The modules of ``unwanted`` (and inside them) that ``offloadsim ARGV`` imports, in a fresh process."""
    code = (
        "import sys\n"
        "from offloadsim.cli import main\n"
        f"status = main({argv!r})\n"
        f"unwanted = {unwanted!r}\n"
        "inside = tuple(u + '.' for u in unwanted)\n"
        "print(sorted(m for m in sys.modules if m in unwanted or m.startswith(inside)))\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


# What a short run of a one-node world does not use, and so must not import: each is a share of
# start-up (issue 12 e; `python -X importtime`): networkx a fifth (only route searches and the
# reachability check of a world with links need it), numpy.ma (np.unique's check of a masked array),
# the model zoo (no application names a model), the timed changes and their kinds (the world never changes),
# the other verbs' modules (the parser is built for the verb given), the policies but its own (the
# split planners bring the layer graphs), the device profiles (its processor has a plain speed), the
# CSV readers (no key names a file), the checks of a Scenario built in Python (the command line runs
# the one it loaded, which the loader checked).
_NOT_ON_A_ONE_NODE_RUN = (
    "networkx",
    "numpy.ma",
    "pandas",
    "matplotlib",
    "scipy",
    "offloadsim.calibration",
    "offloadsim.models.zoo",
    "offloadsim.models.registry",
    "offloadsim.world.dynamics",
    "offloadsim.cli.calibrate",
    "offloadsim.cli.experiments",
    "offloadsim.cli.profiles",
    "offloadsim.cli.testbed",
    "offloadsim.plots",
    "offloadsim.policies.balancing",
    "offloadsim.policies.routing",
    "offloadsim.policies.split",
    "offloadsim.policies.splitting",
    "offloadsim.models.graph",
    "difflib",  # for did-you-mean messages only
    "offloadsim.world.profiles",  # processors of plain speeds: no profile to look up nor hash
    "offloadsim.scenario.csvdata",
    "offloadsim.scenario.built_check",
    # The cost and energy rules' classes: no node draws power (no meter), no app is a model (no codec).
    "offloadsim.policies.costs",
    "offloadsim.policies.device_energy",
    "statistics",  # only a refused lognormal's message asks for the normal distribution
)


@pytest.mark.parametrize("verb", ["run", "run with its table", "validate"])
def test_a_one_node_run_and_its_validation_import_no_graph_library_nor_plotting(verb, tmp_path):
    scenario = "benchmarks/scenarios/mm1.yaml"  # benchmark (e): one node, no links, no model
    no_tasks = ["--set", "duration=1e-6 s"]
    argv = (
        ["validate", scenario, *no_tasks]
        if verb == "validate"
        else ["run", scenario, *no_tasks, "--out", str(tmp_path / "out")] + ["--quiet"] * (verb == "run")
    )
    assert _loaded_by(argv, _NOT_ON_A_ONE_NODE_RUN) == []


def _package_imports() -> dict[str, set[str]]:
    """Each offloadsim module's imports of other offloadsim modules, type-checking and lazy ones included.

    A package importing its own children (re-exports) and a child importing its package are not
    counted: Python runs a package's ``__init__`` before its children either way.
    """
    root = Path(__file__).resolve().parents[1] / "offloadsim"
    files = {}
    for path in root.rglob("*.py"):
        parts = path.with_suffix("").relative_to(root.parent).parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def module_of(name: str) -> str:
        while name not in files:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {module: set() for module in files}
    for module, path in files.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's package, one level up per extra dot
                    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{base}" if base else package
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] != "offloadsim":
                    continue
                target = module_of(name)
                if target == module or target.startswith(module + ".") or module.startswith(target + "."):
                    continue
                graph[module].add(target)
    return graph


def test_no_import_cycles_among_the_package_modules_type_checking_imports_included():
    import networkx as nx

    graph = nx.DiGraph([(a, b) for a, targets in _package_imports().items() for b in targets])
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"modules importing each other (TYPE_CHECKING and lazy imports count): {cycles}"


# The start path (issue 12 e), held by a rule rather than a list: what the 0-task run of benchmark (e)
# imports beyond the libraries a run needs, and what offloadsim's own module bodies build as they are
# imported. Counts, not timings: none of them moves with the machine's load. Each bound is the count
# at HJ44 (docs/performance.md, "Start-up, an eleventh look") with headroom for a few small modules; a
# heavy library, a new third-party one, or a module that compiles its patterns or makes its
# dataclasses at import time where most runs never use them passes it.
_START_PATH_BOUNDS = {
    # 210 at HJ44; 215 at baebff28, 226-227 at HEAD of the twenty-sixth session: each new one a
    # registration every run makes at import (breakdown registry and its apps breakdown, the
    # on-time and p99.9 metrics, the stalled_link warning, the stalled-traces check, the ended-arrivals
    # and outage-window notes), plus engine/late.py and scenario/timestamps.py, small, read by them
    "offloadsim's modules": 230,
    "standard-library modules the floor does not import": 20,  # 10 at HJ44 (argparse, subprocess, ...)
    "offloadsim's dataclasses": 70,  # 63 at HJ44
    # 8 at HQ44, each one the run uses (or PyYAML's resolver needs compiled); 14 at HJ44, 32 after a
    # merge of 18 axis-label patterns no run uses
    "patterns offloadsim's module bodies compile": 10,
}
_FLOOR = "import numpy, numpy.random, pyarrow.parquet, yaml, simpy, pydantic; pydantic.Field"
_START_PATH_PROBE = """
import dataclasses, json, re, sys
__FLOOR__
floor = set(sys.modules)
ROOT = sys.argv[1]
compiled = []
_compile = re.compile

def counting(pattern, flags=0):
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_name != "<module>":
        frame = frame.f_back
    if frame is not None and frame.f_code.co_filename.startswith(ROOT):
        compiled.append(frame.f_globals.get("__name__", "?") + ": " + str(pattern)[:40])
    return _compile(pattern, flags)

re.compile = counting
from offloadsim.cli import main
status = main(sys.argv[2:])
tops = {name.split(".")[0] for name in floor}
new = [name for name in sys.modules if name not in floor]
ours = [module for name, module in sys.modules.items() if name.split(".")[0] == "offloadsim" and module]
std = sys.stdlib_module_names
print(json.dumps({
    "status": status,
    "offloadsim's modules": sorted(name for name in new if name.split(".")[0] == "offloadsim"),
    "standard-library modules the floor does not import": sorted(n for n in new if n.split(".")[0] in std),
    "offloadsim's dataclasses": sorted(
        value.__module__ + "." + value.__qualname__ for module in ours for value in vars(module).values()
        if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__
    ),
    "patterns offloadsim's module bodies compile": compiled,
    "third-party packages beyond the floor": sorted(
        {n.split(".")[0] for n in new} - tops - set(std) - {"offloadsim", "__main__", "mypy_extensions"}
    ),
}))
""".replace("__FLOOR__", _FLOOR)


def test_the_0_task_run_imports_no_library_and_builds_little_beyond_its_bounds(tmp_path):
    """Benchmark (e)'s start path, in a fresh process: no third-party package beyond the floor (numpy,
    pyarrow, yaml, simpy, pydantic and what they import), and offloadsim's modules, the standard
    library's, offloadsim's dataclasses and the patterns its module bodies compile under stated bounds.
    """
    argv = ["run", "benchmarks/scenarios/mm1.yaml", "--set", "duration=1e-6 s", "--out", str(tmp_path / "o")]
    root = str(ROOT / "offloadsim")
    result = subprocess.run(
        [sys.executable, "-c", _START_PATH_PROBE, root, *argv, "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["status"] == 0
    advice = (
        "the 0-task run (issue 12 e) must not pay for it: import it where it is used (inside the function, "
        "or behind a registry that names it without importing it), compile a pattern at first use (keep "
        "the string; re caches it), declare a value class FieldValues-based (eq=False, repr=False); see "
        "docs/performance.md's start-up sections. Raise a bound only for work every run needs; say so there"
    )
    extra = found["third-party packages beyond the floor"]
    assert extra == [], f"the 0-task run imports {extra}, beyond {_FLOOR!r}: {advice}"
    for what, bound in _START_PATH_BOUNDS.items():
        assert len(found[what]) <= bound, f"{what}: {len(found[what])} > {bound} {found[what]}: {advice}"
