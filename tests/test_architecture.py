"""The one-way data flow, checked: import-linter contracts from pyproject.toml."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(exe).exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize("verb", ["run", "validate"])
def test_run_and_validate_never_import_calibration_nor_pandas(verb, tmp_path):
    # The CLI's parser lists the calibrate verb, so import-linter cannot see this; check it where it runs.
    # quickstart uses a calibrated profile (xeon-ort-1t), read by the world's own code.
    # pandas is a third of a short run's start-up: the summary and the Parquet files do without it.
    args = ["run", "scenarios/quickstart.yaml", "--out", str(tmp_path / "out"), "--quiet"]
    argv = args if verb == "run" else ["validate", "scenarios/quickstart.yaml"]
    code = (
        "import sys\n"
        "from offloadsim.cli import main\n"
        f"status = main({argv!r})\n"
        "unwanted = ('offloadsim.calibration', 'pandas')\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith(unwanted)))\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "LOADED []" in result.stdout, result.stdout[-2000:]
