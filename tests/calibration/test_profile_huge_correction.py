"""A calibrated profile with a huge layout correction is read and judged without an internal error.

``layout_correction.s_per_byte: 1e300`` (finite, non-negative: the reader takes it) made the units'
time in :func:`~offloadsim.world.profiles.trust.layout_extrapolated` cancel to 0 s, and ``validate``
of a scenario naming the profile died of a ZeroDivisionError (exit 1).
"""

import json
from pathlib import Path

from offloadsim.cli import main

SHIPPED = (
    Path(__file__).resolve().parents[2] / "offloadsim" / "world" / "profiles" / "data" / "epyc-ort-1t.json"
)

SCENARIO = """\
name: huge-correction
duration: 1 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76}}
  edge: {tier: edge, processor: {profile: huge}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  classify: {model: mobilenet_v2, input: 150 KB, output: 4 KB}
workload:
  - {app: classify, sources: phone, arrivals: poisson, rate: 1 /s}
policy: {name: edge}
"""


def test_a_huge_layout_correction_is_no_internal_error(tmp_path, capsys):
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    doc["name"] = "huge"
    doc["layout_correction"]["s_per_byte"] = 1e300
    (tmp_path / "huge.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    assert main(["validate", str(tmp_path / "s.yaml")]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("ok:"), out
    assert "internal error" not in out.err
