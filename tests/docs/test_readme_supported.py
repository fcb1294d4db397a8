"""README says where offloadsim runs: the Python floor pyproject requires, and what is known per platform.

The instructor trial's students, on their own laptops, found nothing in the README on Python
versions or platforms; the floor stated must be the one ``pip`` enforces.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _supported() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^\*\*Supported:\*\*(.*?)(?:\n\n)", text, re.M | re.S)
    assert match is not None, "README.md has no '**Supported:**' paragraph"
    return " ".join(match[1].split())


def test_the_supported_paragraph_states_pyprojects_python_floor_and_each_platform():
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert re.fullmatch(r">=\s*3\.\d+", floor)
    said = _supported()
    version = floor.lstrip(">= ")
    assert f"Python {version} or newer" in said and f'`requires-python = "{floor}"`' in said
    for platform in ("Linux", "macOS", "Windows"):
        assert platform in said
    assert "--policy-timeout" in said  # docs/cli.md: it does nothing on Windows
