"""An empty value of a plot option that names something is refused at the option, exit 2.

``--facet ''`` was looked up as a column named "" (an internal error, exit 1); ``--by ,``,
``--by app,,policy`` and ``--out ''`` were read as no option at all, and drew a figure the user
did not ask for (``--out ''`` wrote it to the default place).
"""

from pathlib import Path

import pytest

from offloadsim.cli import main

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
