"""A note on an application's layers on a processor is said only where that application ran there.

The quickstart with a second application kept on the phones (``hosts``): ``neurosurgeon`` sends
every ResNet-50 request to the edge, the phones compute AlexNet only, and the CPU line still said
"applications.classify (resnet50, fp32) on cortex-a76": the phones computed, so any application
that might have run there was named.  A run's, a comparison's (which filtered by processor only,
and now says "(under POLICY only)" per application) and a sweep's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from compressed_alternative_scenario import SCENARIO

from offloadsim import api
from offloadsim.experiments.compare import compare

QUICKSTART = Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml"
SAID = "a built-in CPU profile runs each layer"


def two_applications(tmp_path: Path) -> Path:
    """The quickstart with AlexNet requests kept on the phones beside its ResNet-50 ones."""
    text = QUICKSTART.read_text().replace(
        "workload:",
        "  small:\n    model: alexnet\n    input: 150 KB\n    output: 4 KB\n"
        "    hosts: [phone-*]\n\nworkload:",
    )
    small = "  - {app: small, sources: phone-*, arrivals: poisson, rate: 0.2 /s}\n"
    scenario = tmp_path / "two.yaml"
    scenario.write_text(text.replace("rate: 1 /s}\n", "rate: 1 /s}\n" + small))
    return scenario


def test_the_cpu_line_names_only_the_application_the_phones_ran(tmp_path):
    scenario = two_applications(tmp_path)
    result = api.run(str(scenario), overrides=["duration=10 s", "warmup=0 s"], out=tmp_path / "run")
    placed = result.tasks[result.tasks["app"] == "classify"]["placement"]
    assert len(placed) and set(placed) == {"edge"}  # no ResNet-50 layer on a phone
    (note,) = [line for line in result.notes if SAID in line]
    assert note.startswith("applications.small (alexnet, fp32) on cortex-a76 (1 core): ")
    assert "applications.classify" not in note


def test_a_comparison_names_an_application_only_under_the_policies_that_ran_it_there(tmp_path):
    scenario = two_applications(tmp_path)
    result = compare(
        scenario,
        ["local", "neurosurgeon"],
        1,
        workers=1,
        overrides=["duration=10 s", "warmup=0 s"],
        out=tmp_path / "cmp",
    )
    tasks = result.tasks
    ran = tasks[(tasks["app"] == "classify") & (tasks["policy"] == "neurosurgeon")]["placement"]
    assert len(ran) and set(ran) == {"edge"}  # no ResNet-50 layer on a phone under neurosurgeon
    said = {line.rsplit(" (under ", 1)[1]: line for line in result.notes if SAID in line}
    assert set(said) == {"local only)", "neurosurgeon only)"}
    # AlexNet on the phones under both; ResNet-50 on them under local only
    assert said["neurosurgeon only)"].startswith(
        "applications.small (alexnet, fp32) on cortex-a76 (1 core): "
    )
    assert "applications.classify" not in said["neurosurgeon only)"]
    assert said["local only)"].startswith("applications.classify (resnet50, fp32) on cortex-a76 (1 core); ")


NEUROSURGEON = QUICKSTART.parent / "neurosurgeon.yaml"
GPU = "a built-in GPU profile runs each layer"


def test_a_sweep_says_an_application_on_a_gpu_at_the_points_whose_runs_ran_it_there(tmp_path, capsys):
    """A sweep's notes were decided while planning: "applications.alexnet ... on t4" at every point.

    Over 3G, LTE and Wi-Fi, neurosurgeon's energy objective sends AlexNet's layers to the T4 on
    Wi-Fi only; the line on AlexNet on the T4 is now said of the points whose runs computed it there.
    """
    from offloadsim.cli import main
    from offloadsim.point_spans import point_describer, points_named

    base = tmp_path / "neurosurgeon.yaml"
    base.write_text(NEUROSURGEON.read_text().replace("duration: 300 s", "duration: 120 s"))
    (tmp_path / "sweep.yaml").write_text(
        "name: gpu-points\nbase: neurosurgeon.yaml\nreplications: 1\n"
        "zip:\n  links[0].bandwidth: [1.1 Mbps, 5.85 Mbps, 18.88 Mbps]\n"
        "  links[0].latency: [50 ms, 20 ms, 5 ms]\n"
        "grid:\n  policy.objective: [energy]\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    capsys.readouterr()
    tasks = pd.read_parquet(out / "tasks.parquet", columns=["point", "app", "final_node", "status"])
    ran = tasks[
        (tasks["app"] == "alexnet") & (tasks["final_node"] == "server") & (tasks["status"] == "completed")
    ]
    on_t4 = sorted(int(point) for point in ran["point"].unique())
    assert on_t4 and len(on_t4) < 3  # some points ran AlexNet on the T4, not all: the case this checks
    manifest = json.loads((out / "manifest.json").read_text())
    # under the figures: each line naming AlexNet on the T4 is of those points only
    rows = [row for row in manifest["figure_notes"] if GPU in row["note"]]
    named = sorted({p for row in rows if "applications.alexnet" in row["note"] for p in row["points"]})
    assert named == on_t4
    # under the table: said with those points, by their values as the table's rows show them
    (line,) = [note for note in manifest["notes"] if GPU in note and "applications.alexnet" in note]
    described = point_describer(pd.read_csv(out / "summary.csv"), manifest["swept"])
    assert line.endswith(points_named(on_t4, 3, described)) and "(at point" not in line


def test_an_alternative_a_policy_never_served_is_not_said_of_its_runs(tmp_path):
    """``local`` never serves an application's ``alternatives``; its runs' notes named the int8
    MobileNetV2 that only ``model-select`` chooses (its precision's 4x peak ratio on the phones' CPU,
    "(under local and model-select only)"), because the phones computed ResNet-50 there."""
    scenario = tmp_path / "alt.yaml"
    scenario.write_text(SCENARIO)
    run = api.run(str(scenario), policy="local", out=tmp_path / "run")
    assert set(run.tasks["app"]) == {"r50"}
    assert not [line for line in run.notes if "mnv2-int8" in line]
    result = compare(scenario, ["local", "model-select"], 1, workers=1, out=tmp_path / "cmp")
    served = result.tasks.groupby("policy", observed=True)["app"].unique().map(set).to_dict()
    assert served == {"local": {"r50"}, "model-select": {"mnv2-int8"}}
    (precision,) = [line for line in result.notes if line.startswith("precision int8")]
    assert "int8's peak is 4x fp32's on cortex-a76 (under model-select only; " in precision
    (cpu,) = [line for line in result.notes if line.startswith("applications.mnv2-int8 (mobilenet_v2, int8)")]
    assert cpu.endswith("(under model-select only)")
