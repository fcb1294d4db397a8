"""``unreached-devices``: a ``mobility`` device no access point ever reaches is warned of before the run.

Such a device is cut off all run, so what it offloads fails; an access point placed in km where
m were meant, or a trace in another frame, ran that way without a word.
"""

from __future__ import annotations

from offloadsim.cli import main

BASE = """
name: reach
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {count: 2, tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone-*, ap-*], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [ap-*, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {work: 1 GFLOP, input: 100 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 1 /s}
policy: edge
dynamics:
  - kind: mobility
    devices: phone-*
    access_points:
      - {node: ap-0, position: [0 m, 0 m], radius: 60 m}
      - {node: ap-1, position: [100 m, UNIT], radius: 60 m}
    MOTION
    update: 1 s
"""

# phone-0 walks from 10 m to 90 m along y = 0: in reach.  phone-1 walks along y = 200 m, and only
# at 30 s, after the run's end at 20 s, reaches ap-1's disc.
WALKS = (
    "time,node,x,y\n0,phone-0,10,0\n8,phone-0,90,0\n0,phone-1,0,200\n10,phone-1,200,200\n30,phone-1,100,0\n"
)


def _validate(tmp_path, capsys, motion: str, walks: str = WALKS, unit: str = "0 m") -> tuple[int, list[str]]:
    (tmp_path / "walk.csv").write_text(walks, encoding="utf-8")
    path = tmp_path / "reach.yaml"
    path.write_text(BASE.replace("MOTION", motion).replace("UNIT", unit), encoding="utf-8")
    code = main(["validate", str(path)])
    return code, [line for line in capsys.readouterr().err.splitlines() if "[unreached-devices]" in line]


def test_a_traced_device_never_in_reach_is_named(tmp_path, capsys):
    code, lines = _validate(tmp_path, capsys, "file: walk.csv")
    assert code == 0
    assert lines == [
        f'offloadsim: warning: {tmp_path / "reach.yaml"}: dynamics[0].devices: "phone-1" is never within '
        "reach of an access point in the run (no access_points[].position and radius covers where it "
        "moves): cut off all run, whatever it offloads fails [unreached-devices]"
    ]


def test_a_path_crossing_a_disc_between_rows_is_in_reach(tmp_path, capsys):
    # phone-1 from (0, 100) to (200, 100): both rows 100 m from ap-1 at (100, 50), the line 50 m.
    walks = "time,node,x,y\n0,phone-0,10,0\n8,phone-0,90,0\n0,phone-1,0,100\n10,phone-1,200,100\n"
    assert _validate(tmp_path, capsys, "file: walk.csv", walks, unit="50 m") == (0, [])


def test_random_waypoint_in_an_area_a_disc_meets_is_in_reach(tmp_path, capsys):
    # ap-1 at (100 m, 1 km) is far off, but ap-0's disc at the origin meets the area.
    motion = "random_waypoint: {area: [200 m, 20 m], speed: [1 m/s, 2 m/s], pause: 1 s}"
    assert _validate(tmp_path, capsys, motion, unit="1 km") == (0, [])


def test_random_waypoint_with_every_disc_off_the_area_names_every_device(tmp_path, capsys):
    motion = "random_waypoint: {area: [200 m, 20 m], speed: [1 m/s, 2 m/s], pause: 1 s}"
    text = BASE.replace("[0 m, 0 m], radius: 60 m", "[5 km, 0 m], radius: 60 m")
    path = tmp_path / "reach.yaml"
    path.write_text(text.replace("MOTION", motion).replace("UNIT", "1 km"), encoding="utf-8")
    assert main(["run", str(path), "--set", "duration=2 s", "--out", str(tmp_path / "out"), "-q"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "[unreached-devices]" in line]
    assert len(lines) == 1
    assert 'dynamics[0].devices: 2 devices ("phone-0", "phone-1") are never within reach' in lines[0]
