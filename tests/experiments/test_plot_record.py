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
