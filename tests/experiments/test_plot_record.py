"""A figure records the command that drew it and the results it read (HD35's trial: nothing did)."""

from __future__ import annotations

import hashlib
import json
import shlex

from PIL import Image


def test_a_figure_says_its_command_and_redrawing_it_gives_the_same_figure(
    cli_main, sweep_file, tmp_path, capsys
):
    out = tmp_path / "sw"
    assert cli_main(["sweep", str(sweep_file), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    given = ["plot", str(out), "--kind", "sweep", "--metric", "latency_mean_s"]
    given += ["--where", "policy=edge", "--logy"]
    assert cli_main([*given, "--out", str(tmp_path / "a")]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out.split()
    assert printed[-1] == str(tmp_path / "a.plot.json")
    record = json.loads((tmp_path / "a.plot.json").read_text(encoding="utf-8"))
    words = shlex.split(record["command"])
    assert words == [
        "offloadsim", "plot", str(out), "--kind", "sweep", "--metric", "latency_mean_s",
        "--where", "policy=edge", "--logy",
    ]  # fmt: skip
    digest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    assert record["results"]["manifest_sha256"] == digest
    png = Image.open(tmp_path / "a.png")
    assert png.text["offloadsim plot"] == record["command"]
    assert png.text["results manifest sha256"] == digest
    assert f"results manifest sha256={digest}".encode() in (tmp_path / "a.pdf").read_bytes()
    # The recorded command draws the same figure again.
    assert cli_main([*words[1:], "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    assert (tmp_path / "b.png").read_bytes() == (tmp_path / "a.png").read_bytes()


def test_a_time_option_is_written_so_that_it_reads_back_the_same(cli_main, tiny, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli_main(["run", str(tiny), "--out", str(out), "--quiet"]) == 0
    given = ["plot", str(out), "--kind", "latency-time", "--from", "2.5s", "--to", "15s", "--bin", "0.1s"]
    assert cli_main([*given, "--out", str(tmp_path / "t")]) == 0, capsys.readouterr().err
    record = json.loads((tmp_path / "t.plot.json").read_text(encoding="utf-8"))
    assert shlex.split(record["command"])[3:] == [
        "--kind",
        "latency-time",
        "--bin",
        "0.1s",
        "--from",
        "2.5s",
        "--to",
        "15.0s",
    ]


def test_every_kind_writes_what_it_plots_beside_it(cli_main, sweep_file, tmp_path, capsys):
    """Only latency-time wrote its values; a sweep's, bars' and energy figure's means had to be redone."""
    import pandas as pd

    out = tmp_path / "sw"
    assert cli_main(["sweep", str(sweep_file), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    metrics = pd.read_parquet(out / "metrics.parquet")
    metrics["bw"] = metrics["links[0].bandwidth"].astype(str)
    means = metrics.groupby(["bw", "policy"])[["latency_mean_s", "device_energy_mean_j"]].mean()
    for kind in ("sweep", "energy"):
        assert cli_main(["plot", str(out), "--kind", kind, "--out", str(tmp_path / kind)]) == 0
        table = pd.read_csv(tmp_path / f"{kind}.csv")
        table["bw"] = table["links[0].bandwidth"].astype(str)
        got = table.set_index(["bw", "policy"]).sort_index()
        assert (got["replications"] == 2).all() and len(got) == 4
        want = means.loc[got.index]
        assert abs(got["latency_mean_s_mean"] - want["latency_mean_s"]).max() < 1e-8
        assert (got["latency_mean_s_ci95_half_width"] > 0).all()
        if kind == "energy":
            assert abs(got["device_energy_mean_j_mean"] - want["device_energy_mean_j"]).max() < 1e-8
    where = ["--where", "links[0].bandwidth=5 Mbps"]
    assert cli_main(["plot", str(out), "--kind", "cdf", *where, "--out", str(tmp_path / "cdf")]) == 0
    tasks = pd.read_parquet(out / "tasks.parquet")
    slow = tasks[tasks["links[0].bandwidth"].astype(str) == "5 Mbps"]
    table = pd.read_csv(tmp_path / "cdf.csv")
    assert len(table) == len(slow) > 0 and set(table["task_id"]) == set(slow["task_id"])
    capsys.readouterr()
