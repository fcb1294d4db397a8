"""The figures of docs/gallery.md are current: drawn from the numbers the simulator gives today.

After a change that moves numbers (an engine, policy or profile fix), rebuild
the gallery with ``python analysis/build_gallery.py`` and commit docs/figures.
"""

from __future__ import annotations

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
import gallery  # noqa: E402


def test_the_gallery_is_current():
    problems = gallery.check()
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_job_behind_the_gallery_still_gives_its_numbers():
    problems = gallery.check(full=True, workers=2)
    assert not problems, "\n".join(problems)


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
