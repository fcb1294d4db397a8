"""The long fuzz campaign (``fuzz_campaign.py``) still runs: three cases, and a replayed case is the same."""

from __future__ import annotations

import copy
import importlib.util
import random
from pathlib import Path

import pytest

from offloadsim.policies.registry import clear_policy_cache
from offloadsim.scenario import load_scenario
from offloadsim.world import WorldError, build_world

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


def test_valid_share_cases_validate_and_leave_the_default_cases_alone(tmp_path: Path, monkeypatch, request):
    """``--valid-share``'s cases reach the engine; every other case is still the default's mutant."""
    campaign = _campaign()
    bases = campaign.base._base_documents(tmp_path)
    campaign.features.install_plugins(tmp_path / "site")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))  # the plug-in policies the cases may name
    clear_policy_cache()  # the base documents' runs looked them up before they were there
    request.addfinalizer(clear_policy_cache)  # and the tests after this one must not find them
    refusals: list[str] = []
    for index in range(60):
        folder = tmp_path / f"valid-{index}"
        folder.mkdir()
        case = campaign.make_valid_case(7, index, bases, folder)
        code, _, err = campaign.base._cli(["validate", str(case["path"])])
        if code != 0:
            refusals.append(err)
    assert len(refusals) <= 6, f"{len(refusals)} of 60 valid-value cases refused: {refusals[:3]}"
    drawn = 0
    for index in range(40):
        (tmp_path / f"d{index}").mkdir()
        (tmp_path / f"m{index}").mkdir()
        case = campaign.draw_case(7, index, bases, tmp_path / f"d{index}", 0.5)
        if case["mutations"][:1] == ["valid values"]:
            drawn += 1
            continue
        default = campaign.make_case(7, index, bases, tmp_path / f"m{index}")
        assert case["mutations"] == default["mutations"] and case["extra"] == default["extra"]
        assert case["path"].read_bytes() == default["path"].read_bytes()
    assert 10 <= drawn <= 30  # about half of 40
    # A documented finding replays as it did: seed 2's case 49 nests a list past the limit.
    (tmp_path / "doc").mkdir()
    assert "raw deep" in campaign.draw_case(2, 49, bases, tmp_path / "doc", 0.0)["mutations"]


def test_valid_dynamics_never_hold_two_entries_setting_one_rate(tmp_path: Path):
    """Two entries setting one link's rate, or moving one device, are refused (world/dynamics/rates.py).

    No valid case has them.  Three valid entries drawn onto each of 100 documents, each kept or
    dropped as the cases draw them: before, a walk on the uplink of a base's link-trace, two
    radios, ... were refused, and two mobility entries on one device group.
    """
    campaign = _campaign()
    bases = campaign.base._base_documents(tmp_path)
    refused = []
    for index in range(100):
        rng = random.Random(index)
        document = copy.deepcopy(rng.choice(bases))
        for _ in range(3):
            campaign.features.valid_dynamics(document, rng)
        path = campaign.base._write(document, tmp_path / f"case-{index}.yaml")
        try:
            build_world(load_scenario(path))
        except WorldError as error:
            if "also sets" in str(error) or "also moves" in str(error):
                refused.append(str(error))
    assert not refused, f"{len(refused)} of 100 refused: {refused[:2]}"


def test_case_memory_bounds_each_command(tmp_path: Path):
    """``--case-memory`` reaches the command: too small a bound and offloadsim cannot start."""
    campaign = _campaign()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    assert campaign._command(["--version"], 60, env)[0] == 0
    code, err = campaign._command(["--version"], 60, {**env, campaign.MEMORY_VARIABLE: "0.01"})
    assert code != 0 and campaign.MEMORY_VARIABLE not in err
