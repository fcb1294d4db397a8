"""``validate --show`` prints a scenario file: saved and run, it gives the same world and records.

It printed an internal dump (``processor.path``, ``more_processors``,
``index``, ``base_dir``, ...) that the scenario format refuses.  Each case here
is shown shortened, the printed document saved in another folder, validated
(ok, with the same warnings) and run: every records digest equals the
original's, with the same shortening.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_record_digests import CASES, run_digests

from offloadsim.calibration.profile import save_profile
from offloadsim.cli.calibrate import _how_to_use
from offloadsim.cli.main import main
from offloadsim.scenario.arrivals import (
    ArrivalProcess,
    ArrivalRun,
    register_arrival_process,
    unregister_arrival_process,
)
from offloadsim.scenario.arrivals.base import ArrivalContext
from offloadsim.scenario.errors import yaml_text
from offloadsim.scenario.keys import key
from offloadsim.scenario.overrides import parse_assignment
from offloadsim.strict_yaml import StrictLoader, dump_yaml, read_yaml
from offloadsim.testbed import scenario as testbed_scenario
from offloadsim.testbed.experiment import _write_yaml
from offloadsim.world.profiles.calibrated import CalibratedProfile, load_profile

ROOT = Path(__file__).resolve().parents[1]

# A node with several processors (a plan on its second), a codec, an empirical CSV, a trace and a
# calibrated profile beside the file, a periodic workload and recovery: what the shipped scenarios
# do not all have.
_EXTRA = """
name: several
duration: 20 s
warmup: 2 s
nodes:
  phone: {count: 3, tier: device, processor: {speed: 20 GFLOP/s}, power: {idle: 0.5 W, busy: 2 W}}
  edge:
    tier: edge
    processors:
      cpu: {speed: 200 GFLOP/s, cores: 2}
      gpu: {profile: t4, queue_limit: 50}
  lab: {tier: cloud, processor: {profile: mine}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms, reverse_bandwidth: 20 Mbps}
  - {between: [edge, lab], bandwidth: 1 Gbps}
applications:
  classify: {model: resnet18, input: 150 KB, output: 4 KB, compression: int8}
  job: {work: {empirical: samples.csv}, input: {uniform: [10 KB, 20 KB]}, output: 1 KB}
workload:
  - {app: classify, sources: phone, arrivals: periodic, period: 300 ms, jitter: 10 ms}
  - {app: job, sources: [phone-0, phone-2], rate: 2 /s, start: 1 s}
  - {app: job, sources: phone-1, arrivals: trace, trace: times.csv}
policy: {name: fixed, nodes: [$source, edge], processors: [cpu, gpu], cuts: [5]}
recovery: {timeout: 2 s, retries: 1, fallback: local}
skip_checks: [lone-arrivals]
"""


def _shown(capsys, path: Path, overrides: tuple[str, ...]) -> tuple[str, str]:
    """The document ``validate --show`` prints, and its warnings."""
    argv = ["validate", str(path), "--show", *(a for o in overrides for a in ("--set", o))]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    document = captured.out.split("\n---\n", 1)[1].split("\n...\n", 1)[0]
    return document, captured.err


def _round_trip(capsys, tmp_path: Path, path: Path, overrides: tuple[str, ...]) -> None:
    document, warned = _shown(capsys, path, overrides)
    data = yaml.safe_load(document)
    assert "base_dir" not in data and "document" not in data
    saved = tmp_path / "elsewhere" / "resolved.yaml"
    saved.parent.mkdir()
    saved.write_text(document, encoding="utf-8")
    code = main(["validate", str(saved)])
    captured = capsys.readouterr()
    assert code == 0 and captured.out.startswith("ok: "), captured.err
    assert captured.err.replace(str(saved), "FILE") == warned.replace(str(path), "FILE")
    again, _ = _shown(capsys, saved, ())
    assert again == document  # resolved once, it stays as it is
    before = run_digests(path, overrides, tmp_path / "before")
    after = run_digests(saved, (), tmp_path / "after")
    assert after == before


# The digest cases (every shipped scenario, and two benchmarks), and the mobility benchmark: its
# dynamics name a group of nodes, which a copy must keep (12 s: its trace's first change is at 10 s,
# and a run that ends before it is warned of, late-dynamics).
_SHIPPED = {
    **CASES,
    "bench-mobility": (ROOT / "benchmarks" / "scenarios" / "mobility.yaml", ("duration=12 s",)),
}


@pytest.mark.parametrize("name", sorted(_SHIPPED))
def test_every_shipped_scenario_round_trips(name, capsys, tmp_path):
    path, overrides = _SHIPPED[name]
    _round_trip(capsys, tmp_path, path, overrides)


def test_several_processors_codecs_samples_and_recovery_round_trip(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "here"
    folder.mkdir()
    (folder / "samples.csv").write_text("work\n1 GFLOP\n2 GFLOP\n500 MFLOP\n", encoding="utf-8")
    (folder / "times.csv").write_text("time\n3.5\n4\n9 s\n", encoding="utf-8")
    (folder / "profiles").mkdir()
    shipped = ROOT / "offloadsim" / "world" / "profiles" / "data" / "xeon-ort-1t.json"
    (folder / "profiles" / "mine.json").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / "several.yaml"
    path.write_text(_EXTRA, encoding="utf-8")
    assert main(["validate", str(path), "--show"]) == 0
    shown = capsys.readouterr().out
    data = yaml.safe_load(shown.split("\n---\n", 1)[1].split("\n...\n", 1)[0])
    assert data["nodes"]["edge"]["processors"]["gpu"]["queue_limit"] == 50
    assert data["applications"]["job"]["stages"][0]["work"] == {
        "empirical": ["1000000000.0 FLOP", "2000000000.0 FLOP", "500000000.0 FLOP"]
    }
    assert data["workload"][0]["sources"] == ["phone-0", "phone-1", "phone-2"]
    # Named as written (the records name it so), with a line saying how a copy elsewhere finds it.
    assert data["nodes"]["lab"]["processor"]["profile"] == "mine"
    profiles = (folder / "profiles").resolve()
    found = f"# nodes.lab.processor.profile: found as {profiles / 'mine.json'}; saved elsewhere,"
    assert f"{found} it is found with OFFLOADSIM_PROFILE_PATH={profiles}\n" in shown
    monkeypatch.setenv("OFFLOADSIM_PROFILE_PATH", str(profiles))
    assert data["workload"][2]["trace"] == str((folder / "times.csv").resolve())
    _round_trip(capsys, tmp_path, path, ())


def test_text_that_reads_as_a_number_is_shown_quoted(capsys, tmp_path):
    """A description "1e9", an application named "5e3", were printed bare (text to YAML 1.1's dumper):
    saved, the file's strict reader (YAML 1.2's floats) read numbers there, and refused them."""
    text = (ROOT / "scenarios" / "quickstart.yaml").read_text(encoding="utf-8")
    text = text.replace("\ndescription: ", '\ndescription: "1e9"  #', 1).replace("classify", '"5e3"')
    path = tmp_path / "numbers.yaml"
    path.write_text(text, encoding="utf-8")
    document, _ = _shown(capsys, path, ("duration=5 s",))
    assert "description: '1e9'\n" in document and "'5e3':\n" in document
    _round_trip(capsys, tmp_path, path, ("duration=5 s",))


def test_the_show_keys_are_the_formats(capsys, tmp_path):
    """No key the format refuses: what the dump printed (path, more_processors, index, speed_flops)."""
    document, _ = _shown(capsys, ROOT / "scenarios" / "quickstart.yaml", ())
    for internal in ("path:", "more_processors", "index:", "base_dir", "_bps", "_flops", "_s:", "group:"):
        assert internal not in document


class _Pattern:
    """What a plug-in's process makes of its key: an object of its own, no scenario value."""

    def __init__(self, gaps: tuple[float, ...]):
        self.gaps = gaps


@dataclass(frozen=True, slots=True)
class _Cycle(ArrivalProcess):
    """``arrivals: cycle, gaps: "1 2 3"``: gaps in seconds, in turn (resolving parses them)."""

    kind = "cycle"

    gaps: Any = key(doc="Cycle: gaps in seconds, separated by spaces.", schema_type=str)
    every: float = key(1.0, unit="time", doc="Cycle: a scale of the gaps.")

    def resolve(self, context: ArrivalContext) -> _Cycle:
        return replace(self, gaps=_Pattern(tuple(float(g) for g in str(self.gaps).split())))

    def start(self, run: ArrivalRun) -> None:
        gaps, at = self.gaps.gaps, [0]

        def gap() -> float:
            at[0] += 1
            return gaps[at[0] % len(gaps)] * self.every

        run.chain(gap, run.start)


_PLUGGED = """
name: plugged
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone-*, arrivals: cycle, gaps: "0.5 1.5 0.25", every: 2 s}
"""


@pytest.fixture
def cycle():
    register_arrival_process(_Cycle)
    yield _Cycle
    unregister_arrival_process("cycle")


def test_a_plugin_value_that_cannot_be_written_back_is_given_as_written_and_said(cycle, capsys, tmp_path):
    path = tmp_path / "plugged.yaml"
    path.write_text(_PLUGGED, encoding="utf-8")
    assert main(["validate", str(path), "--show"]) == 0
    shown = capsys.readouterr().out
    said = (
        "# workload[0].gaps: as written: arrivals cycle made it a _Pattern the scenario format cannot hold\n"
    )
    assert said in shown
    entry = yaml.safe_load(shown.split("\n---\n", 1)[1].split("\n...\n", 1)[0])["workload"][0]
    assert entry["gaps"] == "0.5 1.5 0.25" and entry["every"] == "2.0 s"  # its other keys resolved
    _round_trip(capsys, tmp_path, path, ())


# -- every writer of YAML reads back through the strict reader --------------------------------------

# Text that YAML 1.1, YAML 1.2 and the strict reader read differently bare (dates, times, numbers,
# booleans, nulls), or that YAML's syntax reads as something else bare (a mapping, a comment, a
# list, a space lost), with text that is nothing but text.
_TRICKY = [
    *("2024-01-01", "2024-01-01 10:00:00", "2001-12-14t21:59:43.10-05:00", "12:30", "1:30.5", "190:20:30"),
    *("1e9", "-1.5e-3", "1E+9", ".5", "1.", ".inf", "-.Inf", ".NaN", "1e400", "1e-400"),
    *("yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "Null", "~", ""),
    *("0o17", "017", "0x1F", "0b101", "1_000", "007", "+12", "-0", "=", "<<"),
    *("a: b", "a:b", "a #b", "a#b", "#x", "- x", "-x", "? x", "---", "...", " x", "x ", "  "),
    *("[a]", "{a: 1}", "@x", "`x", "!x", "&x", "*x", "%x", "|", ">", "'", '"', "a,b", "a\\b"),
    *("two\nlines", "a\rb", "tab\there", "a\x85b", "a\u2028b", "é ü 日本", "\xa0", "5 Mbps", "plain"),
]
# Of these, text the strict reader reads bare as itself, written bare where YAML 1.1's dumper
# quoted it: a date (a YAML 1.1 timestamp), 1:30.5 (a YAML 1.1 float); and text YAML's syntax
# takes bare (0o17 is an integer in YAML 1.2, text to YAML 1.1 and to the strict reader).
_BARE = ["2024-01-01", "2001-12-14t21:59:43.10-05:00", "1:30.5", "0o17", "y", "a:b", "a#b", "-x", "5 MB"]

# The options each file writer gives dump_yaml: validate --show's, calibrate's profile, the testbed's.
_FILE_WRITERS: list[dict[str, Any]] = [
    {"sort_keys": False, "allow_unicode": True, "explicit_start": True, "explicit_end": True, "width": 10**5},
    {"sort_keys": False},
    {"sort_keys": False, "allow_unicode": True, "width": 110},
]


def _read_back(text: str) -> Any:
    """``text`` read by the strict reader: libyaml's parser and the pure-Python one, which must agree."""
    read = read_yaml(text)
    assert yaml.load(text, Loader=StrictLoader) == read
    return read


def _set_value(written: str) -> Any:
    """A value a message shows (``key=VALUE``) as ``--set`` reads it back."""
    return parse_assignment(f"k={written}")[1]


def _writes_back(text: str) -> None:
    """The file writer (each writer's options) and the one-line writer (a message's ``key=VALUE``)
    give ``text`` back, as a key, a value and in a list."""
    document = {"k": text, text: [text, {"k": text}]}
    for options in _FILE_WRITERS:
        assert _read_back(dump_yaml(document, **options)) == document, options
    shown, mapping = yaml_text(text), yaml_text(document)
    assert "\n" not in shown and "\n" not in mapping
    if text.strip():  # to --set, a value of spaces is "" (and "\xa0", which YAML reads as text)
        assert _set_value(shown) == text, shown
    assert _set_value(mapping) == document, mapping
    assert _read_back(f"k: {shown}\n") == {"k": text}


@functools.cache
def _profile() -> CalibratedProfile:
    """The shipped profile but its timed units (written and read in a tenth of a second, not two)."""
    shipped = load_profile(ROOT / "offloadsim" / "world" / "profiles" / "data" / "xeon-ort-1t.json")
    return replace(shipped, measured={})


@pytest.mark.parametrize("text", _TRICKY)
def test_tricky_text_reads_back_from_every_writer(text: str, tmp_path) -> None:
    """What offloadsim writes reads back through the strict reader as the text written.

    The one-line writer (messages) left text bare wherever the strict reader's resolvers read it
    as text, so ``a: b`` (a mapping), ``#x`` (nothing), ``" x"`` (``x``), pasted into ``--set``,
    read as something else, and a line break took two lines; the file writer wrote a NEL (U+0085)
    that came back a space.
    """
    _writes_back(text)
    # calibrate: a profile's name, description and provenance, written as YAML and loaded
    profile = replace(_profile(), name=text, description=text, provenance={"note": text, "date": text})
    loaded = load_profile(save_profile(profile, tmp_path / "profile.yaml"))
    assert (loaded.name, loaded.description, loaded.provenance) == (text, text, profile.provenance)
    # the testbed's scenario
    written = testbed_scenario.flows_scenario(
        name=text, size_bytes=1e3, devices=1, rate_bps=1e6, latency_s=0.0, seed=0, duration_s=1, trace=text
    )
    _write_yaml(tmp_path / "testbed.yaml", written, f"about {text}")
    assert _read_back((tmp_path / "testbed.yaml").read_text(encoding="utf-8")) == written


@pytest.mark.parametrize("text", ["2024-01-01", "1e9", "yes", "017", "~", "a: b", " x", "#x", "a\x85b"])
def test_tricky_text_reads_back_from_validate_show_and_the_policy_hint(
    text: str, tiny_scenario_text: str, capsys, tmp_path
) -> None:
    """The scenario ``validate --show`` prints, and the mapping a refused ``policy: "local(KEY=VALUE)"``
    suggests instead (written by YAML 1.1's dumper: ``1e9`` bare, a float to the strict reader)."""
    scenario = tmp_path / "tricky.yaml"
    scenario.write_text(tiny_scenario_text + f"description: {json.dumps(text)}\n", encoding="utf-8")
    document, _ = _shown(capsys, scenario, ())
    assert _read_back(document)["description"] == text
    entry = json.dumps(f"local(note={yaml_text(text)})")
    scenario.write_text(
        tiny_scenario_text.replace("\npolicy: edge\n", f"\npolicy: {entry}\n"), encoding="utf-8"
    )
    assert main(["validate", str(scenario)]) == 2
    error = capsys.readouterr().err
    mapping = error.rsplit("in a scenario the policy and its parameters are a mapping, policy: ", 1)[1]
    assert _read_back(mapping) == {"name": "local", "note": text}, error


@pytest.mark.parametrize("text", _BARE)
def test_text_read_as_itself_is_written_bare(text: str) -> None:
    """No quotes the strict reader does not need (but round a ``:`` in a flow mapping: YAML's syntax)."""
    assert _read_back(f"k: {text}\n") == {"k": text}
    assert yaml_text(text) == text
    if ":" not in text:
        assert yaml_text({"k": [text]}) == f"{{k: [{text}]}}"
    for options in _FILE_WRITERS:
        assert f"\nk: {text}\n" in "\n" + dump_yaml({"k": text}, **options)


# The characters that make YAML read a bare scalar as something else.
_MARKS = "0123456789.eE+-_:xob ~#'\"!&*%@`|>?,[]{}yYnN=<\n\t"


@given(st.text(max_size=20) | st.text(alphabet=_MARKS, max_size=9))
def test_any_text_reads_back_from_the_writers(text: str) -> None:
    """Any text, and text of YAML's marks, reads back from every writer (:func:`_writes_back`)."""
    _writes_back(text)


@pytest.mark.parametrize("name", [t for t in _TRICKY if Path(f"{t}.json").stem == t])
def test_the_profile_mapping_calibrate_suggests_reads_back(name: str, tmp_path, monkeypatch) -> None:
    """``use it in a scenario as: processor: {profile: 1e9}``: the name was written bare (a float)."""
    monkeypatch.setenv("OFFLOADSIM_PROFILE_PATH", str(tmp_path))
    for path, named in ((tmp_path / f"{name}.json", name), (tmp_path / "x" / f"{name}.json", None)):
        said = _how_to_use(name, path)
        mapping = said.removeprefix("use it in a scenario as: processor: ").split(", or by name from ", 1)[0]
        assert _read_back(mapping) == {"profile": named or str(path)}, said
