"""An entry that sets the rate of a link whose rate a ``mobility`` entry's radio sets: refused, naming both.

Before, both ran: the radio re-rated the link at each sample where the device's distance moved,
the other entry at its own times, and the rate in force was whichever changed it last (a random
walk's while the device paused, the radio's a second later), a model of neither, exit 0.
Without ``radio`` mobility sets no rate, and another entry drives the link's rate as before.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main

SCENARIO = """\
name: mobility-rates
duration: 20 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {count: 2, tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, ap-*], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [ap-*, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {work: 1 GFLOP, input: 500 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, rate: 2 /s}
policy: edge
dynamics:
  - kind: mobility
    devices: phone
    access_points:
      - {node: ap-0, position: [100 m, 100 m], radius: 150 m}
      - {node: ap-1, position: [350 m, 100 m], radius: 150 m}
    file: walk.csv
    update: 1 s
RADIO
  - OTHER
"""

RADIO = (
    "    radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm, exponent: 3, "
    "reference_loss: 40 dB}"
)

#: Entries that set the rate of the link phone-ap-0 (the radio sets it both ways).
RATES = {
    "random-walk": "{kind: random-walk, link: [phone, ap-0], every: 1.5 s, step: 5 Mbps, min: 5 Mbps, "
    "max: 50 Mbps, start: 20 Mbps}",
    "link-trace": "{kind: link-trace, link: [ap-0, phone], file: rate.csv}",  # B→A: the downlink
    "gilbert-elliott": "{kind: gilbert-elliott, link: [phone, ap-0], good: {bandwidth: 20 Mbps, mean: 5 s}, "
    "bad: {bandwidth: 2 Mbps, mean: 1 s}}",
    "link-schedule": "{kind: link-schedule, link: [phone, ap-0], steps: [{at: 5 s, up: false}, "
    "{at: 8 s, reverse_bandwidth: 1 Mbps}]}",
}


def _write(tmp_path, other, radio=True):
    (tmp_path / "walk.csv").write_text("time,node,x,y\n0,phone,100,100\n4,phone,100,100\n12,phone,300,100\n")
    (tmp_path / "rate.csv").write_text("time,bandwidth\n0,10 Mbps\n3,30 Mbps\n")
    (tmp_path / "latency.csv").write_text("time,latency\n0,5 ms\n3,8 ms\n")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("RADIO\n", RADIO + "\n" if radio else "").replace("OTHER", other))
    return path


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize("kind", list(RATES))
def test_an_entry_setting_a_rate_the_radio_sets_is_refused_naming_both_entries(tmp_path, capsys, verb, kind):
    path = _write(tmp_path, RATES[kind])
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    direction = "ap-0→phone" if kind in ("link-trace", "link-schedule") else "phone→ap-0"
    assert line == (
        f"offloadsim: error: {path}: dynamics[1].link: sets the rate of {direction}, which "
        "dynamics[0].radio (mobility) also sets, from the device's distance at each sample: the rate in "
        "force would be whichever of the two changed it last; let one entry set it (leave out "
        "dynamics[0].radio, or this entry)"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("other", "radio"),
    [
        (RATES["random-walk"], False),  # no radio: the walk drives the rate, mobility which link is up
        (RATES["link-trace"], False),
        ("{kind: link-trace, link: [phone, ap-0], file: latency.csv}", True),  # a latency only
        ("{kind: link-schedule, link: [phone, ap-0], steps: [{at: 5 s, up: false}]}", True),
        (RATES["random-walk"].replace("[phone, ap-0]", "[ap-0, edge]"), True),  # no radio link
    ],
)
def test_an_entry_setting_what_the_radio_leaves_alone_runs(tmp_path, capsys, other, radio):
    path = _write(tmp_path, other, radio)
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0


def test_the_line_is_said_at_the_other_entry_whichever_comes_first(tmp_path, capsys):
    path = _write(tmp_path, RATES["random-walk"])
    text = path.read_text()
    mobility = text[text.index("  - kind: mobility") : text.index("  - {kind: random-walk")]
    walk = text[text.index("  - {kind: random-walk") :]
    path.write_text(text.replace(mobility + walk, walk + mobility))
    assert main(["validate", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{path}: dynamics[0].link: sets the rate of phone→ap-0, which dynamics[1].radio " in line, line


def test_the_set_that_put_the_entry_on_the_radio_link_is_named(tmp_path, capsys):
    path = _write(tmp_path, RATES["random-walk"].replace("[phone, ap-0]", "[ap-0, edge]"))
    given = "dynamics[1].link=[phone, ap-0]"
    assert main(["validate", str(path), "--set", given]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: {path}: dynamics[1].link: sets the rate of phone→ap-0"), line
    assert line.endswith(f'(set by --set "{given}")'), line
