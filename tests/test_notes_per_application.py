"""A run's note on an application's layers on a processor is said only where that application ran there.

The quickstart with a second application kept on the phones (``hosts``): ``neurosurgeon`` sends
every ResNet-50 request to the edge, the phones compute AlexNet only, and the CPU line still said
"applications.classify (resnet50, fp32) on cortex-a76": the phones computed, so any application
that might have run there was named.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim import api

QUICKSTART = Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml"
SAID = "a built-in CPU profile runs each layer"


def test_the_cpu_line_names_only_the_application_the_phones_ran(tmp_path):
    text = QUICKSTART.read_text().replace(
        "workload:",
        "  small:\n    model: alexnet\n    input: 150 KB\n    output: 4 KB\n"
        "    hosts: [phone-*]\n\nworkload:",
    )
    small = "  - {app: small, sources: phone-*, arrivals: poisson, rate: 0.2 /s}\n"
    scenario = tmp_path / "two.yaml"
    scenario.write_text(text.replace("rate: 1 /s}\n", "rate: 1 /s}\n" + small))
    result = api.run(str(scenario), overrides=["duration=10 s", "warmup=0 s"], out=tmp_path / "run")
    placed = result.tasks[result.tasks["app"] == "classify"]["placement"]
    assert len(placed) and set(placed) == {"edge"}  # no ResNet-50 layer on a phone
    (note,) = [line for line in result.notes if SAID in line]
    assert note.startswith("applications.small (alexnet, fp32) on cortex-a76 (1 core): ")
    assert "applications.classify" not in note
