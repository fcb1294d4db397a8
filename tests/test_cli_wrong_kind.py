"""A file given to the verb that reads another kind is one line naming the verb that reads it.

Every kind of input the command line reads (scenario, sweep file, calibrated
profile, results directory) given to every verb that reads another kind: the
new user who gave a sweep file to ``validate`` got one "unknown key" line per
key it has.
"""

from pathlib import Path

import pytest

from offloadsim.cli import main

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "quickstart.yaml"
SWEEP = REPO / "scenarios" / "sweep-split.yaml"
PROFILE = REPO / "offloadsim" / "world" / "profiles" / "data" / "epyc-ort-1t.json"

# What each kind is called, and the verb the message sends it to.
KINDS = {
    "scenario": ("a scenario", "offloadsim run"),
    "sweep": ("a sweep file", "offloadsim sweep"),
    "profile": ("a calibrated device profile", "offloadsim profiles show"),
    "results": ("a results directory", "offloadsim plot"),
}
# Each verb that reads a file, the kind it reads, and its command line around the path.
VERBS = {
    "run": ("scenario", ["run", "{path}", "--out", "{out}"]),
    "validate": ("scenario", ["validate", "{path}"]),
    "compare": ("scenario", ["compare", "{path}", "--policies", "local,edge", "--out", "{out}"]),
    "sweep": ("sweep", ["sweep", "{path}", "--out", "{out}"]),
    "profiles show": ("profile", ["profiles", "show", "{path}"]),
    "calibrate report": ("profile", ["calibrate", "report", "{path}", "--out", "{out}"]),
    "plot": ("results", ["plot", "{path}", "--out", "{out}/figure"]),
}
CASES = [(kind, verb) for kind in KINDS for verb, (reads, _) in VERBS.items() if reads != kind]


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "run"
    argv = ["run", str(SCENARIO), "--set", "duration=1 s", "--out", str(out), "-q", "--stages"]
    assert main(argv) == 0
    return out


def refused(verb: str, path: Path, tmp_path: Path, capsys) -> list[str]:
    """What ``verb`` given ``path`` prints on stderr; it must exit 2 and write nothing."""
    out = tmp_path / "out"
    args = [a.replace("{path}", str(path)).replace("{out}", str(out)) for a in VERBS[verb][1]]
    capsys.readouterr()
    assert main(args) == 2
    assert not out.exists()
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(("kind", "verb"), CASES, ids=[f"{k}-to-{v.replace(' ', '-')}" for k, v in CASES])
def test_a_file_of_another_kind_is_one_line_naming_its_verb(kind, verb, results_dir, tmp_path, capsys):
    path = {"scenario": SCENARIO, "sweep": SWEEP, "profile": PROFILE, "results": results_dir}[kind]
    lines = refused(verb, path, tmp_path, capsys)
    noun, use = KINDS[kind]
    expected = f"offloadsim: error: {path}: {noun}, not {KINDS[VERBS[verb][0]][0]}: use '{use} {path}"
    assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_a_scenario_with_a_mistake_still_gets_its_own_messages(tmp_path, capsys):
    """Only keys a kind requires and the others never have make it another kind."""
    path = tmp_path / "typo.yaml"
    path.write_text(SCENARIO.read_text().replace("workload:", "workloads:"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "not a scenario" not in err and "workloads" in err, err


# The files of a results directory, given to each verb: no verb reads one alone (a Parquet file used
# to be "not UTF-8 text", a manifest.json one "unknown key" line per key); each points at its directory.
# summary.txt is no YAML: it used to be "YAML syntax error" from the scenario readers.
RESULT_FILES = [
    "tasks.parquet",
    "stages.parquet",
    "summary.json",
    "summary.txt",
    "manifest.json",
]
FILE_CASES = [(name, verb) for name in RESULT_FILES for verb in VERBS]


def pointed_at(verb: str, path: Path, what: str, directory: Path, tmp_path: Path, capsys) -> None:
    """``verb`` given ``path`` (``what``: "a file of the results directory D", ...) sends one to plot D."""
    reads = KINDS[VERBS[verb][0]][0]
    expected = f"offloadsim: error: {path}: {what}, not {reads}: use 'offloadsim plot {directory}'"
    assert refused(verb, path, tmp_path, capsys) == [expected]


@pytest.mark.parametrize(
    ("name", "verb"), FILE_CASES, ids=[f"{n}-to-{v.replace(' ', '-')}" for n, v in FILE_CASES]
)
def test_a_file_inside_a_results_directory_points_at_the_directory(name, verb, results_dir, tmp_path, capsys):
    path = results_dir / name
    assert path.is_file()
    pointed_at(verb, path, f"a file of the results directory {results_dir}", results_dir, tmp_path, capsys)


def test_a_file_named_like_a_result_outside_a_results_directory_is_read_as_given(tmp_path, capsys):
    """Only beside a manifest.json is summary.json a result: elsewhere it is a scenario with mistakes."""
    path = tmp_path / "summary.json"
    path.write_text('{"name": "x", "tasks": 3}')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "results directory" not in err and 'unknown key "tasks"' in err, err


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    """A finished sweep of two one-second jobs."""
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "sweep.yaml").write_text(
        f"base: {SCENARIO}\nset: {{duration: 1 s}}\npolicies: [local, edge]\nreplications: 1\n"
    )
    out = folder / "out"
    assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    return out


def a_job_file(sweep_dir: Path) -> Path:
    return sorted((sweep_dir / "points").glob("*.parquet"))[0]


@pytest.mark.parametrize("verb", VERBS, ids=[v.replace(" ", "-") for v in VERBS])
def test_a_sweeps_job_file_points_at_the_sweep(verb, sweep_dir, tmp_path, capsys):
    """A job file used to be "not UTF-8 text (byte 7)", "no results directory" or "unknown profile"."""
    path = a_job_file(sweep_dir)
    pointed_at(verb, path, f"a job file of the sweep {sweep_dir}", sweep_dir, tmp_path, capsys)


@pytest.mark.parametrize("verb", VERBS, ids=[v.replace(" ", "-") for v in VERBS])
def test_a_sweeps_summary_csv_points_at_the_sweep(verb, sweep_dir, tmp_path, capsys):
    """summary.csv is YAML but no mapping: it used to be "expected a mapping at the top level"."""
    path = sweep_dir / "summary.csv"
    pointed_at(verb, path, f"a file of the results directory {sweep_dir}", sweep_dir, tmp_path, capsys)


@pytest.mark.parametrize("verb", ["plot", "run", "validate"])
def test_a_sweeps_points_directory_points_at_the_sweep(verb, sweep_dir, tmp_path, capsys):
    """``plot SWEEP/points`` said "no manifest.json; ... written when every job has finished"."""
    path = sweep_dir / "points"
    pointed_at(verb, path, f"the job files of the sweep {sweep_dir}", sweep_dir, tmp_path, capsys)


def test_an_unfinished_sweeps_job_file_is_recognised_too(sweep_dir, tmp_path, capsys):
    """Before the merge a sweep directory holds only points/ (and failures.log, its lock)."""
    unfinished = tmp_path / "unfinished"
    (unfinished / "points").mkdir(parents=True)
    job = unfinished / "points" / a_job_file(sweep_dir).name
    job.write_bytes(a_job_file(sweep_dir).read_bytes())
    (unfinished / "failures.log").write_text("== a job\n")
    assert refused("validate", job, tmp_path, capsys)[0].endswith(
        f"a job file of the sweep {unfinished}, not a scenario: use 'offloadsim plot {unfinished}'"
    )


def test_a_parquet_file_in_any_points_folder_is_not_taken_for_a_job_file(sweep_dir, tmp_path, capsys):
    """Only in a folder holding nothing but a sweep's files: a user's own data/points/ is read as given."""
    folder = tmp_path / "data"
    (folder / "points").mkdir(parents=True)
    (folder / "notes.md").write_text("mine")
    job = folder / "points" / a_job_file(sweep_dir).name
    job.write_bytes(a_job_file(sweep_dir).read_bytes())
    lines = refused("validate", job, tmp_path, capsys)
    assert "sweep" not in lines[0] and "a Parquet table, not a scenario" in lines[0], lines


def test_every_file_a_results_directory_gets_is_recognised_as_one():
    """input_kinds lists the files of a results directory apart from their writers: this keeps them together.

    A file a writer adds (a run's, a comparison's, a sweep's) and input_kinds does not know would
    be read as a scenario again when given to the wrong verb.
    """
    from offloadsim.experiments.compare import COMPARE_FILES
    from offloadsim.experiments.sweep_merge import SWEEP_FILES
    from offloadsim.input_kinds import RESULTS_FILES
    from offloadsim.records.results import RUN_FILES
    from offloadsim.records.scenario_copy import SCENARIO_DOCUMENT, SWEEP_DOCUMENT

    # Its copies of the scenario and the sweep file are to run again: read as what they are.
    written = {*RUN_FILES, *COMPARE_FILES, *SWEEP_FILES, "stages.parquet"} - {
        SCENARIO_DOCUMENT,
        SWEEP_DOCUMENT,
    }
    assert written <= RESULTS_FILES, sorted(written - RESULTS_FILES)


@pytest.mark.parametrize("kind", ["scenario", "profile"])
@pytest.mark.parametrize("verb", ["onnx:", "models show", "calibrate --onnx"])
def test_a_file_of_another_kind_given_as_an_onnx_model(kind, verb, tmp_path, capsys):
    """onnx's own complaint was the line (a profile.json: 'ParseError: ... Available Fields ...
    'modelVersio', cut mid-word); it now names the kind and its verb, as the other readers do."""
    pytest.importorskip("onnx")
    path = {"scenario": SCENARIO, "profile": PROFILE}[kind]
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO.read_text().replace("model: resnet50", f"onnx: {path}"))
    argv = {
        "onnx:": ["validate", str(scenario)],
        "models show": ["models", "show", str(path)],
        "calibrate --onnx": [
            "calibrate",
            "--onnx",
            str(path),
            "--no-cache",
            "-q",
            "--out",
            str(tmp_path / "p.json"),
        ],
    }[verb]
    assert main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    noun, use = KINDS[kind]
    assert len(lines) == 1 and f"{path}: {noun}, not an ONNX model: use '{use} {path}" in lines[0], lines
    if verb == "onnx:":
        assert lines[0].startswith(f"offloadsim: error: {scenario}: applications.classify.onnx: {path}: ")


@pytest.mark.parametrize("kind", ["sweep", "profile", "results"])
@pytest.mark.parametrize("where", ["before show", "after show", "no show"])
def test_profiles_scenario_of_another_kind_is_one_line_naming_its_verb(kind, where, results_dir, capsys):
    """``profiles --scenario`` uses only its folder, and took a sweep file or a profile without a word."""
    path = {"sweep": SWEEP, "profile": PROFILE, "results": results_dir}[kind]
    argv = {
        "before show": ["profiles", "--scenario", str(path), "show", "t4"],
        "after show": ["profiles", "show", "t4", "--scenario", str(path)],
        "no show": ["profiles", "--scenario", str(path)],
    }[where]
    capsys.readouterr()
    assert main(argv) == 2
    captured = capsys.readouterr()
    noun, use = KINDS[kind]
    expected = f"offloadsim: error: --scenario {path}: {noun}, not a scenario: use '{use} {path}"
    assert captured.out == "" and captured.err.splitlines()[0].startswith(expected), captured.err
    assert len(captured.err.splitlines()) == 1


# Files no verb reads as its input, made as each kind really is; what the message calls each.
def _plot_figure(results_dir: Path, tmp_path: Path) -> Path:
    assert main(["plot", str(results_dir), "--out", str(tmp_path / "fig")]) == 0
    return tmp_path / "fig.png"


NO_INPUT = {
    "csv": ("a CSV table", "run that scenario", lambda d, t: _written(t / "trace.csv", "time,app\n0,job\n")),
    "parquet": ("a Parquet table", "offloadsim plot DIR", lambda d, t: _copied(d / "tasks.parquet", t)),
    "png": ("an image (a figure, perhaps)", "the scenario's YAML file", _plot_figure),
    "manifest": ("a results manifest", "offloadsim plot DIR", lambda d, t: _copied(d / "manifest.json", t)),
}


def _written(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _copied(file: Path, tmp_path: Path) -> Path:
    """``file`` away from its results directory, where its place says nothing."""
    to = tmp_path / f"kept-{file.name}"
    to.write_bytes(file.read_bytes())
    return to


@pytest.mark.parametrize("verb", ["run", "validate", "compare"])
@pytest.mark.parametrize("kind", list(NO_INPUT))
def test_a_file_no_verb_reads_given_as_a_scenario_says_what_it_is(kind, verb, results_dir, tmp_path, capsys):
    """'run x.csv' said "expected a mapping at the top level", a PNG "not UTF-8 text (byte 0)"."""
    noun, use, make = NO_INPUT[kind]
    path = make(results_dir, tmp_path)
    [line] = refused(verb, path, tmp_path, capsys)
    assert line.startswith(f"offloadsim: error: {path}: {noun}, not a scenario: ") and use in line
