"""A dynamics entry whose changes would not fit in memory is refused before the run, at its key.

The trial (HM46): four links following a day's 10 ms LTE trace make 34.6 million changes, each kept
until the run ends (link_changes and the links' time-weighted means): 3.8 GB at a quarter of the
day, memory growing with simulated time where nothing counted it, so a run on a smaller machine
would have found out by running out of memory hours in.
"""

from __future__ import annotations

from test_dynamics import BASE

from offloadsim.cli import main
from offloadsim.scenario import refusal as refusal_module
from offloadsim.scenario.size import CHANGE_BYTES

#: 100 rows 10 ms apart, looped: 100 changes a second on one link direction.
ROWS = "time,bandwidth\n" + "".join(f"{t / 100:g},{4 + t % 3} Mbps\n" for t in range(100))


def _validate(tmp_path, capsys, duration: str) -> tuple[int, str]:
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    (tmp_path / "rate.csv").write_text(ROWS)
    dynamics = "dynamics:\n  - {kind: link-trace, link: [phone, edge], file: rate.csv, loop: true}\n"
    (tmp_path / "s.yaml").write_text(BASE.replace("duration: 10 s", f"duration: {duration}") + dynamics)
    code = main(["validate", str(tmp_path / "s.yaml")])
    return code, capsys.readouterr().err


def test_changes_that_would_not_fit_in_memory_are_refused_at_the_entry(tmp_path, capsys, monkeypatch):
    # 10^5 s at 100 changes a second: 10^7 changes, 3 GB, beside 1 GB available.
    monkeypatch.setattr(refusal_module, "available_bytes", lambda: 10**9)
    code, err = _validate(tmp_path, capsys, "100000 s")
    assert code == 2
    assert err.startswith(
        f"offloadsim: error: {tmp_path / 's.yaml'}: dynamics[0].file: changes the world about "
    )
    assert (
        f"each kept in memory until the run ends (the link_changes table and the links' time-weighted "
        f"means, about {CHANGE_BYTES} bytes a change): a run of this scenario needs about 3" in err
    )
    assert "but only 1 GB is available" in err and len(err.splitlines()) == 1


def test_changes_that_fit_are_not_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(refusal_module, "available_bytes", lambda: 10**9)
    code, err = _validate(tmp_path, capsys, "1000 s")  # 10^5 changes, 30 MB
    assert code == 0, err
