"""A sweep's printed wall time and its manifest's ``wall_s`` are named for what each measures."""

from __future__ import annotations

import json
import re


def test_the_printed_wall_time_names_the_manifests_wall_s_within_it(sweep_file, tmp_path, cli_main, capsys):
    """A trial printed "in 6.0 s of wall time" beside a manifest's wall_s of 2.45, neither saying of what."""
    out = tmp_path / "swept"
    assert cli_main(["sweep", str(sweep_file), "--out", str(out), "--workers", "1"]) == 0
    last = [line for line in capsys.readouterr().out.splitlines() if "of wall time" in line]
    found = re.fullmatch(
        r"8 jobs: 8 run, 0 reused, in ([0-9.]+) s of wall time "
        r"\(([0-9.]+) s of it checking and running jobs, the manifest's wall_s\)",
        last[0] if len(last) == 1 else "",
    )
    assert found, last
    whole, jobs = float(found[1]), float(found[2])
    wall_s = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["wall_s"]
    assert found[2] == f"{wall_s:.1f}"
    assert 0 < wall_s <= whole and jobs <= whole  # the command's time: the jobs', its planning and merge
