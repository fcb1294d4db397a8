"""A user's text in an error message: one line whatever it holds, cut when long; odd arguments refused.

``--where $'policy=lo\\ncal'`` split its error into two ``offloadsim: error:`` lines; an unknown
profile or policy of 5,000 characters made a line of 5,000 to 10,000; ``--bin 1e-300 s`` from
Python said a bin count 300 digits long (4.9e-324: an OverflowError); ``plot --out FILE/x`` said
"File exists"; ``calibrate --models resnet18,resnet18`` recorded the model twice.
"""

import argparse
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.errors import shown_path
from offloadsim.experiments import ExperimentError, read_results
from offloadsim.scenario.errors import Problem, ScenarioError
from offloadsim.suggest import quoted

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "quickstart.yaml"
LONG = "x" * 5000


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "run"
    args = ["run", str(SCENARIO), "--set", "duration=1 s", "--set", "warmup=0 s", "--out", str(out), "-q"]
    assert main(args) == 0
    return out


def _refused(capsys, argv: list[str]) -> str:
    """The one line ``argv`` is refused with (exit 2, nothing on stdout)."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("offloadsim: error: ")
    assert "Traceback" not in captured.err
    return lines[0]


def test_a_newline_in_a_where_value_stays_on_the_one_line(run_dir, capsys):
    line = _refused(capsys, ["plot", str(run_dir), "--where", "policy=lo\ncal"])
    assert "--where policy=lo\\ncal: no rows have that value" in line


def test_escapes_in_any_refusal_are_shown_not_acted_on(run_dir, capsys):
    line = _refused(capsys, ["plot", str(run_dir), "--where", "policy=ed\x1b[31mge\u202e"])
    assert "\x1b" not in line and "\u202e" not in line
    assert "\\u001b[31m" in line and "\\u202e" in line


def test_message_lines_one_per_problem_each_escaped():
    from offloadsim.errors import message_lines

    error = ScenarioError([Problem("a\nb.yaml", "policy", "bad"), Problem("s.yaml", "seed", "bad too")])
    assert message_lines(error) == ["a\\nb.yaml: policy: bad", "s.yaml: seed: bad too"]
    assert message_lines(ValueError("one\ntwo\rthree")) == ["one\\ntwo\\rthree"]


@pytest.mark.parametrize(
    "argv",
    [
        ["profiles", "show", LONG],
        ["run", str(SCENARIO), "--set", f"nodes.edge.processor.profile={LONG}", "--dry-run"],
        ["run", str(SCENARIO), "--policy", LONG, "--dry-run"],
        ["compare", str(SCENARIO), "--policies", f"edge,{LONG}", "--dry-run"],
        ["models", "show", LONG],
    ],
    ids=["profiles-show", "set-profile", "policy", "policies", "models-show"],
)
def test_a_long_name_is_cut_in_the_message(capsys, tmp_path, argv):
    out = ["--out", str(tmp_path / "out")] if argv[0] in ("run", "compare") else []
    line = _refused(capsys, [*argv, *out])
    assert len(line) < 700, line[:200]
    assert "(5,000 characters)" in line


def test_a_long_out_and_where_are_cut(run_dir, tmp_path, capsys):
    line = _refused(capsys, ["plot", str(run_dir), "--out", str(tmp_path / LONG / "fig")])
    assert len(line) < 200 and "File name too long" in line
    line = _refused(capsys, ["plot", str(run_dir), "--where", f"policy={LONG}"])
    assert len(line) < 200 and "no rows have that value" in line


def test_quoted_and_shown_text_cut_long_text_and_keep_short():
    from offloadsim.errors import shown_text

    assert quoted("edge") == '"edge"' and shown_text("a" * 80) == "a" * 80
    assert quoted(LONG) == f'"{"x" * 60}"... (5,000 characters)'
    assert shown_text("a" * 81) == f"{'a' * 60}... (81 characters)"


def test_out_under_a_file_says_so(run_dir, tmp_path, capsys):
    file = tmp_path / "file"
    file.write_text("not a folder")
    line = _refused(capsys, ["plot", str(run_dir), "--out", str(file / "x")])
    assert line.endswith(f"cannot write a figure to {file / 'x'}: {file} is not a directory")


@pytest.mark.parametrize("under", ["x", "deeper/x.pdf"])
def test_save_figure_under_a_file_says_so_as_plot_out_does(tmp_path, under):
    """From Python, ``save_figure(fig, "FILE/x")`` said mkdir's "File exists" (``FILE/a/x``: "Not a
    directory"), naming neither the figure nor which path is a file: it says what ``--out`` says."""
    from offloadsim.outdir import ResultsError
    from offloadsim.plots import new_axes, save_figure

    file = tmp_path / "file"
    file.write_text("not a folder")
    fig, _ = new_axes()
    with pytest.raises(ResultsError) as raised:
        save_figure(fig, file / under)
    shown = shown_path(file / under)  # cut past 80 characters, as under pytest-xdist's longer tmp_path
    assert str(raised.value) == f"cannot write a figure to {shown}: {file} is not a directory"
    assert file.read_text() == "not a folder" and sorted(tmp_path.iterdir()) == [file]


@pytest.mark.parametrize("bin_s", [1e-300, 5e-324])
def test_a_tiny_bin_is_refused_with_a_short_count(run_dir, bin_s):
    from offloadsim.plots import plot_results

    with pytest.raises(ExperimentError) as raised:
        plot_results(read_results(run_dir), "latency-time", bin_s=bin_s)
    assert len(str(raised.value)) < 120
    assert "over 1,000,000,000 bins" in str(raised.value) and "at most 5,000" in str(raised.value)


def test_calibrate_refuses_a_model_given_twice():
    """The type of ``--models`` and ``--holdout`` (and ``calibrate report --models``)."""
    from offloadsim.cli.calibrate import _names

    assert _names("alexnet,resnet18@160") == ["alexnet", "resnet18@160"]
    with pytest.raises(argparse.ArgumentTypeError, match='"resnet18" is given twice: each model is timed'):
        _names("resnet18,alexnet,resnet18")


@pytest.mark.parametrize(
    ("given", "first", "again", "model"),
    [
        ("resnet18,resnet18@224", "resnet18", "resnet18@224", "resnet18@224"),
        ("ResNet-18@224,alexnet,resnet18", "ResNet-18@224", "resnet18", "resnet18@224"),
        ("vit-b-16,vit_b_16", "vit-b-16", "vit_b_16", "vit_b_16@224"),
        ("bert-base,BERT_base", "bert-base", "BERT_base", "bert-base"),
    ],
)
def test_calibrate_refuses_one_model_spelled_twice(capsys, given, first, again, model):
    """``resnet18,resnet18@224`` (its default size) timed one model and recorded it twice."""
    line = _refused(capsys, ["calibrate", "--models", given])
    said = f'"{first}" and "{again}" are the same model (both name {model}): each model is timed once'
    assert f"argument --models: {said}" in line, line


def test_calibrate_keeps_other_sizes_and_leaves_unknown_names_to_be_named():
    from offloadsim.cli.calibrate import _names

    assert _names("resnet18,resnet18@160,resnet18@288") == ["resnet18", "resnet18@160", "resnet18@288"]
    assert _names("nosuchnet,resnet18,resnet18@x") == ["nosuchnet", "resnet18", "resnet18@x"]


def test_a_warning_escapes_controls_too(capsys):
    from offloadsim.cli.main import _WarningPrinter

    _WarningPrinter()(UserWarning('node "ed\x1b[31mge\u202e"\n  is idle'), UserWarning)
    assert capsys.readouterr().err == 'offloadsim: warning: node "ed\\u001b[31mge\\u202e" is idle\n'
