"""The long fuzz campaign (``fuzz_campaign.py``) still runs: three cases, and a replayed case is the same."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("fuzz_campaign.py")


def _campaign():
    spec = importlib.util.spec_from_file_location("fuzz_campaign", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow(reason="runs every shipped scenario, then three cases as processes: about a minute")
def test_three_campaign_cases_run_clean_and_replay_alike(tmp_path: Path, capsys):
    campaign = _campaign()
    assert campaign.main(["--seed", "1", "--cases", "3", "--work", str(tmp_path / "a")]) == 0
    assert "done: 3 cases (seed 1), 0 with findings" in capsys.readouterr().out
    bases = campaign.base._base_documents(tmp_path)
    cases = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        cases.append(campaign.make_case(1, 2, bases, tmp_path / name))
    first, again = cases
    assert first["mutations"] == again["mutations"] and first["sets"] == again["sets"]
    assert first["path"].read_bytes() == again["path"].read_bytes()
