"""Every figure script in analysis/ runs end to end (slow: use --runslow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p for p in (ROOT / "analysis").glob("*.py") if not p.name.startswith("_"))


def test_every_gallery_figure_has_a_script():
    gallery = (ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
    for script in SCRIPTS:
        assert f"python analysis/{script.name}" in gallery
        assert f"figures/{script.stem}.png" in gallery
        assert (ROOT / "docs" / "figures" / f"{script.stem}.png").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_rebuilds_its_figure(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    subprocess.run(
        [
            sys.executable,
            str(script),
            "--quick",
            "--workers",
            "2",
            "--out",
            str(tmp_path),
            "--results",
            str(tmp_path / "runs"),
        ],
        check=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert (tmp_path / f"{script.stem}.png").stat().st_size > 10_000
    assert (tmp_path / f"{script.stem}.pdf").is_file()
