"""The package reads well by the tools' measure: ruff and mypy stay clean (pyproject.toml's settings).

mypy runs over the whole package (``[tool.mypy] packages``), as a merge of two branches can leave a
type error neither branch had, which no other test sees until the compiled build (``.ci/compiled``)
refuses it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    exe = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(exe).exists():
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return exe


@pytest.mark.parametrize("check", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_is_clean(check):
    command = [_tool("ruff"), *check, "."]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_mypy_is_clean(tmp_path):
    command = [_tool("mypy"), "--cache-dir", str(tmp_path / "cache")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout
