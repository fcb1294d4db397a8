"""What the figure tests of this folder share: the checks of a rendered figure and the sweeps they draw."""

from __future__ import annotations

import re

from figure_checks import check_readable
from matplotlib.figure import Figure

from offloadsim import plots
from offloadsim.experiments import read_results, sweep
from offloadsim.plots.kinds import QUANTITY_AXES

UNIT = re.compile(r"\((ms|s|%|mJ|J|MB|count|tasks/s|Mbit/s|0–1)\)")


def swept(tmp_path_factory, folder: str, base_name: str, base: str, sweep_text: str):
    """The results of the sweep ``sweep_text`` of ``base`` (written as ``base_name``), run anew."""
    where = tmp_path_factory.mktemp(folder)
    (where / base_name).write_text(base, encoding="utf-8")
    (where / "sweep.yaml").write_text(sweep_text, encoding="utf-8")
    sweep(where / "sweep.yaml", out=where / "sweep", workers=1)
    return read_results(where / "sweep")


def tiny_sweep(folder, body: str):
    """A sweep of TINY in ``folder`` (``body``: the sweep file after its ``base:``), run and read back."""
    from experiment_data import TINY

    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (folder / "sweep.yaml").write_text(f"base: tiny.yaml\n{body}", encoding="utf-8")
    sweep(folder / "sweep.yaml", out=folder / "sweep", workers=1)
    return read_results(folder / "sweep")


def check_figure(fig: Figure, tmp_path, name: str) -> None:
    for ax in [a for a in fig.axes if a.get_visible()]:
        assert ax.lines or ax.patches or ax.collections, "nothing drawn"
        assert ax.get_ylabel(), "every axis is labelled"
        for axis in QUANTITY_AXES[name]:
            label = ax.get_xlabel() if axis == "x" else ax.get_ylabel()
            if axis == "x" and not label:  # panels on one clock: the last one says it
                continue
            assert UNIT.search(label), f"no unit in {axis} label {label!r}"
    check_readable(fig)
    files = plots.save_figure(fig, tmp_path / name)
    assert [f.suffix for f in files] == [".pdf", ".png"]
    for file in files:
        assert file.stat().st_size > 5_000, f"{file.name} looks empty"
        assert file.read_bytes()[:4] in (b"%PDF", b"\x89PNG")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary files left behind"


def legend_texts(fig: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def _footnote(fig: Figure) -> str:
    label = fig._supxlabel  # the figure-level text under the axes
    return label.get_text() if label is not None else ""


SPEEDS = """
name: speeds
seed: 3
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 2 ms}
applications:
  job: {work: 1 GFLOP, input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: periodic, period: 1 s}
policy: local
"""


def speeds_sweep(folder, axes: str, *, run: bool = True):
    """A sweep of SPEEDS in ``folder`` over ``axes`` (the sweep file's grid, zip and policies), run."""
    (folder / "speeds.yaml").write_text(SPEEDS, encoding="utf-8")
    (folder / "sweep.yaml").write_text(f"base: speeds.yaml\n{axes}", encoding="utf-8")
    if not run:
        return None
    sweep(folder / "sweep.yaml", out=folder / "sweep", workers=1)
    return read_results(folder / "sweep")
