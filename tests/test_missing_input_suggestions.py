"""A missing input file or directory suggests a near name beside it, as a missing scenario file does.

A scenario's CSV (a ``link-trace``, a workload's arrival trace), its ONNX model and its profile
file, and outside a scenario an ONNX model, a calibrated profile and a plot's results directory:
each said "no such file" and nothing more, where ``offloadsim run quickstar.yaml`` asks
``did you mean "quickstart.yaml"?``.  One helper suggests for all of them
(:func:`offloadsim.suggest.did_you_mean_file`), with the name as it was given (the scenario's key's
value, pasteable back), looked for where the reader looked.  Still one line, exit 2.
"""

from __future__ import annotations

import pytest
import yaml

from offloadsim.cli import main

#: (what is missing, the scenario's change, the file beside it, key path, as given, suggested)
IN_A_SCENARIO = [
    (
        "link-trace",
        {"dynamics": [{"kind": "link-trace", "link": ["phone", "edge"], "file": "traces/rates.csv"}]},
        "traces/rate.csv",
        "dynamics[0].file",
        "traces/rates.csv",
        "traces/rate.csv",
    ),
    (
        "arrival trace",
        {"workload": [{"app": "job", "sources": "phone", "arrivals": "trace", "trace": "arrival.csv"}]},
        "arrivals.csv",
        "workload[0].trace",
        "arrival.csv",
        "arrivals.csv",
    ),
    (
        "onnx",
        {"applications": {"job": {"onnx": "models/nett.onnx", "input": "10 KB"}}},
        "models/net.onnx",
        "applications.job.onnx",
        "models/nett.onnx",
        "models/net.onnx",
    ),
    (
        "profile file",
        {
            "nodes": {
                "phone": {"tier": "device"},
                "edge": {"tier": "edge", "processor": {"profile": "boxes/edg.json"}},
            }
        },
        "boxes/edge.json",
        "nodes.edge.processor.profile",
        "boxes/edg.json",
        "boxes/edge.json",
    ),
]


@pytest.mark.parametrize(
    ("change", "beside", "key", "given", "near"),
    [case[1:] for case in IN_A_SCENARIO],
    ids=[c[0] for c in IN_A_SCENARIO],
)
@pytest.mark.parametrize("verb", ["validate", "run"])
def test_a_missing_file_a_scenario_names_suggests_the_near_name_beside_it(
    tmp_path, capsys, tiny_scenario_text, verb, change, beside, key, given, near
):
    document = yaml.safe_load(tiny_scenario_text) | change
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(document), encoding="utf-8")
    (tmp_path / beside).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / beside).write_text("time,bandwidth\n0,5000000\n", encoding="utf-8")
    out = ["--out", str(tmp_path / "out")] if verb == "run" else []
    assert main([verb, str(scenario), *out]) == 2
    said = capsys.readouterr()
    [line] = said.err.splitlines()
    assert line.startswith(f"offloadsim: error: {scenario}: {key}: "), line
    assert given in line and line.endswith(f'(did you mean "{near}"?)'), line
    assert not (tmp_path / "out").exists()


def test_a_missing_file_with_no_near_name_suggests_nothing(tmp_path, capsys, tiny_scenario_text):
    document = yaml.safe_load(tiny_scenario_text) | IN_A_SCENARIO[0][1]
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "positions.csv").write_text("")
    assert main(["validate", str(tmp_path / "s.yaml")]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith(f"traces/rates.csv: no such file (looked for {tmp_path / 'traces' / 'rates.csv'})")


@pytest.mark.parametrize(
    ("argv", "make", "said"),
    [
        (["plot", "{folder}/result"], "results/", '"{folder}/results"'),  # a directory: only directories
        (["models", "show", "{folder}/vgg.onnx"], "vgg16.onnx", '"{folder}/vgg16.onnx"'),
        (["calibrate", "--onnx", "{folder}/vgg.onnx"], "vgg16.onnx", '"{folder}/vgg16.onnx"'),
        (
            ["calibrate", "report", "{folder}/edge-box.jsn"],
            "edge-box.json",
            '"{folder}/edge-box.json"',
        ),  # looked up as a profile
        (
            ["calibrate", "report", "{folder}/edge-bx.json"],
            "edge-box.json",
            '"{folder}/edge-box.json"',
        ),  # .json: read as the file
        (
            ["profiles", "--scenario", "{folder}/quickstar.yaml"],
            "quickstart.yaml",
            '"{folder}/quickstart.yaml"',
        ),
    ],
)
def test_a_missing_input_outside_a_scenario_suggests_the_near_name(tmp_path, capsys, argv, make, said):
    if make.endswith("/"):
        (tmp_path / make).mkdir()
        (tmp_path / "result.txt").write_text("")  # a file is no results directory to suggest
    else:
        (tmp_path / make).write_text("")
    assert main([part.format(folder=tmp_path) for part in argv]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("offloadsim: error: ")
    assert f"(did you mean {said.format(folder=tmp_path)}?)" in line, line
