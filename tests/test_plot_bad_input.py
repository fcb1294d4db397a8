"""plot's bad input: a results directory whose manifest.json is not of the shape offloadsim writes,
and an empty value of an option that names something, are each one line, exit 2.

``plot`` read a hand-edited manifest (a list at the top, ``seed: [1]``, ``policy: 7``) as it came and
failed deep in a table or a figure: an internal error, exit 1.  ``--facet ''`` was looked up as a
column named "" (an internal error, exit 1); ``--by ,``, ``--by app,,policy`` and ``--out ''`` were
read as no option at all, and drew a figure the user did not ask for (``--out ''`` wrote it to the
default place).
"""

import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.errors import shown_path
from offloadsim.experiments import ExperimentError, read_results

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "quickstart.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "run"
    assert (
        main(["run", str(SCENARIO), "--set", "duration=1 s", "--set", "warmup=0 s", "--out", str(out), "-q"])
        == 0
    )
    return out


def _edited(run_dir: Path, tmp_path: Path, manifest: object) -> Path:
    copy = tmp_path / "edited"
    shutil.copytree(run_dir, copy)
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("seed", [1], "seed: expected a whole number, got a list"),
        ("replication", None, "replication: expected a whole number, got nothing (null)"),
        ("end_s", {}, "end_s: expected a number, got an empty mapping"),
        ("policy", 7, "policy: expected a mapping with a name, got 7"),
        ("policy", {"name": 3}, "policy: expected a mapping with a name, got a mapping"),
        ("swept", 7, "swept: expected a list of key paths, got 7"),
        ("labels", 3, "labels: expected a mapping of key path to label, got 3"),
        # Each said "expected a list of notes, got a list": the wrong item is named, not its list.
        ("notes", ["ok", 1], "notes[1]: expected a note (text), got 1"),
        ("swept", [None], "swept[0]: expected a key path (text), got nothing (null)"),
        ("labels", {"seed": 3}, 'labels["seed"]: expected a label (text), got 3'),
        (
            "swept_kinds",
            {"seed": []},
            'swept_kinds["seed"]: expected a kind (text or null), got an empty list',
        ),
        (
            "precision_notes",
            [{"points": [1]}],
            "precision_notes: expected a list of notes, each with a note and the points it holds for, "
            "got a list",
        ),
    ],
)
def test_a_manifest_key_of_the_wrong_shape_is_named(key, value, said, run_dir, tmp_path, capsys):
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    edited = _edited(run_dir, tmp_path, {**manifest, key: value})
    assert main(["plot", str(edited), "--out", str(tmp_path / "figure")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"offloadsim: error: {edited / 'manifest.json'}: {said} "
        "(not as offloadsim writes it; rerun the command that made it)"
    ]
    assert not list(tmp_path.glob("figure*"))


#: Keys a hand edit left unchecked: plot --kind latency-time ended in a ValueError or TypeError of
#: float("x") (exit 1), and the rest were read as they came (a run's title named scenario 7).
_UNCHECKED = [
    ("scenario", 7, "scenario: expected text, got 7"),
    ("offloadsim_version", 0.1, "offloadsim_version: expected text, got 0.1"),
    ("engine_build", None, "engine_build: expected text, got nothing (null)"),
    (
        "warmup_s",
        "x",
        'warmup_s: expected a time in seconds, 0 or more (a list of them where points differ), got "x"',
    ),
    (
        "warmup_s",
        -1,
        "warmup_s: expected a time in seconds, 0 or more (a list of them where points differ), got -1",
    ),
    (
        "duration_s",
        None,
        "duration_s: expected a time in seconds above 0 (a list of them where points differ), "
        "got nothing (null)",
    ),
    ("skipped_checks", "tail", 'skipped_checks: expected a list of check names (text), got "tail"'),
    # the provenance keys a run's manifest gained (scenario.yaml beside it, the libraries, the commit)
    ("scenario_document", 3, "scenario_document: expected text, got 3"),
    ("versions", {"numpy": 2}, "versions: expected a mapping of library to version (text), got a mapping"),
    (
        "git",
        {"commit": "abc"},
        "git: expected a mapping with the commit (text) and whether the package's files differ from it "
        "(dirty), got a mapping",
    ),
    # each of the right type, but not what the others say: the figure's window would move
    ("end_s", 99.0, "end_s: expected warmup_s + duration_s (0 + 1 s), got 99"),
]


@pytest.mark.parametrize(("key", "value", "said"), _UNCHECKED, ids=[f"{k}={v}" for k, v, _ in _UNCHECKED])
@pytest.mark.parametrize("kind", ["cdf", "latency-time"])
def test_a_manifest_key_left_unchecked_before_is_named(key, value, said, kind, run_dir, tmp_path, capsys):
    from offloadsim.records.results import ResultsError, read_run

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    edited = _edited(run_dir, tmp_path, {**manifest, key: value})
    assert main(["plot", str(edited), "--kind", kind, "--out", str(tmp_path / "figure")]) == 2
    line = f"{edited / 'manifest.json'}: {said} (not as offloadsim writes it; rerun the command that made it)"
    assert capsys.readouterr().err.splitlines() == [f"offloadsim: error: {line}"]
    assert not list(tmp_path.glob("figure*"))
    with pytest.raises(ResultsError) as raised:
        read_run(edited)
    assert str(raised.value) == line
    with pytest.raises(ExperimentError) as raised:
        read_results(edited)
    assert str(raised.value) == line


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "compare"
    argv = ["compare", str(SCENARIO), "--set", "duration=1 s", "--set", "warmup=0 s", "--policies"]
    assert main([*argv, "lb=least-loaded(load_bucket=0.02),edge", "-n", "2", "--out", str(out), "-q"]) == 0
    return out


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("baseline", "cloud", 'baseline: expected one of the policies (lb, edge), got "cloud"'),
        ("baseline", 3, "baseline: expected text, got 3"),
        ("policies", [{"name": 3}], "policies: expected a list of policies, each with a name, its params"),
        ("duration_s", [1.0, 0], "duration_s: expected a time in seconds above 0 (a list of them where"),
        ("adjust", ["holm"], "adjust: expected text, got a list"),
        ("run_warnings", 7, "run_warnings: expected a list, got 7"),  # a TypeError in every figure
    ],
)
def test_a_comparison_manifest_key_left_unchecked_before_is_named(
    key, value, said, compare_dir, tmp_path, capsys
):
    """A baseline edited to a policy the comparison did not run, or a bad entry: named, exit 2."""
    manifest = json.loads((compare_dir / "manifest.json").read_text(encoding="utf-8"))
    edited = _edited(compare_dir, tmp_path, {**manifest, key: value})
    assert main(["plot", str(edited), "--kind", "bars", "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: {edited / 'manifest.json'}: {said}")
    with pytest.raises(ExperimentError, match=re.escape(said)):
        read_results(edited)


def test_a_sweep_manifest_whose_jobs_are_not_its_points_times_replications_is_named(tmp_path, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: s\nbase: {SCENARIO}\nset: {{duration: 1 s, warmup: 0 s}}\n"
        "grid:\n  links[0].bandwidth: [5 Mbps, 20 Mbps]\npolicies: [edge]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "-q", "--workers", "1"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (out / "manifest.json").write_text(json.dumps({**manifest, "points": 1}), encoding="utf-8")
    assert main(["plot", str(out), "--kind", "sweep", "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        f"offloadsim: error: {out / 'manifest.json'}: jobs: expected points × replications (1 × 1), got 2"
    )


@pytest.mark.parametrize("top", [[], None, 3, "x"], ids=["list", "null", "number", "text"])
def test_a_manifest_that_is_not_a_mapping_is_refused(top, run_dir, tmp_path, capsys):
    edited = _edited(run_dir, tmp_path, top)
    assert main(["plot", str(edited), "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        f"offloadsim: error: {edited / 'manifest.json'}: expected a mapping at the top level"
    )
    with pytest.raises(ExperimentError, match="expected a mapping at the top level"):
        read_results(edited)


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda doc: {**doc, "arrived": None}, "summary.json: arrived: expected a count, got nothing (null)"),
        (lambda doc: {**doc, "failed": {}}, "summary.json: failed: expected a count, got an empty mapping"),
        (lambda doc: {**doc, "tier_utilisation": [1]}, "summary.json: tier_utilisation: expected a mapping"),
        (lambda doc: {k: v for k, v in doc.items() if k != "completed"}, "summary.json: completed: missing"),
        (
            lambda doc: {**doc, "processors": {}},
            "summary.json: processors: expected a list of processors, got an empty mapping",
        ),
        (
            lambda doc: {**doc, "processors": [*doc["processors"][:1], 3]},
            "summary.json: processors[1]: expected a mapping of node, tier, processor",
        ),
        (
            lambda doc: {**doc, "processors": [{**doc["processors"][0], "busy_s": "1 s"}]},
            'summary.json: processors[0].busy_s: expected a number, got "1 s"',
        ),
        (
            lambda doc: {**doc, "processors": [{**doc["processors"][0], "cores": True}]},
            "summary.json: processors[0].cores: expected a count, got true",
        ),
        (
            lambda doc: {
                **doc,
                "processors": [{k: v for k, v in doc["processors"][0].items() if k != "tier"}],
            },
            "summary.json: processors[0].tier: missing",
        ),
    ],
    ids=[  # a list: refused as no JSON object, test_unreadable_results_files
        "null-count",
        "mapping-count",
        "list-table",
        "missing",
        "processors-mapping",
        "processor-number",
        "processor-text-time",
        "processor-bool-cores",
        "processor-missing-key",
    ],
)
def test_a_summary_of_the_wrong_shape_is_named(edit, said, run_dir, tmp_path, capsys):
    """Each was a TypeError inside the reader (an internal error, exit 1): plot and read_run say where."""
    from offloadsim.records.results import ResultsError, read_run

    edited = _edited(run_dir, tmp_path, json.loads((run_dir / "manifest.json").read_text(encoding="utf-8")))
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    (edited / "summary.json").write_text(json.dumps(edit(summary)), encoding="utf-8")
    assert main(["plot", str(edited), "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: cannot read results in {edited}: {said}")
    with pytest.raises(ResultsError, match=re.escape(said)):
        read_run(edited)


def test_a_manifest_as_offloadsim_writes_it_is_read(run_dir):
    assert read_results(run_dir).kind == "run"


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--facet", "", 'argument --facet: expected a column name, got ""'),
        ("--facet", "  ", 'argument --facet: expected a column name, got "  "'),
        ("--by", ",", 'argument --by: expected comma-separated column names like app,policy, got ","'),
        (
            "--by",
            "app,,policy",
            'argument --by: expected comma-separated column names like app,policy, got "app,,policy"',
        ),
        (  # drew one series a policy, labelled "policy, policy"
            "--by",
            "policy, app,policy",
            'argument --by: "policy" given twice in "policy, app,policy"; name each column once',
        ),
        ("--metric", "", 'argument --metric: expected a metric name, got ""'),
        ("--x", "", 'argument --x: expected a swept key, got ""'),
        ("--out", "", 'argument --out: expected a file stem, got ""'),
    ],
)
def test_an_empty_value_of_a_naming_option_is_refused(option, value, said, run_dir, capsys):
    assert main(["plot", str(run_dir), option, value]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"offloadsim: error: {said} (see 'offloadsim plot --help')"]
    assert not (run_dir / "figures").exists()


def test_a_named_column_and_file_stem_still_draw(run_dir, tmp_path, capsys):
    assert main(["plot", str(run_dir), "--by", "app", "--out", str(tmp_path / "fig")]) == 0
    assert (tmp_path / "fig.pdf").is_file()


@pytest.mark.parametrize(
    ("file", "spoil", "said"),
    [
        ("manifest.json", "not utf-8", "{dir}/manifest.json: not UTF-8 text (byte 0)"),
        ("manifest.json", "not json", "{dir}/manifest.json: not valid JSON: Expecting value"),
        (
            "manifest.json",
            "a directory",
            "{dir}/manifest.json: is a directory, expected the results' manifest",
        ),
        (
            "manifest.json",
            "a FIFO",
            "{dir}/manifest.json: is a FIFO (named pipe), expected the results' manifest",
        ),
        (
            "tasks.parquet",
            "a directory",
            "{dir} is incomplete: tasks.parquet is a directory, not a table file",
        ),
        (
            "tasks.parquet",
            "a FIFO",
            "{dir} is incomplete: tasks.parquet is a FIFO (named pipe), not a table file",
        ),
        # A run writes no metrics.parquet: one that is a directory or FIFO was taken as absent.
        (
            "metrics.parquet",
            "a directory",
            "{dir} is incomplete: metrics.parquet is a directory, not a table file",
        ),
        (
            "metrics.parquet",
            "a FIFO",
            "{dir} is incomplete: metrics.parquet is a FIFO (named pipe), not a table file",
        ),
        (
            "stages.parquet",
            "a FIFO",
            "{dir} is incomplete: stages.parquet is a FIFO (named pipe), not a table file",
        ),
        (
            "summary.json",
            "a FIFO",
            "{dir} is incomplete: summary.json is a FIFO (named pipe), expected the run's summary",
        ),
    ],
)
def test_a_results_file_that_cannot_be_read_is_named(
    file, spoil, said, run_dir, tmp_path, capsys, make_no_file
):
    """A manifest not UTF-8 was "cannot read results in DIR: 'utf-8' codec can't decode ...", without the
    file; one that is a FIFO or directory was "no manifest.json", and tasks.parquet as either "missing"."""
    edited = _edited(run_dir, tmp_path, json.loads((run_dir / "manifest.json").read_text(encoding="utf-8")))
    target = edited / file
    target.unlink(missing_ok=True)  # a run has no metrics.parquet, nor stages.parquet without --stages
    if spoil == "not utf-8":
        target.write_bytes(b"\xff{}")
    elif spoil == "not json":
        target.write_text("", encoding="utf-8")
    else:
        make_no_file(target, "a FIFO (named pipe)" if spoil == "a FIFO" else spoil)
    assert main(["plot", str(edited), "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"offloadsim: error: {said.format(dir=edited)}" or spoil == "not json", line
    assert said.format(dir=edited) in line, line
    assert not list(tmp_path.glob("figure*"))


@pytest.mark.parametrize("what", ["a directory", "a FIFO (named pipe)", "a character device"])
def test_a_figure_path_that_is_no_file_is_named_as_every_reader_names_it(what, tmp_path, make_no_file):
    """figure_files checked the file kind its own way; it says what bounded_read.not_a_file says."""
    from offloadsim.bounded_read import not_a_file
    from offloadsim.outdir import ResultsError
    from offloadsim.plots import figure_files

    stem = "a figure is written to a file stem (FIG writes FIG.pdf and FIG.png)"
    given = make_no_file(tmp_path / "fig", what)
    assert not_a_file(given) == f"is {what}"
    with pytest.raises(
        ResultsError, match=f"^{re.escape(f'cannot write a figure to {given}: it is {what}; {stem}')}$"
    ):
        figure_files(given)
    beside = make_no_file(tmp_path / "other.png", what)
    with pytest.raises(ResultsError, match=re.escape(f"to {tmp_path / 'other.pdf'}: {beside} is {what}; ")):
        figure_files(tmp_path / "other.pdf")
    if what == "a directory":  # a directory named as the stem is no problem: the files go beside it
        assert figure_files(tmp_path / "fig.pdf") == [tmp_path / "fig.pdf", tmp_path / "fig.png"]
    else:
        with pytest.raises(ResultsError, match=re.escape(f"{given} is {what}; ")):
            figure_files(tmp_path / "fig.pdf")


def test_plot_results_given_a_path_or_a_where_string_says_what_it_expected(run_dir):
    """From Python, a directory's path in place of its read tables, and the command line's
    ``--where`` text in place of a mapping, each ended in an AttributeError deep in the figure's data."""
    from offloadsim.plots import plot_results

    with pytest.raises(
        ExperimentError, match=r"results: expected .*read_results\(DIR\).*got str \(read it first"
    ):
        plot_results(str(run_dir), "cdf")
    with pytest.raises(ExperimentError, match=r"where: expected a mapping .*got str 'policy=edge'"):
        plot_results(read_results(run_dir), "cdf", where="policy=edge")
    assert plot_results(read_results(run_dir), "cdf", where={"policy": "neurosurgeon"}) is not None


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            {"facet": 3},
            "facet: expected a name (text), got int 3",
        ),  # 'int' object has no attribute 'casefold'
        ({"metric": 3}, "metric: expected a name (text), got int 3"),
        (
            {"by": 3},
            "by: expected a column name or a list of them, got int 3",
        ),  # 'int' object is not iterable
        ({"size": "one column"}, "size: unknown figure size 'one column'; use one of one-column"),  # KeyError
        ({"logx": "no"}, "logx: expected True, False or None, got str 'no'"),  # drew a log axis
        ({"where": {3: "edge"}}, "where: expected column names (text), got int 3"),
        (
            {"where": {"policy": ()}},
            "where: policy: an empty tuple keeps no rows",
        ),  # ": no rows have all of these"
        ({"where": {"policy": []}}, "where: policy: an empty list keeps no rows"),  # as a tuple
    ],
)
def test_plot_results_refuses_an_argument_of_another_kind(run_dir, arguments, said):
    from offloadsim.plots import plot_results

    with pytest.raises(ExperimentError, match=re.escape(said)):
        plot_results(read_results(run_dir), "cdf", **arguments)


def test_new_axes_names_an_unknown_size():
    """The preset was looked up before it was checked: a KeyError, not the ValueError it documents."""
    from offloadsim.plots import new_axes

    with pytest.raises(ValueError, match="unknown figure size 'one column'; use one of one-column"):
        new_axes("one column")


@pytest.mark.parametrize("given", [None, "results/run"])
def test_a_chart_given_no_table_says_what_it_draws(given):
    """latency_cdf(None), or a directory's path, ended in an AttributeError (no attribute 'columns')."""
    from offloadsim.plots import latency_cdf

    with pytest.raises(
        ValueError, match=r"expected a DataFrame of records with a column 'latency' \(latency_cdf draws task"
    ):
        latency_cdf(given)


# A full disk, simulated with the process's file size limit (RLIMIT_FSIZE): real writes fail midway
# with EFBIG, as they fail with ENOSPC on a full disk, in a process of its own.
_LIMITED = """
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
sys.argv = ["offloadsim", *sys.argv[2:]]
runpy.run_module("offloadsim", run_name="__main__")
"""


def _offloadsim_limited(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """``offloadsim ARGS`` in a process that may write files of at most ``limit`` bytes."""
    return subprocess.run(
        [sys.executable, "-c", _LIMITED, str(limit), *args],
        capture_output=True,
        text=True,
        timeout=120,
        # Byte code it wrote would be cut at the limit too, a short write Python installs as is: a
        # truncated .pyc ("marshal data too short") that every later import of the package fails on.
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE and SIGXFSZ as Linux has them")
@pytest.mark.parametrize("limit", [500, 2000])
def test_a_figure_cut_short_by_a_full_disk_is_said_in_one_line(limit, tmp_path, run_dir):
    """``plot`` whose PDF write fails midway: exit 2 and the file system's reason, no file left.

    matplotlib's PDF writer closes a stream that never got its place in the file after the write
    failed: ``offloadsim plot`` on a full disk said "internal error: AttributeError: 'Stream' object
    has no attribute 'pos'" and exited 1.
    """
    out = tmp_path / "figs" / "fig"
    done = _offloadsim_limited(limit, "plot", str(run_dir), "--out", str(out))
    assert done.returncode == 2, done.stderr[-2000:]
    # (matplotlib may say first that it could not save its font cache, in a fresh MPLCONFIGDIR)
    assert done.stderr.splitlines()[-1] == (
        f"offloadsim: error: cannot write the figure to {shown_path(out)}: {os.strerror(errno.EFBIG)}"
    )
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


@pytest.mark.parametrize("option", ["--by", "--facet", "--where"])
def test_application_the_figures_word_for_app_is_told_app_not_replication(option, run_dir, capsys):
    """HE44: a figure's panels read "application = classify", so a student typed --facet application
    and was asked "did you mean replication?"."""
    value = "application=classify" if option == "--where" else "application"
    assert main(["plot", str(run_dir), "--kind", "bars", option, value]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert 'no such column (did you mean "app"? "application" is what the figures call it)' in line
    assert not (run_dir / "figures").exists()
