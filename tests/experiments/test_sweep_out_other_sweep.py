"""A sweep into a folder holding another sweep moves it aside, as run and compare do; its own it resumes.

The instructor trial reused ``--out`` for a different sweep: the new tables were written beside
the old sweep's figures, with no word.  A folder whose manifest names another sweep is now kept as
``NAME.old-N``, said in a note; a folder of the same sweep (an added grid value) still resumes.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli import main

QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"


def _sweep_file(folder: Path, name: str, bandwidths: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nbase: {QUICKSTART}\nset: {{duration: 5 s, warmup: 0 s}}\n"
        f"grid:\n  links[0].bandwidth: [{bandwidths}]\npolicies: [edge]\n",
        encoding="utf-8",
    )
    return path


def _sweep(path: Path, out: Path, capsys) -> str:
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_another_sweeps_folder_is_moved_aside_with_a_note_and_its_own_resumes(tmp_path, capsys):
    out = tmp_path / "sw"
    first = _sweep_file(tmp_path, "sa", "5 Mbps")
    _sweep(first, out, capsys)
    (out / "old-figure.png").write_bytes(b"not the new sweep's")
    said = _sweep(_sweep_file(tmp_path, "sa", "5 Mbps, 20 Mbps"), out, capsys)  # the same sweep, grown
    assert "2 jobs: 1 run, 1 reused" in said and not (tmp_path / "sw.old-1").exists()
    said = _sweep(_sweep_file(tmp_path, "sb", "50 Mbps"), out, capsys)
    assert (
        f"offloadsim: note: {out} held a result that is not this sweep's; it was moved to {out}.old-1" in said
    )
    assert (tmp_path / "sw.old-1" / "old-figure.png").exists() and not (out / "old-figure.png").exists()
    assert "1 jobs: 1 run, 0 reused" in said
