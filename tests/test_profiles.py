"""Profiles travel: shipped ones resolve anywhere, calibrate output is found by name, errors say where."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.world import build_world
from offloadsim.world.profiles import BUILTIN_PROFILES, SHIPPED_PROFILE_DIR, get_profile, user_profile_dir

REPO = Path(offloadsim.__file__).resolve().parent.parent
QUICKSTART = REPO / "scenarios" / "quickstart.yaml"


def test_a_copied_quickstart_finds_its_shipped_profile(tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    shutil.copy(QUICKSTART, elsewhere / "quickstart.yaml")
    monkeypatch.chdir(tmp_path)  # neither the repository nor the scenario's folder
    assert main(["validate", str(elsewhere / "quickstart.yaml")]) == 0, capsys.readouterr().err
    world = build_world(load_scenario(elsewhere / "quickstart.yaml"))
    edge = world.processors["edge"].costs
    assert edge.kind == "calibrated" and Path(edge.path).parent == SHIPPED_PROFILE_DIR


def test_the_shipped_profiles_are_package_data():
    assert SHIPPED_PROFILE_DIR.is_relative_to(Path(offloadsim.__file__).parent)
    shipped = sorted(p.stem for p in SHIPPED_PROFILE_DIR.glob("*.json"))
    assert shipped and all(get_profile(name).kind == "calibrated" for name in shipped)
    assert not (REPO / "scenarios" / "profiles").exists()  # one copy, inside the package


def test_calibrate_writes_where_a_profile_name_finds_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--backend", "numpy", "--name", "my-cpu"]
    assert main([*argv, "--repeats", "2", "--warmup", "1", "--no-cache", "-q"]) == 0
    out = capsys.readouterr().out
    written = tmp_path / "data" / "offloadsim" / "profiles" / "my-cpu.json"
    assert written.is_file() and written.parent == user_profile_dir()
    assert f"profile: {written}" in out and "processor: {profile: my-cpu}" in out
    scenario = tmp_path / "elsewhere" / "s.yaml"
    scenario.parent.mkdir()
    scenario.write_text(QUICKSTART.read_text().replace("xeon-ort-1t", "my-cpu"))
    assert main(["validate", str(scenario)]) == 0, capsys.readouterr().err
    assert build_world(load_scenario(scenario)).processors["edge"].costs.path == str(written)


def test_an_unknown_profile_lists_every_place_searched(tmp_path, monkeypatch, capsys):
    extra = tmp_path / "extra"
    extra.mkdir()
    monkeypatch.setenv("OFFLOADSIM_PROFILE_PATH", str(extra))
    scenario = tmp_path / "s" / "s.yaml"
    scenario.parent.mkdir()
    scenario.write_text(QUICKSTART.read_text().replace("xeon-ort-1t", "no-such-cpu"))
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'unknown profile "no-such-cpu"' in err[0]
    for place in (
        scenario.parent / "profiles",
        scenario.parent,
        extra,
        user_profile_dir(),
        SHIPPED_PROFILE_DIR,
    ):
        assert str(place) in err[0], place
    with pytest.raises(KeyError, match=r"searched: the built-in derived profiles, .*shipped"):
        get_profile("no-such-cpu")


def test_profiles_lists_every_profile_with_its_numbers(capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    for name in [*BUILTIN_PROFILES, "xeon-ort-1t"]:
        assert any(line.startswith(name + " ") for line in out.splitlines()), name
    a100 = next(line for line in out.splitlines() if line.startswith("a100 "))
    assert "19.5 TFLOP/s" in a100 and "7.8 TFLOP/s" in a100 and "2039 GB/s" in a100 and "400 W" in a100
    assert "fp16 312T" in a100
    assert str(SHIPPED_PROFILE_DIR) in out and str(user_profile_dir()) in out


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
def test_profiles_show_prints_a_derived_profiles_numbers_and_sources(name, capsys):
    assert main(["profiles", "show", name]) == 0
    out = capsys.readouterr().out
    profile = BUILTIN_PROFILES[name]
    assert f"efficiency: {profile.efficiency:.2f}" in out
    assert f"{profile.memory_bandwidth_Bps / 1e9:.4g} GB/s" in out
    for source in profile.sources:
        assert source in out


def test_profiles_show_a_calibrated_profile_says_which_machine(capsys):
    assert main(["profiles", "show", "xeon-ort-1t"]) == 0
    out = capsys.readouterr().out
    assert "measured on: Intel(R) Xeon(R) Processor" in out and "command: offloadsim calibrate" in out
    assert "CPU: " not in out  # calibrated before the fingerprint was recorded


def test_profiles_show_prints_the_cpu_fingerprint_a_calibration_recorded():
    from dataclasses import replace

    from offloadsim.cli.profiles import describe_profile
    from offloadsim.world.profiles.calibrated import load_profile

    shipped = load_profile(SHIPPED_PROFILE_DIR / "xeon-ort-1t.json")
    cpu = {
        "family": 6,
        "model": 85,
        "stepping": 7,
        "logical_cores": 2,
        "caches": {"L2": 2 << 20, "L3": 8 << 20},
    }
    text = describe_profile(replace(shipped, provenance={**shipped.provenance, "cpu": cpu}))
    assert "\nCPU: family 6, model 85, stepping 7; L2 2 MiB, L3 8 MiB; 2 logical cores\n" in text


def test_profiles_show_an_unknown_name_is_a_user_error(capsys):
    assert main(["profiles", "show", "a1000"]) == 2
    err = capsys.readouterr().err
    assert 'did you mean "a100"' in err and "searched:" in err and len(err.strip().splitlines()) == 1


def test_profiles_finds_a_scenarios_own_profiles_as_its_run_does(tmp_path, monkeypatch, capsys):
    """A profile in the scenario's profiles/ folder: the run finds it, so does ``--scenario FILE``."""
    scenario = tmp_path / "study" / "s.yaml"
    (scenario.parent / "profiles").mkdir(parents=True)
    (scenario.parent / "profiles" / "lab-box.json").write_bytes(
        (SHIPPED_PROFILE_DIR / "xeon-ort-1t.json").read_bytes()
    )
    scenario.write_text(QUICKSTART.read_text().replace("xeon-ort-1t", "lab-box"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "study/s.yaml"]) == 0
    capsys.readouterr()
    assert main(["profiles", "show", "lab-box"]) == 2  # not on the search path of no scenario
    err = capsys.readouterr().err
    assert 'unknown profile "lab-box"' in err and err.rstrip().endswith("add --scenario FILE")
    for argv in (
        ["profiles", "show", "lab-box", "--scenario", "study/s.yaml"],
        ["profiles", "--scenario", "study/s.yaml", "show", "lab-box"],
    ):
        assert main(argv) == 0, capsys.readouterr().err
        assert "file: study/profiles/lab-box.json" in capsys.readouterr().out
    assert main(["profiles", "--scenario", "study/s.yaml"]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith("lab-box ") for line in out.splitlines())
    assert str(scenario.parent.absolute() / "profiles") in out.split("searched: ")[1]
    for missing in ("nope.yaml", "study"):
        assert main(["profiles", "show", "lab-box", "--scenario", missing]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(f"offloadsim: error: --scenario {missing}: "), line


@pytest.mark.parametrize("kind", ["a FIFO (named pipe)", "a character device"])
def test_profiles_scenario_that_is_a_fifo_or_a_device_says_what_it_is(kind, tmp_path, capsys, make_no_file):
    """A FIFO or /dev/zero given as --scenario was "no such file"; run and validate say what it is."""
    path = make_no_file(tmp_path / "s.yaml", kind)
    assert main(["profiles", "--scenario", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"offloadsim: error: --scenario {path}: is {kind}, not a regular file"


@pytest.mark.parametrize(
    "module",
    [
        "offloadsim.world.profiles.search",
        "offloadsim.world.profiles.builtin",
        "offloadsim.world.profiles.calibrated",
        "offloadsim.world.profiles.cost_model",
        "offloadsim.world.profiles.fusion",
        "offloadsim.calibration.specs",
        "offloadsim.cli.profiles",
    ],
)
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_docs_show_what_the_profiles_command_prints(capsys):
    from offloadsim.cli.profiles import profiles_table

    text = (REPO / "docs" / "profiles.md").read_text()
    block = text.split("<!-- profiles-table:", 1)[1].split("```\n", 1)[1].split("```", 1)[0]
    assert block.rstrip("\n") == profiles_table()
    shown = text.split("$ offloadsim profiles show t4\n", 1)[1].split("```", 1)[0]
    assert main(["profiles", "show", "t4"]) == 0
    assert capsys.readouterr().out == shown


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(("name", "close"), [("a10", "a100"), ("T4", "t4")])
def test_an_unknown_profile_names_its_key_path_and_the_closest_name(tmp_path, capsys, verb, name, close):
    """The world finds profiles (the scenario does not read them): validate and run refuse an unknown one."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(QUICKSTART.read_text().replace("xeon-ort-1t", name))
    out = tmp_path / "out"
    assert main([verb, str(scenario), *(["--out", str(out)] if verb == "run" else [])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(
        f"offloadsim: error: {scenario}: nodes.edge.processor.profile: "
        f'unknown profile "{name}" (did you mean "{close}"?); known: '
    )
    assert not out.exists()


@pytest.mark.parametrize("verb", ["calibrate report", "profiles show", "scenario"])
@pytest.mark.parametrize("what", ["a directory", "a FIFO (named pipe)", "a character device"])
def test_a_profile_path_that_is_no_file_says_what_it_is_in_every_reader(
    verb, what, tmp_path, capsys, make_no_file
):
    """calibrate report DIR said "Is a directory" (the system's words), and a device or FIFO given to
    profiles show or a scenario was "no such profile file"."""
    path = make_no_file(tmp_path / "p.json", what)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(QUICKSTART.read_text().replace("xeon-ort-1t", str(path)))
    argv = {"scenario": ["validate", str(scenario)]}.get(verb, [*verb.split(), str(path)])
    assert main(argv) == 2
    where = f"{scenario}: nodes.edge.processor.profile: " if verb == "scenario" else ""
    said = f"{path}: is {what}, expected a calibrated profile file (.json or .yaml)"
    assert capsys.readouterr().err.splitlines() == [f"offloadsim: error: {where}{said}"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "samples.csv",
            "samples.csv: not a calibrated profile file: a profile is a .json or .yaml file "
            "written by offloadsim calibrate",
        ),
        ("measured", "measured: is a directory, expected a calibrated profile file (.json or .yaml)"),
    ],
)
def test_a_profile_path_that_is_there_but_no_profile_says_so(tmp_path, capsys, name, message):
    """An existing CSV or folder named as the profile read "unknown profile" and the places searched."""
    (tmp_path / "samples.csv").write_text("time\n1\n")
    (tmp_path / "measured").mkdir()
    scenario = tmp_path / "s.yaml"
    scenario.write_text(QUICKSTART.read_text().replace("xeon-ort-1t", name))
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"offloadsim: error: {scenario}: nodes.edge.processor.profile: {message}"]


@pytest.mark.parametrize("name", ["boxes/edge.json", "edge.yaml"])
def test_a_profile_path_that_is_not_there_names_the_files_looked_for(tmp_path, capsys, name):
    """A missing profile file read "unknown profile 'boxes/edge.json'; known: a100, ...": names no
    path can be, and the folders NAME.json is looked for in, not the files that were."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(QUICKSTART.read_text().replace("xeon-ort-1t", name))
    assert main(["validate", str(scenario)]) == 2
    [err] = capsys.readouterr().err.strip().splitlines()
    assert err.startswith(
        f"offloadsim: error: {scenario}: nodes.edge.processor.profile: no such profile file {name!r} "
        f"(looked for {tmp_path / 'profiles' / name}, {tmp_path / name}, "
    )
    assert "known:" not in err


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
def test_a_derived_profiles_sources_say_where_its_memory_bandwidth_comes_from(name):
    # cortex-a76's 15 GB/s and raspberry-pi-4's 4 GB/s were listed "from data sheets" with no source;
    # LLM decoding runs at exactly this rate, so a reader must be able to see where it comes from.
    profile = BUILTIN_PROFILES[name]
    text = " ".join(profile.sources).replace(",", "")
    bandwidth = profile.memory_bandwidth_Bps
    assert f"{bandwidth / 1e9:g} GB/s" in text or f"{bandwidth / 1e12:g} TB/s" in text, name


def test_the_profiles_table_says_which_memory_bandwidths_no_data_sheet_gives(capsys):
    assert main(["profiles"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line}
    for name, profile in BUILTIN_PROFILES.items():
        assumed = "memory bandwidth" in " ".join(profile.sources) and "assumed" in " ".join(profile.sources)
        assert rows[name].endswith("data sheets (memory assumed)" if assumed else "data sheets"), name
    assert all(rows[name].endswith("(memory assumed)") for name in ("cortex-a76", "raspberry-pi-4"))


def test_profiles_show_says_the_efficiency_is_assumed_and_bytes_run_at_the_full_bandwidth(capsys):
    assert main(["profiles", "show", "jetson-orin"]) == 0
    out = capsys.readouterr().out
    assert "assumed typical fraction" in out and "not a data-sheet figure" in out
    assert "no efficiency applies to bytes" in out


def test_one_unreadable_profile_in_a_searched_folder_is_listed_not_fatal(tmp_path, capsys):
    """'offloadsim profiles --scenario' ended in that file's error (exit 2) and listed nothing."""
    import json

    shutil.copy(REPO / "scenarios" / "quickstart.yaml", tmp_path / "s.yaml")
    shutil.copy(SHIPPED_PROFILE_DIR / "epyc-ort-1t.json", tmp_path / "lab-box.json")
    doc = json.loads((SHIPPED_PROFILE_DIR / "epyc-ort-1t.json").read_text())
    doc["memory_bandwidth_Bps"] = 0
    (tmp_path / "broken.json").write_text(json.dumps(doc))
    assert main(["profiles", "--scenario", str(tmp_path / "s.yaml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split()[1] for line in lines[1:] if line and not line.startswith(" ")}
    assert rows["lab-box"] == "calibrated" and rows["broken"] == "unreadable" and rows["t4"] == "derived"
    why = f"unreadable: {tmp_path / 'broken.json'}: memory_bandwidth_Bps: expected a bandwidth"
    assert any(line.startswith(why) for line in lines), lines


@pytest.mark.parametrize("name", [None, 3])
def test_a_profile_name_that_is_no_text_is_the_documented_key_error(name):
    """get_profile(None) ended in a TypeError from joining it to a folder, not the KeyError it documents."""
    with pytest.raises(
        KeyError,
        match=rf"profile: expected a profile name or a profile file's path, got {type(name).__name__}",
    ):
        get_profile(name)


@pytest.mark.parametrize(
    ("module", "function", "name", "start"),
    [
        ("offloadsim.world.profiles", "get_profile", "a10", 'unknown profile "a10" (did you mean "a100"?)'),
        ("offloadsim.world.profiles", "get_profile", 3, "profile: expected a profile name"),
        ("offloadsim.models.registry", "get_model", "resnet5", 'unknown model "resnet5"'),
        ("offloadsim.scenario.link_models", "link_model", "fifi", 'unknown link model "fifi"'),
        ("offloadsim.engine.work", "get_kind", "cnx", 'unknown kind of work "cnx"'),
        ("offloadsim.engine.processor_models", "get_processor_model", "x", 'unknown processor model "x"'),
    ],
)
def test_lookup_errors_read_as_their_message(module, function, name, start):
    """A name not found is a KeyError (callers catch it so) whose str() is the message as written.

    A plain KeyError's str() is the repr of its message: ``'unknown profile "a10" ...'`` in outer
    quotes, the inner ones escaped where the message holds both kinds.
    """
    import importlib

    with pytest.raises(KeyError) as raised:
        getattr(importlib.import_module(module), function)(name)
    assert str(raised.value).startswith(start)


def test_the_profile_suffixes_are_spelt_once():
    """Only search.py spells the profile suffixes (PROFILE_SUFFIXES): a copy would drift from the lookup.

    calibrate's ``--out`` check and its report's profile, and ``profiles list``'s origin column,
    each spelt the tuple; a suffix added to the lookup would have been refused by ``--out``.
    """
    import re

    package = Path(offloadsim.__file__).parent
    spelt = re.compile(r"""["']\.json["'],\s*["']\.ya?ml["']""")
    copies = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if spelt.search(path.read_text(encoding="utf-8"))
    ]
    assert copies == [str(Path("world/profiles/search.py"))]


def test_a_world_s_lookups_read_as_their_message_too(tmp_path):
    """World.processor and World.layer_seconds of a name it lacks: a KeyError showing its message."""
    from offloadsim.scenario import load_scenario_text

    scenario = load_scenario_text(
        """
name: w
duration: 1 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}}
applications:
  job: {work: 1 GFLOP, input: 1 KB}
workload:
  - {app: job, sources: phone, rate: 1 /s}
policy: local
"""
    )
    world = build_world(scenario)
    with pytest.raises(KeyError) as raised:
        world.processor("phone", "gpu")
    assert str(raised.value) == "node 'phone' has no processor 'gpu'"
    with pytest.raises(KeyError) as raised:
        world.layer_spread("job", "phone")
    assert str(raised.value) == "application 'job' has no layer graph"
