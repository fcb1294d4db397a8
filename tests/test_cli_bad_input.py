"""Input that used to end in an internal error (exit 1) is the user's: exit 2, one line, nothing written."""

import importlib.util
import json
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.suggest import quoted

BIG = str(2**64)
HUGE = "9" * 5000
MAX = str(2**63 - 1)


@pytest.fixture
def tiny(tiny_scenario: Path) -> Path:
    return tiny_scenario


def _refused(capsys, *argv: str) -> str:
    assert main([str(a) for a in argv]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: "), captured.err
    assert "Traceback" not in captured.err and len(lines[0]) < 400, lines[0][:400]
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "{tiny}", "--seed", BIG],
        ["run", "{tiny}", "--replication", BIG],
        ["run", "{tiny}", "--seed", HUGE],
        ["run", "{tiny}", "--set", f"seed={BIG}"],
        ["run", "{tiny}", "--set", f"seed={HUGE}"],
        ["validate", "{tiny}", "--set", f"seed={BIG}"],
        ["compare", "{tiny}", "--policies", "local,edge", "--seed", BIG],
        ["compare", "{tiny}", "--policies", "local,edge", "-n", HUGE],
    ],
    ids=[
        "seed",
        "replication",
        "seed-digits",
        "set-seed",
        "set-seed-digits",
        "validate",
        "compare",
        "n-digits",
    ],
)
def test_integers_beyond_64_bits_are_refused(argv, tiny, tmp_path, capsys):
    out = tmp_path / "out"
    line = _refused(
        capsys, *(a.format(tiny=tiny) for a in argv), *(["--out", out] if argv[0] != "validate" else [])
    )
    assert "9223372036854775807" in line or "too long to read" in line
    assert not out.exists()


def test_the_largest_seed_and_replication_run(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tiny), "--seed", MAX, "--replication", MAX, "--out", str(out), "-q"]) == 0
    assert (out / "tasks.parquet").is_file()


@pytest.mark.parametrize(
    ("flag", "digits"), [("--seed", "\u0661"), ("--seed", "\uff11\uff12"), ("--replication", "\u0663")]
)
def test_integer_options_refuse_digits_other_than_ascii(flag, digits, tiny, tmp_path, capsys):
    out = tmp_path / "out"
    line = _refused(capsys, "run", tiny, flag, digits, "--out", out)  # int() read "\u0661" as seed 1
    assert flag in line and "non-negative integer" in line and digits in line
    assert not out.exists()


@pytest.mark.parametrize("verb", ["validate", "run", "compare"])
def test_a_scenario_path_too_long_for_the_file_system(verb, tmp_path, capsys):
    path = tmp_path / ("a" * 5000 + ".yaml")
    extra = ["--policies", "local"] if verb == "compare" else []
    line = _refused(capsys, verb, path, *extra)
    assert "cannot use scenario path" in line and "(5," in line


needs_onnx = pytest.mark.skipif(importlib.util.find_spec("onnx") is None, reason="needs the onnx extra")


@needs_onnx
@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "ValueError"), (b"hello, I am text\n", "DecodeError"), (bytes(range(256)) * 4, "DecodeError")],
    ids=["empty", "text", "binary-garbage"],
)
@pytest.mark.parametrize("verb", ["validate", "run"])
def test_an_onnx_file_that_is_not_a_model(verb, content, reason, tiny_scenario_text, tmp_path, capsys):
    (tmp_path / "net.onnx").write_bytes(content)
    scenario = tmp_path / "onnx.yaml"
    scenario.write_text(tiny_scenario_text.replace("work: 1 GFLOP", "onnx: net.onnx"))
    out = tmp_path / "out"
    line = _refused(capsys, verb, scenario, *(["--out", out] if verb == "run" else []))
    assert f"{scenario}: applications.job.onnx: cannot import net.onnx as an ONNX model ({reason}" in line
    assert not out.exists()


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "nodes.edge.processor.model=fifoo",
            'tiny.yaml: nodes.edge.processor.model: unknown processor model "fifoo" (did you mean "fifo"?)',
        ),
        (
            "applications.job.kind=synthetc",
            'tiny.yaml: applications.job.kind: unknown kind of work "synthetc" (did you mean "synthetic"?)',
        ),
    ],
    ids=["processor-model", "kind"],
)
def test_an_unknown_processor_model_or_kind_of_work_is_refused(
    verb, setting, expected, tiny, tmp_path, capsys
):
    out = tmp_path / "out"
    extra = ["--out", out] if verb == "run" else []
    assert expected in _refused(capsys, verb, tiny, "--set", setting, *extra)
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "unknown", "verb"),
    [
        (["run", "{tiny}", "--bogus"], "--bogus", "run"),
        (["validate", "{tiny}", "--bogus", "3"], "--bogus 3", "validate"),
        (["compare", "{tiny}", "--policies", "edge", "extra"], "extra", "compare"),
        (["sweep", "{tiny}", "--bogus"], "--bogus", "sweep"),
        (["models", "show", "resnet50", "--bogus"], "--bogus", "models show"),
        (["calibrate", "report", "x.json", "--bogus"], "--bogus", "calibrate report"),
        (["--bogus"], "--bogus", None),
        # The option mistyped, not the argument it left missing (argparse reports that first).
        (["models", "show", "--bogus"], "--bogus", "models show"),
        (["profiles", "show", "--bogus=3"], "--bogus=3", "profiles show"),
        (["run", "--bogus", "-q"], "--bogus", "run"),
    ],
    ids=[
        "run",
        "validate",
        "compare-positional",
        "sweep",
        "models-show",
        "calibrate-report",
        "no-verb",
        "models-show-no-name",
        "profiles-show-no-name",
        "run-no-file",
    ],
)
def test_an_unknown_option_points_at_the_help_of_its_verb(argv, unknown, verb, tiny, capsys):
    """The verb's --help lists the options it takes; the top-level one only lists verbs."""
    line = _refused(capsys, *(str(tiny) if a == "{tiny}" else a for a in argv))
    help_of = f"offloadsim {verb} --help" if verb else "offloadsim --help"
    assert line == f"offloadsim: error: unrecognized arguments: {unknown} (see '{help_of}')"


@pytest.mark.parametrize(
    ("argv", "unknown", "option"),
    [
        (["run", "{tiny}", "--set", "links[0].bandwidth=5", "Mbps"], "Mbps", "--set"),
        (["validate", "{tiny}", "--set=links[0].bandwidth=5", "Mbps"], "Mbps", "--set"),
        # Before FILE, the word left over is taken for FILE, and FILE is the argument not known.
        (["run", "--set", "links[0].bandwidth=5", "Mbps", "{tiny}"], "{tiny}", "--set"),
        (["plot", "{tiny}", "--where", "links[0].bandwidth=5", "Mbps"], "Mbps", "--where"),
    ],
)
def test_a_value_the_shell_split_at_its_space_is_said_to_need_quotes(argv, unknown, option, tiny, capsys):
    """--set links[0].bandwidth=5 Mbps, unquoted, said only "unrecognized arguments: Mbps"."""
    line = _refused(capsys, *(str(tiny) if a == "{tiny}" else a for a in argv))
    unknown = str(tiny) if unknown == "{tiny}" else unknown
    assert line.startswith(f"offloadsim: error: unrecognized arguments: {unknown} ("), line
    assert f"the shell split a value at its space: quote it, {option} 'links[0].bandwidth=5 Mbps')" in line


@pytest.mark.parametrize(
    ("argv", "unknown", "hint"),
    [
        (["compare", "{tiny}", "--policies", "local", "edge"], "edge", "--policies local,edge"),
        (
            ["compare", "{tiny}", "--policies=local", "edge", "cloud"],
            "edge cloud",
            "--policies local,edge,cloud",
        ),
        (["compare", "{tiny}", "-n", "2", "--policies", "local", "edge"], "edge", "--policies local,edge"),
        # Before FILE, the second policy is taken for FILE, and FILE is the argument not known.
        (["compare", "--policies", "local", "edge", "{tiny}"], "{tiny}", "--policies local,edge"),
        (
            ["plot", "{tiny}", "--by", "app", "policy.objective"],
            "policy.objective",
            "--by app,policy.objective",
        ),
    ],
)
def test_a_list_given_apart_is_said_to_take_commas(argv, unknown, hint, tiny, capsys):
    """A new user's --policies local edge said only "unrecognized arguments: edge" (or named the scenario)."""
    line = _refused(capsys, *(str(tiny) if a == "{tiny}" else a for a in argv))
    unknown = str(tiny) if unknown == "{tiny}" else unknown
    option = hint.split()[0]
    assert line == (
        f"offloadsim: error: unrecognized arguments: {unknown} ({option} takes one comma-separated list, "
        f"without spaces: {hint}) (see 'offloadsim {argv[0]} --help')"
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["compare", "{tiny}", "--policies", "local,", "edge"],
            "argument --policies: expected comma-separated policies like local,edge or "
            "'least-loaded(load_bucket=0.02),edge', got \"local,\"",
        ),
        (
            ["plot", "{tiny}", "--by", "app,", "policy"],
            'argument --by: expected comma-separated column names like app,policy, got "app,"',
        ),
    ],
)
def test_a_list_split_after_its_comma_is_said_to_be_split_by_the_shell(argv, said, tiny, capsys):
    """A new user's --policies local, edge said only that "local," was not a list."""
    line = _refused(capsys, *(str(tiny) if a == "{tiny}" else a for a in argv))
    assert line == (
        f"offloadsim: error: {said} (it ends at a comma: the shell splits a list at a space after a comma, "
        f"so write it without spaces or quote it) (see 'offloadsim {argv[0]} --help')"
    )


def test_a_word_left_over_after_a_whole_list_gets_no_comma_hint(tiny, capsys):
    line = _refused(capsys, "compare", str(tiny), "--policies", "local,edge", "-n", "2", "extra")
    assert line == "offloadsim: error: unrecognized arguments: extra (see 'offloadsim compare --help')"


@pytest.mark.parametrize("form", [["--set", "duration=1s"], ["--set=duration=1s"]])
def test_a_set_to_sweep_says_where_it_goes_and_no_quoting_hint(form, tiny, capsys):
    """sweep takes no --set: it was told to quote "--set 'duration=1s --set'", then nothing (HB35's
    trial: "unrecognized arguments" alone).  It says the sweep file's set: section, with the value."""
    line = _refused(capsys, "sweep", str(tiny), *form, "--set", "seed=2")
    unknown = f"{' '.join(form)} --set seed=2"
    assert line == (
        f"offloadsim: error: unrecognized arguments: {unknown} (sweep takes no --set: write it in the "
        "sweep file's set: section, which applies to every point and keeps the sweep's jobs resumable: "
        "set: {duration: 1s}) (see 'offloadsim sweep --help')"
    )


@pytest.mark.parametrize(
    ("value", "example"),
    [
        ("grid={workload[0].rate: [1 /s, 2 /s]}", "grid: {workload[0].rate: [1 /s, 2 /s]}"),
        ("grid.workload[0].rate=[1 /s, 2 /s]", "grid: {workload[0].rate: [1 /s, 2 /s]}"),
        ("replications=10", "replications: 10"),
        ("policies=[random, round-robin]", "policies: [random, round-robin]"),
    ],
)
def test_a_set_of_a_sweep_files_own_key_says_to_write_it_in_the_file(value, example, tiny, capsys):
    """A trial user's sweep --set 'grid={...}' was told to write set: {grid: {...}}: a scenario key
    "grid" set at every point, which the scenario refuses, while grid is the sweep file's own."""
    line = _refused(capsys, "sweep", str(tiny), "--set", value)
    root = value.split("=")[0].split(".")[0]
    assert line == (
        f"offloadsim: error: unrecognized arguments: --set {value} (sweep takes no --set: {root} is a key of "
        f"the sweep file itself, not of the scenario its points run: write it there, {example}) "
        "(see 'offloadsim sweep --help')"
    )


def test_a_word_left_over_after_a_whole_set_value_gets_no_quoting_hint(tiny, capsys):
    line = _refused(capsys, "run", "--set", "duration=5s", str(tiny), "extra")
    assert line == "offloadsim: error: unrecognized arguments: extra (see 'offloadsim run --help')"


@pytest.mark.parametrize(
    "argv", [["models", "show"], ["run", "-q"], ["run", "--seed", "-1"], ["models", "show", "--"]]
)
def test_without_an_unknown_option_a_missing_argument_is_still_named(argv, capsys):
    line = _refused(capsys, *argv)
    assert "unrecognized" not in line and ("required" in line or "--seed" in line), line


# A processor of 1e-300 FLOP/s ran, and numpy's overflow in work / speed leaked as a warning line (a new
# user's trial); its neighbours did the same or gave inf. Every quantity is 0 or 1e-30 to 1e30 in SI.
@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(
    ("old", "new", "key", "bound"),
    [
        ("speed: 10 GFLOP/s", "speed: 1e-300 FLOP/s", "nodes.phone.processor.speed", "below 1e-30 FLOP/s"),
        ("speed: 10 GFLOP/s", "speed: 1e300 FLOP/s", "nodes.phone.processor.speed", "above 1e30 FLOP/s"),
        (
            "speed: 10 GFLOP/s}",
            "speed: 1 GFLOP/s, memory_bandwidth: 1e-300 B/s}",
            "nodes.phone.processor.memory_bandwidth",
            "1e-30 B/s",
        ),
        ("bandwidth: 20 Mbps", "bandwidth: 1e-300 bps", "links[0].bandwidth", "below 1e-30 bit/s"),
        ("input: 10 KB", "input: 1e300 B", "applications.job.input", "above 1e30 B"),
        ("rate: 5 /s", "rate: 1e-300 /s", "workload[0].rate", "below 1e-30 1/s"),
        (
            "10 GFLOP/s}}",
            "10 GFLOP/s}, power: {idle: 1 W, busy: 1e300 W}}",
            "nodes.phone.power.busy",
            "above 1e30 W",
        ),
    ],
    ids=["speed-tiny", "speed-huge", "memory-bandwidth", "bandwidth", "size", "rate", "power"],
)
def test_extreme_quantities_are_refused_with_their_bound(
    verb, old, new, key, bound, tiny_scenario_text, tmp_path, capsys
):
    text = tiny_scenario_text.replace("work: 1 GFLOP", "model: resnet50")
    assert old in text
    text = text.replace(old, new, 1)
    scenario = tmp_path / "extreme.yaml"
    scenario.write_text(text)
    out = tmp_path / "out"
    line = _refused(capsys, verb, scenario, *(["--out", out] if verb == "run" else []))
    assert f"extreme.yaml: {key}" in line and bound in line, line
    assert not out.exists()


# A bare whole number of hundreds of digits (YAML reads any length) has no float: every quantity
# key ended in an internal error, exit 1, OverflowError.
@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(
    "key", ["duration", "links[0].bandwidth", "workload[0].rate", "applications.job.input", "warmup"]
)
def test_a_quantity_of_hundreds_of_digits_is_refused_not_an_internal_error(verb, key, tiny, tmp_path, capsys):
    out = tmp_path / "out"
    digits = "9" * 400  # within Python's 4,300 digits a string may give an int (HUGE is not)
    line = _refused(
        capsys, verb, tiny, "--set", f"{key}={digits}", *(["--out", out] if verb == "run" else [])
    )
    assert f": {key}: expected " in line and "digits) (too large a number)" in line, line
    assert not out.exists()


def test_quantities_at_the_bounds_run_without_overflow(tiny_scenario_text, tmp_path, capsys):
    """The slowest processor, the slowest memory and link, the hottest power: no inf, no overflow.

    The one warning is the offered load ``local`` puts on a 1e-30 FLOP/s processor, said in powers
    of ten (``4.2e+42 %``): a 43-digit integer of per cents read as noise.
    """
    text = tiny_scenario_text.replace("work: 1 GFLOP", "model: resnet50").replace(
        "processor: {speed: 10 GFLOP/s}}",
        "processor: {speed: 1e-30 FLOP/s, memory_bandwidth: 1e-30 B/s}, power: {idle: 1 W, busy: 1e30 W}}",
    )
    scenario = tmp_path / "bounds.yaml"
    for policy in ("local", "neurosurgeon", "least-loaded"):
        scenario.write_text(
            text.replace("bandwidth: 20 Mbps", "bandwidth: 1e-30 bps").replace("edge\n", f"{policy}\n")
        )
        out = tmp_path / policy
        assert main(["run", str(scenario), "--out", str(out), "-q"]) == 0
        err = capsys.readouterr().err
        said = [line for line in err.splitlines() if line]
        if policy == "local":  # the one policy that fixes each task's node: its load is known before the run
            (line,) = said
            assert line.endswith("[offered-load]") and "e+42 %" in line and "inf" not in line, line
        else:
            assert said == []


@pytest.mark.parametrize("depth", [150, 900, 5000])
def test_a_scenario_nested_deeper_than_the_limit_is_refused(depth, tiny, tmp_path, capsys):
    """Between 100 and about 1,000 levels PyYAML read the file, and copying it overflowed the recursion."""
    path = tmp_path / "deep.yaml"
    path.write_text(tiny.read_text() + "description: " + "[" * depth + "]" * depth + "\n")
    line = _refused(capsys, "run", path, "--out", tmp_path / "out")
    assert f"{path}: the document is nested more than 100 levels deep" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("suffix", ["json", "yaml"])
@pytest.mark.parametrize("depth", [150, 600, 5000])
def test_a_profile_nested_deeper_than_the_limit_is_refused(suffix, depth, tiny, tmp_path, capsys):
    """Between 100 and about 1,000 levels a JSON profile loaded; deeper, the line was a RecursionError's."""
    shipped = Path(__file__).resolve().parents[1] / "offloadsim" / "world" / "profiles" / "data"
    text = (shipped / "epyc-ort-1t.json").read_text().rstrip()
    assert text.endswith("}")
    profile = tmp_path / f"deep.{suffix}"  # JSON is YAML too
    profile.write_text(text[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}\n")
    overrides = ["--set", f"nodes.edge.processor={{profile: {profile}}}"]
    refused = f"{profile}: the profile is nested more than 100 levels deep"
    for argv in (["validate", tiny, *overrides], ["run", tiny, *overrides, "--out", tmp_path / "out"]):
        assert f"nodes.edge.processor.profile: {refused}" in _refused(capsys, *argv)
    assert not (tmp_path / "out").exists()
    assert refused in _refused(capsys, "calibrate", "report", profile)


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_a_profile_giving_a_key_twice_is_refused_by_every_command_that_reads_it(
    suffix, tiny, tmp_path, capsys
):
    """A YAML profile's repeated key was read as its last value, without a word (PyYAML's safe_load)."""
    shipped = Path(__file__).resolve().parents[1] / "offloadsim" / "world" / "profiles" / "data"
    text = (shipped / "epyc-ort-1t.json").read_text()
    assert '"s_per_flop": ' in text
    profile = tmp_path / f"twice.{suffix}"  # JSON is YAML too
    profile.write_text(text.replace('"s_per_flop": ', '"s_per_flop": 1.0, "s_per_flop": ', 1))
    refused = f'{profile}: cost_model.groups["*"].coef.s_per_flop: given twice'
    overrides = ["--set", f"nodes.edge.processor={{profile: {profile}}}"]
    for argv in (["validate", tiny, *overrides], ["run", tiny, *overrides, "--out", tmp_path / "out"]):
        assert f"nodes.edge.processor.profile: {refused}" in _refused(capsys, *argv)
    assert not (tmp_path / "out").exists()
    assert refused in _refused(capsys, "calibrate", "report", profile)
    assert refused in _refused(capsys, "profiles", "show", profile)


def test_a_yaml_profile_too_large_to_read_in_memory_is_refused_before_it_is_read(
    tiny, tmp_path, capsys, monkeypatch
):
    """As a scenario's YAML (by the same reader, libyaml's where PyYAML has it)."""
    import yaml

    from offloadsim import bounded_read
    from offloadsim.strict_yaml import FAST_BYTES_PER_CHAR

    shipped = Path(__file__).resolve().parents[1] / "offloadsim" / "world" / "profiles" / "data"
    text = (shipped / "epyc-ort-1t.json").read_text()
    profile = tmp_path / "big.yaml"  # JSON is YAML too
    profile.write_text(text)
    available = len(text) * FAST_BYTES_PER_CHAR - 1
    monkeypatch.setattr(bounded_read, "available_bytes", lambda: available)
    load = yaml.load

    def read(stream, Loader):  # the scenario's YAML is read; the profile's must not be
        assert stream != text, "the profile's YAML was read"
        return load(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "load", read)
    refused = f"{profile}: is {bounded_read.format_bytes(len(text))} of YAML: reading it needs about "
    line = _refused(capsys, "calibrate", "report", profile)
    assert refused in line and line.endswith("; make it shorter, or run it on a machine with more memory")
    assert main(["validate", str(tiny), "--set", f"nodes.edge.processor={{profile: {profile}}}"]) == 2
    [line] = capsys.readouterr().err.splitlines()  # longer than _refused allows: two paths, the --set
    assert f"nodes.edge.processor.profile: {refused}" in line


@pytest.mark.parametrize("value", ["[" * 600 + "]" * 600, "[" * 5000], ids=["600-levels", "unclosed-5000"])
def test_a_set_value_nested_deeper_than_the_limit_is_refused(value, tiny, capsys):
    line = _refused(capsys, "validate", tiny, "--set", f"policy.x={value}")
    assert (
        f"{tiny}: policy.x: cannot --set" in line and "the value is nested more than 100 levels deep" in line
    )


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("memory_bandwidth_Bps", 0, "memory_bandwidth_Bps: expected a bandwidth in bytes/s"),
        ("effective_flops", None, "effective_flops: expected a rate in FLOP/s"),
    ],
)
def test_a_profile_with_an_impossible_number_is_refused_at_its_key(key, value, named, tiny, tmp_path, capsys):
    """A memory bandwidth of 0 in a profile file ended in a ZeroDivisionError (exit 1) in the trust check."""
    import json

    shipped = Path(__file__).resolve().parents[1] / "offloadsim" / "world" / "profiles" / "data"
    doc = json.loads((shipped / "epyc-ort-1t.json").read_text())
    doc[key] = value
    profile = tmp_path / "edited.json"
    profile.write_text(json.dumps(doc))
    overrides = ["--set", f"nodes.edge.processor={{profile: {profile}}}"]
    for argv in (["validate", tiny, *overrides], ["run", tiny, *overrides, "--out", tmp_path / "out"]):
        assert f"nodes.edge.processor.profile: {profile}: {named}" in _refused(capsys, *argv)
    assert not (tmp_path / "out").exists()
    assert f"{profile}: {named}" in _refused(capsys, "calibrate", "report", profile)
    assert f"{profile}: {named}" in _refused(capsys, "profiles", "show", profile)


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        # What profiles show, calibrate and the trust checks format or compute with was read as it
        # came: each of these was an internal error (exit 1) in profiles show.
        ("backend.name", [], "backend.name: expected text, got an empty list"),
        ("provenance.models", 3, "provenance.models: expected a list of model names, got 3"),
        ("provenance.versions", None, "provenance.versions: expected a mapping of package to version"),
        ("provenance.fit.mdape", "x", 'provenance.fit.mdape: expected a number, got "x"'),
        ("provenance.noise.median_ci_pct", "DELETE", "provenance.noise.median_ci_pct: missing"),
        ("report.held_out", 7, "report.held_out: expected a mapping, got 7"),
        ("report.held_out.within", "DELETE", "report.held_out.within: missing"),
        ("trust.issues", None, "trust.issues: expected a list of issues, got nothing (null)"),
        ("trust.untrusted_for", "x", 'trust.untrusted_for: expected a mapping of model to op kinds, got "x"'),
        # int(inf) raised OverflowError, which the reader did not turn into a message.
        ("cost_model.min_points", float("inf"), "cost_model: expected the fitted cost model (OverflowError"),
    ],
)
def test_a_profile_key_its_readers_use_is_checked_at_its_key_path(path, value, named, tiny, tmp_path, capsys):
    import json

    shipped = Path(__file__).resolve().parents[1] / "offloadsim" / "world" / "profiles" / "data"
    doc = json.loads((shipped / "epyc-ort-1t.json").read_text())
    *parents, last = path.split(".")
    holder = doc
    for part in parents:
        holder = holder[part]
    if value == "DELETE":
        del holder[last]
    else:
        holder[last] = value
    profile = tmp_path / "edited.json"
    profile.write_text(json.dumps(doc))
    assert f"{profile}: {named}" in _refused(capsys, "profiles", "show", profile)
    assert f"{profile}: {named}" in _refused(capsys, "calibrate", "report", profile)
    overrides = ["--set", f"nodes.edge.processor={{profile: {profile}}}"]
    for argv in (["validate", tiny, *overrides], ["run", tiny, *overrides, "--out", tmp_path / "out"]):
        assert f"nodes.edge.processor.profile: {profile}: {named}" in _refused(capsys, *argv)
    assert not (tmp_path / "out").exists()


def test_a_dry_run_refused_for_a_bad_profile_prints_only_the_error(tiny, tmp_path, capsys):
    """It printed 'policy ..., 1 workload' on stdout before the error line."""
    profile = tmp_path / "broken.json"
    profile.write_text('{"format": "offloadsim.calibrated-profile", "version": 1}')
    assert main(["run", str(tiny), "--dry-run", "--set", f"nodes.edge.processor={{profile: {profile}}}"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1, captured
    assert f"nodes.edge.processor.profile: {profile}: " in captured.err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["run", "{tiny}", "--seed", "1", "--seed", "2"], "--seed"),
        (["run", "{tiny}", "--replication", "0", "--replication", "3"], "--replication"),
        (["run", "{tiny}", "--policy", "edge", "--policy", "local"], "--policy"),
        (["run", "{tiny}", "--out", "{out}", "--out", "{out}2"], "--out"),
        (["validate", "{tiny}", "--policy", "edge", "--policy", "local"], "--policy"),
        (["compare", "{tiny}", "--policies", "local,edge", "--seed", "1", "--seed", "2"], "--seed"),
        (
            ["compare", "{tiny}", "--policies", "local,edge", "-n", "2", "--replications", "3"],
            "--replications/-n",
        ),
        (["compare", "{tiny}", "--policies", "local,edge", "--policies", "cloud,edge"], "--policies"),
        (
            ["compare", "{tiny}", "--policies", "local,edge", "--baseline", "local", "--baseline", "edge"],
            "--baseline",
        ),
        (["compare", "{tiny}", "--policies", "local,edge", "--workers", "1", "--workers", "2"], "--workers"),
        (["sweep", "{tiny}", "--out", "{out}", "--out", "{out}2"], "--out"),
    ],
)
def test_an_option_given_twice_with_two_values_is_refused(argv, option, tiny, tmp_path, capsys):
    """`--seed 1 --seed 2` ran with seed 2 and no word: a script that appends options kept the last."""
    given = [a.format(tiny=tiny, out=tmp_path / "out") for a in argv]
    line = _refused(capsys, *given)
    assert line.startswith(f"offloadsim: error: argument {option}: given twice ("), line
    assert not (tmp_path / "out").exists() and not (tmp_path / "out2").exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["testbed", "run", "--seed", "1", "--seed", "2"], 'argument --seed: given twice ("1", then "2")'),
        # values compare as read, and are quoted as written
        (
            ["testbed", "flows", "--rate", "10Mbps", "--rate", "20 Mbps"],
            'argument --rate: given twice ("10Mbps", then "20 Mbps")',
        ),
        (
            ["testbed", "campaign", "--models", "alexnet", "--models", "vgg16"],
            'argument --models: given twice ("alexnet", then "vgg16")',
        ),
        (
            ["calibrate", "--onnx", "a.onnx", "b.onnx", "--onnx", "c.onnx"],
            'argument --onnx: given twice ("a.onnx b.onnx", then "c.onnx")',
        ),
        (
            ["calibrate", "report", "p.json", "--repeats", "2", "--repeats", "3"],
            "argument --repeats: given twice",
        ),
        (
            ["plot", "{out}", "--kind", "cdf", "--kind", "bars"],
            'argument --kind: given twice ("cdf", then "bars")',
        ),
        (
            ["plot", "{out}", "--logx", "--no-logx"],
            "argument --logx/--no-logx: given twice (--logx, then --no-logx)",
        ),
        (["validate", "{tiny}", "--out", "{out}", "--out", "{out}2"], "argument --out: given twice"),
        # before the sub-verb and after it: argparse copied the sub-verb's over the verb's
        (
            ["profiles", "--scenario", "{tiny}", "show", "t4", "--scenario", "{out}"],
            "argument --scenario: given twice",
        ),
    ],
)
def test_a_one_value_option_of_any_verb_given_twice_is_refused(argv, said, tiny, tmp_path, capsys):
    """`testbed --seed 1 --seed 2` ran with seed 2 and no word, as `run --seed 1 --seed 2` once did."""
    line = _refused(capsys, *(a.format(tiny=tiny, out=tmp_path / "out") for a in argv))
    assert line.startswith(f"offloadsim: error: {said}"), line
    assert "; give it once (see 'offloadsim " in line, line


def test_every_option_that_takes_one_value_is_given_once():
    """A new option that stores a value with argparse's own action would keep the last of two, silently."""
    import argparse

    from offloadsim.cli import types as cli_types
    from offloadsim.cli.main import build_parser

    many = (argparse._AppendAction, argparse._HelpAction, argparse._VersionAction)  # --set, --where
    flags = (argparse._StoreTrueAction, argparse._StoreFalseAction)  # one value however often given
    ours = (cli_types.Once, cli_types.OnceFlag, cli_types.OnceSubParsers)

    def actions(parser: argparse.ArgumentParser, prog: str):
        for action in parser._actions:
            yield prog, action
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from actions(sub, f"{prog} {name}")

    walked = list(actions(build_parser(), "offloadsim"))
    loose = [
        f"{prog} {'/'.join(action.option_strings)}: {type(action).__name__}"
        for prog, action in walked
        if (action.option_strings or isinstance(action, argparse._SubParsersAction))
        and not isinstance(action, (*many, *flags, *ours))
    ]
    assert loose == []
    verbs = {prog.split()[1] for prog, _ in walked if " " in prog}
    assert {"run", "compare", "sweep", "plot", "calibrate", "testbed", "profiles", "validate"} <= verbs


def test_an_option_written_the_usual_way_is_given_once():
    """The parsers default to the once-only actions: a new option needs no action= to be safe."""
    import argparse

    from offloadsim.cli import types as cli_types
    from offloadsim.cli.main import _UsageError, build_parser

    parser = build_parser("run")
    verbs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert isinstance(verbs, cli_types.OnceSubParsers)
    run = verbs.choices["run"]
    added = run.add_argument("--new-option")
    flag = run.add_argument("--new-flag", action=argparse.BooleanOptionalAction)
    assert isinstance(added, cli_types.Once) and isinstance(flag, cli_types.OnceFlag)
    with pytest.raises(_UsageError, match=r'--new-option: given twice \("a", then "b"\); give it once'):
        parser.parse_args(["run", "x.yaml", "--new-option", "a", "--new-option", "b"])
    with pytest.raises(_UsageError, match="--no-new-flag: given twice"):
        parser.parse_args(["run", "x.yaml", "--new-flag", "--no-new-flag"])


def test_an_option_given_twice_with_one_value_runs(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["run", str(tiny), "--seed", "3", "--seed", "3", "--out", str(out), "-q"]
    assert main(argv) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "first", "again"),
    [
        (["run", "{tiny}", "--set", "duration=2s", "--set", "duration=3s"], "duration=2s", "duration=3s"),
        (
            ["validate", "{tiny}", "--set", "duration=2s", "--set", "duration=3s"],
            "duration=2s",
            "duration=3s",
        ),
        (
            ["compare", "{tiny}", "--policies", "local", "--set", "seed=1", "--set", "seed=2"],
            "seed=1",
            "seed=2",
        ),
        # one key path, two spellings: the paths compare parsed, not as text
        (
            ["run", "{tiny}", "--set", 'nodes["edge"].count=1', "--set", "nodes.edge.count=2"],
            'nodes[\\"edge\\"].count=1',
            "nodes.edge.count=2",
        ),
        # one list entry, counted from the end and from the start: tiny has one link
        (
            ["run", "{tiny}", "--set", "links[-1].bandwidth=5 Mbps", "--set", "links[0].bandwidth=6 Mbps"],
            "links[-1].bandwidth=5 Mbps",
            "links[0].bandwidth=6 Mbps",
        ),
    ],
)
def test_a_set_of_one_key_given_twice_with_two_values_is_refused(argv, first, again, tiny, tmp_path, capsys):
    """`--set duration=2s --set duration=3s` ran with 3 s and no word, as `--seed 1 --seed 2` did."""
    given = [*(a.format(tiny=tiny) for a in argv), "--out", str(tmp_path / "out")]
    line = _refused(capsys, *given)
    twice = f'given twice (--set "{first}", then --set "{again}"); give it once'
    assert line.startswith(f"offloadsim: error: {tiny}: ") and line.endswith(twice), line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("links[-1].bandwidth=fast", "links[0].bandwidth: expected a bandwidth"),
        ("workload[-1].app=nosuch", 'workload[0].app: unknown application "nosuch"'),  # found resolving
        ("links[-1].between=[phone, nosuch]", 'links[0].between[1]: "nosuch" matches no node'),
    ],
)
def test_a_bad_value_set_at_a_negative_index_names_the_set(given, key, tiny, capsys):
    """The problem is found at links[0] of one link: the --set of links[-1] behind it went unnamed."""
    line = _refused(capsys, "validate", tiny, "--set", given)
    assert line.startswith(f"offloadsim: error: {tiny}: {key}"), line
    assert line.endswith(f'(set by --set "{given}")'), line


@pytest.mark.parametrize(
    "sets",
    [
        ["duration=2s", "duration=2s"],  # one value twice: harmless
        ["duration=2 s", "duration=2000 ms"],  # in two spellings the scenario reads as one
        # overlapping paths, not one: applied in order, as docs/scenario-format.md says
        ["workload[0]={app: job, sources: phone, arrivals: periodic, period: 1 s}", "workload[0].period=2 s"],
    ],
)
def test_sets_of_one_value_or_of_overlapping_keys_run(sets, tiny, capsys):
    argv = ["validate", str(tiny)]
    for item in sets:
        argv += ["--set", item]
    assert main(argv) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("ok: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "{tiny}", "--seed", "5", "--set", "seed=4"],
        ["run", "{tiny}", "--set", "seed=4", "--seed", "5", "--dry-run"],
        ["compare", "{tiny}", "--policies", "local", "--seed", "5", "--set", "seed=4"],
    ],
)
def test_a_seed_given_by_seed_and_by_set_with_two_values_is_refused(argv, tiny, tmp_path, capsys):
    """`--seed 5 --set seed=4` ran with 5 and no word: one of the two seeds given was dropped."""
    given = [*(a.format(tiny=tiny) for a in argv), "--out", str(tmp_path / "out")]
    line = _refused(capsys, *given)
    assert (
        line == 'offloadsim: error: seed: given twice (--seed 5, and 4 set by --set "seed=4"); give it once'
    )
    assert not (tmp_path / "out").exists()


def test_a_seed_given_by_seed_and_by_set_with_one_value_runs(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(tiny), "--seed", "4", "--set", "seed=4", "--out", str(out), "-q"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 4


@pytest.mark.parametrize("reader", ["scenario onnx:", "models show", "calibrate --onnx"])
@pytest.mark.parametrize("what", ["a directory", "a FIFO (named pipe)", "a character device"])
def test_an_onnx_path_that_is_no_file_says_what_it_is(reader, what, tiny, tmp_path, capsys, make_no_file):
    """A FIFO was "no such file" (calibrate: "ONNX file not found"), as was a directory to calibrate."""
    path = make_no_file(tmp_path / "net.onnx", what)  # named like a model file, as models show tells them
    scenario = tmp_path / "s.yaml"
    scenario.write_text(tiny.read_text().replace("job: {work: 1 GFLOP,", f"job: {{onnx: {path},"))
    argv = {
        "scenario onnx:": ["validate", scenario],
        "models show": ["models", "show", path],
        "calibrate --onnx": ["calibrate", "--onnx", path, "--out", tmp_path / "p.json"],
    }[reader]
    line = _refused(capsys, *argv)
    where = f"{scenario}: applications.job.onnx: " if reader == "scenario onnx:" else ""
    assert line.startswith(f"offloadsim: error: {where}{path}: is {what}"), line
    assert "expected an ONNX" in line and not (tmp_path / "p.json").exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["run", "{tiny}", "--policy", "local", "--set", "policy.fallback=drop"],
            '--set "policy.fallback=drop" is a parameter of the file\'s policy "edge", which --policy local '
            "replaces, parameters and all: it would be dropped; to give it to local, write "
            "--set policy.name=local instead of --policy local",
        ),
        (
            ["run", "{tiny}", "--dry-run", "--policy", "local", "--set", "policy.fallback=drop"],
            "which --policy local replaces",
        ),
        (
            ["validate", "{tiny}", "--policy", "local", "--set", "policy.fallback=drop"],
            "which --policy local",
        ),
        (
            ["run", "{tiny}", "--policy", "local", "--set", "policy.name=cloud"],
            '--set "policy.name=cloud" and --policy local both name the policy to run; name it once',
        ),
        (
            ["compare", "{tiny}", "--policies", "local,cloud", "--set", "policy.fallback=drop"],
            "which --policies local,cloud replaces, parameters and all: it would be dropped; each policy "
            "compared other than the file's runs with its defaults",
        ),
    ],
)
def test_a_set_policy_parameter_the_policy_option_would_drop_is_refused(argv, said, tiny, tmp_path, capsys):
    """`--policy local --set policy.fallback=drop` went to the file's policy, which --policy replaced.

    The run went on without the value the user gave, without a word (a plug-in's
    `--policy deadline-aware --set policy.margin_s=0.05` ran with margin 0).
    """
    line = _refused(capsys, *[a.format(tiny=tiny) for a in argv], "--out", str(tmp_path / "out"))
    assert said in line, line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "{tiny}", "--policy", "edge", "--set", "policy.fallback=drop"],  # the file's: kept
        ["run", "{tiny}", "--set", "policy.name=edge", "--set", "policy.fallback=drop"],
        ["compare", "{tiny}", "--policies", "edge,local", "--set", "policy.fallback=drop"],  # edge keeps it
    ],
)
def test_a_set_policy_parameter_that_a_chosen_policy_keeps_runs(argv, tiny, tmp_path, capsys):
    assert main([a.format(tiny=tiny) for a in argv] + ["--out", str(tmp_path / "out"), "-q"]) == 0


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        # An empty --out was the current directory: "output directory . already exists, is not
        # empty and holds no offloadsim result", or with --overwrite, "Device or resource busy".
        (["run", "{tiny}", "--out", ""], 'argument --out: expected a directory, got ""'),
        (["run", "{tiny}", "--out", "", "--overwrite"], 'argument --out: expected a directory, got ""'),
        (["validate", "{tiny}", "--out", " "], 'argument --out: expected a directory, got " "'),
        (
            ["compare", "{tiny}", "--policies", "edge", "--out", ""],
            'argument --out: expected a directory, got ""',
        ),
        (["sweep", "{sweep}", "--out", ""], 'argument --out: expected a directory, got ""'),
        # An empty file was the current directory too: "scenario path is a directory, not a file: .".
        (["run", ""], 'argument FILE: expected a scenario file, got ""'),
        (["validate", ""], 'argument FILE: expected a scenario file, got ""'),
        (["compare", "", "--policies", "edge"], 'argument FILE: expected a scenario file, got ""'),
        (["sweep", ""], 'argument SWEEP: expected a sweep file, got ""'),
        (["plot", ""], 'argument RESULTS_DIR: expected a results directory, got ""'),
    ],
)
def test_an_empty_path_is_refused_as_empty_not_read_as_the_current_directory(
    argv, said, tiny, tmp_path, monkeypatch, capsys
):
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"base: {tiny.name}\ngrid: {{duration: [1 s, 2 s]}}\n")
    monkeypatch.chdir(tmp_path)
    given = [a.format(tiny=tiny, sweep=sweep) for a in argv]
    line = _refused(capsys, *given)
    assert line == f"offloadsim: error: {said} (see 'offloadsim {argv[0]} --help')"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml", "tiny.yaml"]


@pytest.mark.parametrize("first", ["", "# uplink, measured\n"])
def test_a_csv_saved_with_a_byte_order_mark_is_read(first, tiny_scenario_text, tmp_path, capsys):
    """Excel's "CSV UTF-8" begins with a BOM: the header was 'unknown column "\\ufefftime"', exit 2."""
    (tmp_path / "uplink.csv").write_bytes(
        b"\xef\xbb\xbf" + f"{first}time,bandwidth\n0,20 Mbps\n1,5 Mbps\n".encode()
    )
    scenario = tmp_path / "s.yaml"
    link = "{kind: link-trace, link: [phone, edge], file: uplink.csv}"
    scenario.write_text(f"{tiny_scenario_text}dynamics:\n  - {link}\n")
    assert main(["validate", str(scenario)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("ok: ")


def test_a_profile_saved_with_a_byte_order_mark_is_read(tmp_path, capsys):
    """JSON refused it: 'not valid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)', exit 2."""
    shipped = Path(__file__).parents[1] / "offloadsim" / "world" / "profiles" / "data" / "xeon-ort-1t.json"
    profile = tmp_path / "mine.json"
    profile.write_bytes(b"\xef\xbb\xbf" + shipped.read_bytes())
    assert main(["profiles", "show", str(profile)]) == 0, capsys.readouterr().err
    assert "xeon-ort-1t" in capsys.readouterr().out


UTF16 = "not UTF-8 text: it is UTF-16 (it begins with its byte-order mark); save it as UTF-8"


@pytest.mark.parametrize("what", ["scenario", "trace", "profile"])
def test_a_utf16_file_is_said_to_be_utf16(what, tiny_scenario_text, tmp_path, capsys):
    """Notepad's "Unicode" is UTF-16: it was "not UTF-8 text (byte 0)", saying nothing of what to do."""
    scenario = tmp_path / "s.yaml"
    if what == "scenario":
        scenario.write_text(tiny_scenario_text, encoding="utf-16")
        argv, said = ["validate", scenario], f"{scenario}: {UTF16}"
    elif what == "trace":
        (tmp_path / "uplink.csv").write_text("time,bandwidth\n0,20 Mbps\n", encoding="utf-16")
        link = "{kind: link-trace, link: [phone, edge], file: uplink.csv}"
        scenario.write_text(f"{tiny_scenario_text}dynamics:\n  - {link}\n")
        argv, said = ["validate", scenario], f"{scenario}: dynamics[0].file: uplink.csv: {UTF16}"
    else:
        shipped = (
            Path(__file__).parents[1] / "offloadsim" / "world" / "profiles" / "data" / "xeon-ort-1t.json"
        )
        profile = tmp_path / "mine.json"
        profile.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-16")
        # a path past 80 characters (pytest-xdist's popen-gwN/ adds 10) is shown cut, as quoted() cuts it
        argv, said = ["profiles", "show", profile], f"cannot read profile {quoted(str(profile))}: {UTF16}"
    assert _refused(capsys, *argv) == f"offloadsim: error: {said}"


@pytest.mark.parametrize("verb", ["run", "validate"])
@pytest.mark.parametrize("given", ["local,edge", "local, edge"])
def test_several_policies_to_a_verb_that_runs_one_point_at_compare(verb, given, tiny, tmp_path, capsys):
    """It was 'unknown policy "local,edge" (did you mean "local" or "edge"?)': nothing of compare."""
    line = _refused(capsys, verb, tiny, "--policy", given, "--out", tmp_path / "out")
    assert line == (
        f'offloadsim: error: argument --policy: expected one policy name, got "{given}"; to run several '
        f"side by side: offloadsim compare FILE --policies local,edge (see 'offloadsim {verb} --help')"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        # It was ': is a directory, expected a calibrated profile file (.json or .yaml)'.
        (
            ["profiles", "show", ""],
            'argument NAME: expected a profile name or file, got "" '
            "(see 'offloadsim profiles show --help')",
        ),
        (
            ["profiles", "--scenario", ""],
            "argument --scenario: expected a scenario file, got \"\" (see 'offloadsim profiles --help')",
        ),
    ],
)
def test_an_empty_profile_name_or_scenario_is_refused_as_empty(argv, said, capsys):
    assert _refused(capsys, *argv) == f"offloadsim: error: {said}"


_WALK = """
name: walk
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}, power: {idle: 0.5 W, busy: 3 W}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 5 ms}
applications:
  job: {work: 1 GFLOP, input: 200 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, rate: 5 /s}
policy: edge
dynamics:
  - {kind: random-walk, link: [phone, edge], every: 1 s, step: 10 Mbps, min: 10 Mbps, max: 100 Mbps}
"""


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("nodes.phone.power.idle=5 W", "nodes.phone.power.busy: busy power (3 W) is below idle (5 W)"),
        ("dynamics[0].min=200 Mbps", "dynamics[0].max: 1e+08 bit/s is below min, 2e+08 bit/s"),
        ("dynamics[0].max=15 Mbps", "dynamics[0].link: the walk starts at 2e+07 bit/s, outside [min, max]"),
        ("dynamics[0].min=30 Mbps", "dynamics[0].link: the walk starts at 2e+07 bit/s, outside [min, max]"),
        ("dynamics[0].kind=link-schedule", 'dynamics[0]: unknown key "every"; expected one of kind, link'),
    ],
)
def test_a_set_that_makes_another_keys_value_wrong_is_named(given, message, tmp_path, capsys):
    """A --set of idle above busy, of a walk's min above its max or above the link's rate it starts
    at, or of a dynamics entry's kind to one that takes other keys, was refused at the other key with
    no word of the --set behind it."""
    path = tmp_path / "walk.yaml"
    path.write_text(_WALK, encoding="utf-8")
    line = _refused(capsys, "validate", path, "--set", given)
    assert line.startswith(f"offloadsim: error: {path}: {message}"), line
    assert line.endswith(f'(set by --set "{given}")'), line


@pytest.mark.parametrize(
    ("written", "escaped"),  # the name's character as the YAML file writes it, as a message shows it
    [
        ("\u202e", "\\u202e"),
        ("\\u202e", "\\u202e"),
        ("\\u2066", "\\u2066"),
        ("\\e", "\\u001b"),
        ("\\x85", "\\u0085"),
        ("\\u200b", "\\u200b"),
        ("\\0", "\\u0000"),
    ],
)
def test_a_control_or_bidi_character_in_a_node_name_is_escaped(
    written, escaped, tiny_scenario_text, tmp_path, capsys
):
    # A right-to-left override (U+202E) in a node's name was printed raw, reordering the rest of
    # the error's line on a terminal, while NUL was escaped: every Cc and Cf character is now.
    path = tmp_path / "rlo.yaml"
    text = tiny_scenario_text.replace("  edge: {", f'  "ed{written}ge": {{').replace(
        "[phone, edge]", "[phone, x]"
    )
    path.write_text(text, encoding="utf-8")
    line = _refused(capsys, "validate", path)
    assert f'node name "ed{escaped}ge"' in line and f'nodes["ed{escaped}ge"]' in line, line
    assert line.isprintable(), ascii(line)
