"""The figures of docs/gallery.md are current: drawn from the numbers the simulator gives today.

After a change that moves numbers (an engine, policy or profile fix), rebuild
the gallery with ``python analysis/build_gallery.py`` and commit docs/figures.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analysis"))

import _common  # noqa: E402  (analysis/ is not a package: its scripts run as files)
import _drawings  # noqa: E402
import gallery  # noqa: E402

FIGURES = ROOT / "docs" / "figures"


def test_the_gallery_is_current(monkeypatch):
    """Current by its numbers and stamps, and every figure drawable from data/ redrawn to the same pixels."""
    compared, real = [], _drawings.difference

    def difference(committed: Path, drawn: Path) -> str | None:
        compared.append(committed.stem)
        return real(committed, drawn)

    monkeypatch.setattr(_drawings, "difference", difference)
    problems = gallery.check()
    assert not problems, "\n".join(problems)
    assert compared == [name for name in gallery.FIGURE_NAMES if name not in _drawings.RECORDS]


@pytest.mark.slow
def test_every_job_behind_the_gallery_still_gives_its_numbers():
    problems = gallery.check(full=True, workers=2)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_figure_is_what_the_plotting_code_draws_from_its_runs():
    """--check --every-figure: the figures drawn from task records too, their experiments re-run."""
    modules = [gallery.figure_module(name) for name in gallery.FIGURE_NAMES]
    problems = _drawings.problems(modules, out=FIGURES, every=True, workers=2)
    assert not problems, "\n".join(problems)


def test_a_plotting_change_to_a_figure_is_caught(monkeypatch):
    """A change to how policy_bars is drawn left its stamp current: only a redraw from data/ shows it."""
    import policy_bars

    draw = policy_bars.draw

    def recoloured(data):
        fig = draw(data)
        fig.axes[0].lines[0].set_color("black")  # one policy's marker, in another colour
        return fig

    monkeypatch.setattr(policy_bars, "draw", recoloured)
    problems = gallery.check(experiments=["compare-load"])
    assert len(problems) == 1, problems
    said = re.fullmatch(
        r"docs/figures/policy_bars\.png is not what the plotting code draws today from data/ "
        r"\(RMS ([0-9.]+) > 0\.05\): python analysis/build_gallery\.py --only policy_bars",
        problems[0],
    )
    assert said and float(said.group(1)) > 1.0, problems[0]


def test_a_figure_redrawn_at_another_size_is_caught_and_a_shade_apart_is_not(tmp_path):
    from PIL import Image

    committed, drawn, shade = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "c.png"
    Image.new("RGB", (40, 30), "white").save(committed)
    Image.new("RGB", (40, 32), "white").save(drawn)
    assert _drawings.difference(committed, drawn) == "size 40x30 pixels, the redraw's 40x32"
    nearly = Image.new("RGB", (40, 30), "white")
    nearly.putpixel((3, 4), (254, 255, 255))  # an anti-aliased edge one level apart: no difference
    nearly.save(shade)
    assert _drawings.difference(committed, shade) is None


@pytest.mark.parametrize("name", list(_drawings.RECORDS))
def test_the_figures_left_to_every_figure_cannot_be_drawn_from_the_tables(name):
    """A figure named in RECORDS that the tables could draw would go unchecked by the default check."""
    with pytest.raises(_drawings.RecordsNotKept):
        _drawings.redraw(gallery.figure_module(name), FIGURES)


def test_a_figure_that_reads_records_the_tables_do_not_keep_is_said(monkeypatch):
    monkeypatch.delitem(_drawings.RECORDS, "latency_cdf")
    problems = _drawings.problems([gallery.figure_module("latency_cdf")], out=FIGURES)
    assert problems == [
        "latency_cdf: its drawing reads compare-load's tasks, which docs/figures/data does not keep: "
        "name it in RECORDS in analysis/_drawings.py"
    ]


def test_every_figure_says_an_experiment_rerun_to_other_numbers_not_its_figures(monkeypatch):
    """Re-run for its figures, an experiment giving another table is a change of numbers, not of drawing."""
    monkeypatch.setattr(_common.EXPERIMENTS["least-loaded-run"], "run", lambda results, workers, quick: None)
    monkeypatch.setattr(_drawings, "job_table", lambda results, experiment: pd.DataFrame({"a": [1]}))
    problems = _drawings.problems(
        [gallery.figure_module(name) for name in ("timeline", "utilisation_time")], out=FIGURES, every=True
    )
    assert len(problems) == 1 and problems[0].startswith(
        "docs/figures/data/least-loaded-run.csv: re-run to redraw its figures, it gives another table"
    )
    assert "the simulator's numbers changed; rebuild: python analysis/build_gallery.py" in problems[0]


def test_every_figure_is_an_option_of_check_only(capsys):
    import build_gallery

    with pytest.raises(SystemExit) as exit_:
        build_gallery.main(["--every-figure"])
    assert exit_.value.code == 2
    assert "--every-figure is an option of --check" in capsys.readouterr().err


def test_the_scenarios_the_readme_puts_behind_the_gallery_are():
    """README's table said ``scenarios/sweep-*.yaml`` were behind the gallery; sweep-neurosurgeon is not."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if "behind the gallery" in line)
    named = [ROOT / p for pattern in re.findall(r"`(scenarios/[^`]+)`", row) for p in _glob(pattern)]
    behind = {path.resolve() for experiment in _common.EXPERIMENTS.values() for path in experiment.files}
    assert named and not [p.name for p in named if p.resolve() not in behind]


def _glob(pattern: str) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(pattern))


@pytest.fixture
def gallery_copy(tmp_path: Path) -> Path:
    out = tmp_path / "figures"
    shutil.copytree(ROOT / "docs" / "figures", out)
    return out


def _rewrite(out: Path, experiment: str, change) -> None:
    """Change an experiment's table and record its new digest, as a careless rebuild would."""
    path = out / "data" / f"{experiment}.csv"
    text = change(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    manifest = json.loads((out / "data" / "gallery.json").read_text(encoding="utf-8"))
    manifest["experiments"][experiment]["data"] = _common.digest_text(text)
    (out / "data" / "gallery.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_number_the_simulator_no_longer_gives_is_caught(gallery_copy):
    def nudge(text: str) -> str:
        header, row = text.splitlines()[:2]
        column = header.split(",").index("latency_mean_s")
        cells = row.split(",")
        cells[column] = repr(float(cells[column]) * 1.01)
        return "\n".join([header, ",".join(cells), *text.splitlines()[2:]]) + "\n"

    _rewrite(gallery_copy, "least-loaded-run", nudge)
    problems = gallery.check(out=gallery_copy, experiments=["least-loaded-run"])
    assert any("latency_mean_s of the job (policy=least-loaded, replication=0)" in p for p in problems)
    assert any("simulator's numbers changed" in p and gallery.REBUILD in p for p in problems)


def test_a_figure_not_redrawn_from_its_table_is_caught(gallery_copy):
    _rewrite(gallery_copy, "least-loaded-run", lambda text: text)  # same numbers: the data are current
    from PIL import Image, PngImagePlugin

    png = gallery_copy / "timeline.png"
    with Image.open(png) as image:
        info = PngImagePlugin.PngInfo()
        info.add_text(gallery.STAMP, "0000000000000000")
        image.save(png, pnginfo=info)
    problems = gallery.check(out=gallery_copy, experiments=["least-loaded-run"])
    assert (
        problems == [p for p in problems if "timeline.png was not drawn from the current data/ tables" in p]
        and len(problems) == 1
    )


def test_an_edited_scenario_is_caught(gallery_copy, tmp_path, monkeypatch):
    scenarios = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios)
    path = scenarios / "compare-load.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("rate: 1.5 /s", "rate: 1.6 /s"), encoding="utf-8"
    )
    monkeypatch.setattr(_common, "SCENARIOS", scenarios)
    problems = gallery.check(out=gallery_copy, experiments=["least-loaded-run"])
    assert len(problems) == 1 and "the scenarios changed since it was made (" in problems[0]


def _mean(experiment: str, column: str, scale: float = 1.0, **where: str) -> float:
    """The mean over replications that a figure draws, from the committed table."""
    table = pd.read_csv(ROOT / "docs" / "figures" / "data" / f"{experiment}.csv", dtype=str)
    for key, value in where.items():
        table = table[table[key.replace("__", ".")] == value]
    assert len(table), f"no rows of {experiment} with {where}"
    return float(table[column].astype(float).mean()) * scale


def _ci(experiment: str, column: str, scale: float = 1.0, **where: str) -> float:
    """The 95 % CI half-width over replications of what :func:`_mean` gives."""
    from offloadsim.analysis.statistics import mean_ci

    table = pd.read_csv(ROOT / "docs" / "figures" / "data" / f"{experiment}.csv", dtype=str)
    for key, value in where.items():
        table = table[table[key.replace("__", ".")] == value]
    return mean_ci(table[column].astype(float).to_numpy())[1] * scale


def _runs(experiment: str, column: str, scale: float = 1.0) -> pd.Series:
    """Each replication's mean of ``column`` over the table's rows (a value common to its jobs)."""
    table = pd.read_csv(ROOT / "docs" / "figures" / "data" / f"{experiment}.csv")
    return table.groupby("replication")[column].mean() * scale


def _quickstart_edge_profile() -> str:
    """The profile of the quickstart's edge server, which a reader takes the calibration figure to be of."""
    from offloadsim.api import load

    (edge,) = (node for node in load(ROOT / "scenarios" / "quickstart.yaml").nodes if node.name == "edge")
    return str(edge.processor.profile)


def _bw(value: str) -> dict[str, str]:
    return {"links[0]__bandwidth": value}


# Every number a caption quotes, and where in the committed data it comes from: a rebuild that moves
# a number fails here until the caption says what the figure shows.
P95 = "latency_p95_s"
MEAN = "latency_mean_s"
ENERGY = "device_energy_mean_j"
CAPTIONS = {
    "local {:.0f} ms, edge {:.0f} ms, cloud {:.0f} ms, least-loaded {:.0f} ms": [
        lambda p=p: _mean("compare-load", P95, 1e3, policy=p)
        for p in ("local", "edge", "cloud", "least-loaded")
    ],
    "the runs give {:,.0f} ± {:.0f} ms and {:,.0f} ± {:.0f} ms (95 % CI over the 5)": [
        lambda: _mean("compare-load", "wait_mean_s", 1e3, policy="local"),
        lambda: _ci("compare-load", "wait_mean_s", 1e3, policy="local"),
        lambda: _mean("compare-load", MEAN, 1e3, policy="local"),
        lambda: _ci("compare-load", MEAN, 1e3, policy="local"),
    ],
    "above least-loaded's {:.1f} ms today": [lambda: _mean("compare-load", MEAN, 1e3, policy="least-loaded")],
    "{:.1f} % at the edge, {:.1f} % under least-loaded": [
        lambda: _mean("compare-load", "deadline_miss_rate", 100, policy="edge"),
        lambda: _mean("compare-load", "deadline_miss_rate", 100, policy="least-loaded"),
    ],
    "to the edge ({:.0f} ms) is slower than computing locally ({:.0f} ms);": [
        lambda: _mean("sweep-bandwidth", MEAN, 1e3, policy="edge", **_bw("2 Mbps")),
        lambda: _mean("sweep-bandwidth", MEAN, 1e3, policy="local", **_bw("2 Mbps")),
    ],
    "least-loaded does better than both ({:.0f} ms)": [
        lambda: _mean("sweep-bandwidth", MEAN, 1e3, policy="least-loaded", **_bw("2 Mbps")),
    ],
    "({:.0f} ms against {:.0f} ms at 100 Mbit/s)": [
        lambda: _mean("sweep-bandwidth", MEAN, 1e3, policy="least-loaded", **_bw("100 Mbps")),
        lambda: _mean("sweep-bandwidth", MEAN, 1e3, policy="edge", **_bw("100 Mbps")),
    ],
    "(at 20 Mbit/s: {:.0f} ms and {:.0f} mJ against {:.0f} ms and {:.0f} mJ)": [
        lambda: _mean("sweep-split", MEAN, 1e3, policy="neurosurgeon", **_bw("20 Mbps")),
        lambda: _mean("sweep-split", ENERGY, 1e3, policy="neurosurgeon", **_bw("20 Mbps")),
        lambda: _mean("sweep-split", MEAN, 1e3, policy="edge", **_bw("20 Mbps")),
        lambda: _mean("sweep-split", ENERGY, 1e3, policy="edge", **_bw("20 Mbps")),
    ],
    "Local itself sits above it ({:.0f} ± {:.0f} ms, 95 % CI over the 5 runs)": [
        lambda: _mean("sweep-split", MEAN, 1e3, policy="local", **_bw("20 Mbps")),
        lambda: _ci("sweep-split", MEAN, 1e3, policy="local", **_bw("20 Mbps")),
    ],
    "({:.0f} mJ against {:.0f} mJ per task at 80 Mbit/s)": [
        lambda: _mean("sweep-split", ENERGY, 1e3, policy="neurosurgeon", **_bw("80 Mbps")),
        lambda: _mean("sweep-split", ENERGY, 1e3, policy="edge", **_bw("80 Mbps")),
    ],
    "the phones' CPUs at {:.0f} % on average when every frame runs locally": [
        lambda: _mean("compare-load", "utilisation_device", 100, policy="local"),
    ],
    "it was up in these runs, {:.0f} %, the mean of the 5 replications' {:.0f}–{:.0f} %": [
        lambda: _mean("edge-outage", "availability", 100),
        *(lambda end=end: _runs("edge-outage", "availability", 100).agg(end) for end in ("min", "max")),
    ],
    "The profile drawn is `{}`, not the quickstart's edge server, `{}`": [
        lambda: importlib.import_module("calibration_accuracy").PROFILE.stem,
        _quickstart_edge_profile,
    ],
    "The edge is at {:.0f} % when every frame goes there": [
        lambda: _mean("compare-load", "utilisation_edge", 100, policy="edge"),
    ],
    "and {:.0f} % under least-loaded": [
        lambda: _mean("compare-load", "utilisation_edge", 100, policy="least-loaded"),
    ],
}


@pytest.mark.parametrize("claim", list(CAPTIONS), ids=range(len(CAPTIONS)))
def test_captions_quote_the_numbers_the_figures_show(claim):
    text = " ".join((ROOT / "docs" / "gallery.md").read_text(encoding="utf-8").split())
    expected = claim.format(*(value() for value in CAPTIONS[claim]))
    assert expected in text, f"docs/gallery.md should say {expected!r} (the committed data's numbers)"


def test_a_visit_too_brief_to_see_in_the_handover_timeline_is_a_tick_not_dropped():
    """Two handovers at one time, or a visit of a second in five minutes, still show on panel (a)."""
    import doctest

    import handover_timeline

    window = (30.0, 330.0)
    spans, brief = handover_timeline.visits([0.0, 100.0, 100.0, 200.0, 200.5], [0, 1, 2, 3, 4], window)
    assert spans == [(30.0, 100.0, 0), (100.0, 200.0, 2), (200.5, 330.0, 4)]
    assert brief == [(100.0, 1), (200.0, 3)]  # zero length, and 0.5 s: under 0.5 % of the window
    assert handover_timeline.visits([0.0, 30.0], [0, -1], window) == ([], [])  # out of coverage: neither
    assert doctest.testmod(handover_timeline).failed == 0


def test_redraw_into_a_fresh_folder_says_which_manifest_it_read(tmp_path, capsys):
    """``--redraw --out NEW`` refused with "not what docs/figures/data holds", though it had read
    NEW/data/gallery.json (none there): the line names the file it read and what to do."""
    import pickle

    (tmp_path / "results").mkdir()
    with (tmp_path / "results" / "least-loaded-run.pickle").open("wb") as file:
        pickle.dump(None, file)
    new = tmp_path / "new"
    with pytest.raises(SystemExit) as exit_:
        gallery.build(["timeline"], out=new, results=tmp_path / "results", redraw=True)
    assert exit_.value.code == 2
    said = capsys.readouterr().err.strip().splitlines()[-1]  # after the build's "== experiment"
    assert "docs/figures/data holds" not in said
    assert f"{new / 'data' / 'gallery.json'} records no table of least-loaded-run" in said
    assert "there is no such file" in said and f"to {new / 'data'} first" in said


def test_redraw_from_records_of_another_build_says_both_tables(tmp_path, capsys, monkeypatch):
    import pickle

    (tmp_path / "results").mkdir()
    with (tmp_path / "results" / "least-loaded-run.pickle").open("wb") as file:
        pickle.dump(None, file)
    out = tmp_path / "figures"
    shutil.copytree(ROOT / "docs" / "figures" / "data", out / "data")
    monkeypatch.setattr(gallery, "job_table", lambda results, experiment: pd.DataFrame({"a": [1]}))
    with pytest.raises(SystemExit) as exit_:
        gallery.build(["timeline"], out=out, results=tmp_path / "results", redraw=True)
    assert exit_.value.code == 2
    said = capsys.readouterr().err.strip().splitlines()[-1]
    recorded = json.loads((out / "data" / "gallery.json").read_text())["experiments"]["least-loaded-run"]
    assert f"the one {out / 'data' / 'gallery.json'} records ({recorded['data']})" in said
    assert "they are from another build" in said


def test_a_build_into_a_fresh_folder_draws_the_shipped_testbed_campaign(tmp_path):
    """``--out NEW`` ran every experiment, then stopped at the testbed figure: NEW held no campaign runs."""
    new = tmp_path / "new"
    gallery.build(["testbed_validation"], out=new, results=tmp_path / "results")
    for name in ("testbed_runs.csv", "testbed_runs-fifo.csv"):
        assert (new / "data" / name).read_bytes() == (FIGURES / "data" / name).read_bytes()
    assert _drawings.difference(FIGURES / "testbed_validation.png", new / "testbed_validation.png") is None


def test_a_figure_the_plotting_code_draws_with_layout_problems_is_caught(monkeypatch):
    """The check redrew each figure to compare its pixels but never held the redraw to the build's
    checks: a figure committed before a check was added went unchecked by the default test run."""
    import policy_bars

    draw = policy_bars.draw

    def crowded(data):
        fig = draw(data)
        fig.axes[0].text(0.5, 1.4, "a label above its axes", transform=fig.axes[0].transAxes)
        return fig

    monkeypatch.setattr(policy_bars, "draw", crowded)
    problems = [p for p in gallery.check(experiments=["compare-load"]) if "layout problems" in p]
    assert len(problems) == 1 and problems[0].startswith(
        "docs/figures/policy_bars.png: the plotting code draws it with layout problems "
        "(panel 1: text 'a label above its axes' runs outside its axes)"
    ), problems


def test_a_file_left_beside_the_figures_is_named(tmp_path):
    """A comparison's diff image committed among the figures (it happened) is caught by the check."""
    for name in gallery.FIGURE_NAMES:
        (tmp_path / f"{name}.png").write_bytes(b"")
    (tmp_path / "data").mkdir()
    (tmp_path / "policy_bars-failed-diff.png").write_bytes(b"")
    assert gallery.strays(tmp_path) == [
        "docs/figures/policy_bars-failed-diff.png: not a gallery figure "
        "(none of FIGURE_NAMES as PNG or PDF): remove it"
    ]
    assert gallery.strays(FIGURES) == []


def test_the_testbed_figure_says_on_itself_what_its_bars_and_lines_are():
    """Its legend names markers, colours and fills; the spread bars and the lines joining two predictions
    were said only in the caption, against the gallery's rule that a figure says what its marks are."""
    import testbed_validation

    fig = _drawings.redraw(testbed_validation, FIGURES)
    said = " ".join(" ".join(text.get_text().split()) for text in fig.texts)
    assert "horizontal bars: the range of a configuration's 3 repetitions' medians" in said
    assert "a thin line joins its max-min (filled) and fifo (hollow) predictions" in said


def test_a_figure_redrawn_from_its_table_says_the_runs_warnings():
    """policy_bars drew local's p95 as settled as any other policy's, where compare's table said its runs
    were too short to settle: the build keeps the runs' warnings in gallery.json for the redraw to say."""
    import policy_bars

    fig = _drawings.redraw(policy_bars, FIGURES)
    said = " ".join(" ".join(text.get_text().split()) for text in fig.texts)
    assert "too short to settle, likely read low: local (5 of 5 runs)" in said


def test_a_figure_of_compare_load_says_what_offloadsim_plot_says_of_its_numbers():
    """A reviewer found policy_bars silent on the edge's unsourced 300 GFLOP/s and the A100's 7.2x
    against MLPerf at batch one, which ``offloadsim plot DIR --kind bars`` prints under the same runs:
    the build keeps plot's figure notes in gallery.json, and the figure says them as plot does."""
    import policy_bars

    from offloadsim.world.notes.kept import said_under_figure

    entry = json.loads((FIGURES / "data" / "gallery.json").read_text())["experiments"]["compare-load"]
    expected = said_under_figure(entry, None, energy=False)
    assert any("300 GFLOP/s" in line for line in expected)
    assert any("7.2x on a100" in line for line in expected)
    fig = _drawings.redraw(policy_bars, FIGURES)
    said = " ".join(" ".join(text.get_text().split()) for text in fig.texts)
    for line in expected:
        assert " ".join(line.split()) in said, line
    assert "energy rests on" not in said  # plot says the power note under figures of energy only


def test_the_bandwidth_sweep_applies_the_gallerys_95_percent_rule_and_says_why():
    """docs/gallery.md draws a sweep point only if every run completed 95 % of its tasks; the bandwidth
    sweep drew the edge at 2 Mbit/s (runs at 90.5-96.4 %), its mean over finished frames reading low."""
    import bandwidth_sweep

    table = pd.read_csv(FIGURES / "data" / "sweep-bandwidth.csv")
    short = table[table["completed"] < _common.STEADY_SHARE * table["arrived"]]
    assert set(zip(short["policy"], short[bandwidth_sweep.KEY], strict=True)) == {("edge", "2 Mbps")}
    fig = _drawings.redraw(bandwidth_sweep, FIGURES)
    (ax,) = fig.axes
    (edge,) = [line for line in ax.get_lines() if line.get_label() == "edge"]
    assert min(edge.get_xdata()) == 5  # Mbit/s: the 2 Mbit/s point left out
    said = " ".join(" ".join(text.get_text().split()) for text in fig.texts)
    assert "not drawn: a run completed under 95 % of its tasks (frames still in flight" in said, said
    assert said.endswith("edge at 2 Mbit/s"), said
