"""A sweep's table per application says which application a point's runs never served.

HQ45: ``local`` never answers with the alternative and ``model-select`` may answer every request
with it; such a point simply had no row of that application, where compare says ``baseline served
none``, and a missing row read as one left out.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from offloadsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_an_application_a_point_never_served_is_said_under_the_table(tmp_path, capsys):
    shutil.copy(SCENARIOS / "llm-assistant.yaml", tmp_path / "llm-assistant.yaml")
    sweep = tmp_path / "s.yaml"
    sweep.write_text(
        "name: llm-apps\nbase: llm-assistant.yaml\nset: {duration: 60 s}\n"
        "policies: [model-select, local]\nreplications: 2\n"
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out")]) == 0
    apps = pd.read_csv(tmp_path / "out" / "apps.csv")
    served = apps.groupby("policy")["app"].unique().map(set).to_dict()
    assert served["local"] == {"chat-1b"}  # local answers every request with the model requested
    unserved = {
        f"{app} (at {policy})"
        for policy in ("model-select", "local")
        for app in {"chat-1b", "chat-8b"} - served[policy]
    }
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("served none")]
    prefix = "served none (no rows, nor in apps.csv): "
    assert line.startswith(prefix) and set(line.removeprefix(prefix).split("; ")) == unserved


def test_many_points_unserved_are_said_by_their_indices():
    from offloadsim.analysis.unserved_values import unserved, unserved_line

    apps = pd.DataFrame({"app": ["a"] * 6 + ["b"], "point": [*range(6), 2]})
    found = unserved(apps, pd.Series(range(6)), "app")
    assert found == {"b": [0, 1, 3, 4, 5]}
    assert (
        unserved_line(found, 6, str, "apps.csv")
        == "served none (no rows, nor in apps.csv): b (at points 0, 1 and 3-5 of summary.csv's point column)"
    )
    assert unserved_line({}, 6, str, "apps.csv") == ""


def test_any_breakdowns_values_are_said_unserved_with_its_file():
    """Not only applications: a breakdown per source names its sources and its own file."""
    from offloadsim.analysis.unserved_values import unserved, unserved_line

    rows = pd.DataFrame({"source": ["phone-0", "phone-0", "phone-1"], "point": [0, 1, 1]})
    found = unserved(rows, pd.Series([0, 1]), "source")
    assert found == {"phone-1": [0]}
    assert unserved_line(found, 2, lambda point: f"x={point}", "sources.csv") == (
        "served none (no rows, nor in sources.csv): phone-1 (at x=0)"
    )
