"""The calibrate verb: error paths give exit 2 and one line; a tiny numpy run writes a profile."""

import argparse
import json
from pathlib import Path

import pytest

from offloadsim.cli.calibrate import add_calibrate_command


def run(argv):
    """Through offloadsim.cli.main when the verb is wired there, else a fresh parser."""
    from offloadsim import cli

    if "calibrate" in cli.build_parser().format_help():
        return cli.main(argv)
    parser = argparse.ArgumentParser(prog="offloadsim")
    add_calibrate_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calibrate", "--models", "resnet-9000"], "unknown model"),
        # Names in double quotes and paths bare, as the rest of the CLI writes them (not Python's repr).
        (["calibrate", "--models", "resnet18@x"], 'bad model "resnet18@x": expected NAME@IMAGE_SIZE'),
        # resnet18@10 is NAME@IMAGE_SIZE, as the refusal asked for: it is the size that is too small,
        # said as models show and a scenario's params say a size out of bounds (parameter_problems).
        (
            ["calibrate", "--models", "resnet18@10"],
            'bad model "resnet18@10": NAME@SIZE sets an image model\'s image_size; '
            "expected a whole number at least 16, got 10",
        ),
        # A model that takes no image size, said as models show says it, not as bert's TypeError.
        (
            ["calibrate", "--models", "bert-base@64"],
            'bad model "bert-base@64": NAME@SIZE sets an image model\'s image_size; '
            'model "bert-base" has no parameter "image_size"',
        ),
        # "@" with no size was read as resnet18 and timed; "²" passed isdigit() and int() raised (exit 1);
        # Arabic-Indic digits were timed and labelled as given.
        (["calibrate", "--models", "resnet18@"], "expected NAME@IMAGE_SIZE"),
        (["calibrate", "--models", "resnet18@\u00b2"], "expected NAME@IMAGE_SIZE"),
        (["calibrate", "--models", "resnet18@\u0661\u0666\u0660"], "expected NAME@IMAGE_SIZE"),
        (["calibrate", "--backend", "tensorflow"], 'unknown backend "tensorflow"; choose one of '),
        (["calibrate", "--onnx", "no/such/file.onnx"], "ONNX file not found: no/such/file.onnx"),
        (["calibrate", "report", "no/such/profile.json"], "cannot read profile"),
        (["calibrate", "report", "no-such-profile"], 'unknown profile "no-such-profile"'),
        (["calibrate", "report", "a100"], "derived profile"),
        (["calibrate", "--target-ci", "abc"], "percentage"),
        # Both ran every timing, then wrote a profile no scenario's 'profile: NAME' would find.
        (
            ["calibrate", "--name", "lab/pi"],
            'without a path separator (a scenario finds it as NAME.json), got "lab/pi"',
        ),
        (["calibrate", "--name", "t4"], '"t4" is a shipped derived profile'),
        # An empty name was refused as one "without a path separator", which it is
        (["calibrate", "--name", ""], 'expected a profile name (a scenario finds it as NAME.json), got ""'),
        (
            ["calibrate", "--name", ".."],
            'expected a profile name (a scenario finds it as NAME.json), got ".."',
        ),
        # --no-cache beside --cache DIR kept no cache, DIR ignored without a word
        (["calibrate", "--no-cache", "--cache", "c"], "--cache: not allowed with argument --no-cache"),
        (["calibrate", "--cache", "c", "--no-cache"], "--no-cache: not allowed with argument --cache"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, message, capsys):
    assert run(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("offloadsim: error: ") and message in err[0]


@pytest.mark.parametrize("label", ["resnet18@99999", "resnet18@" + "9" * 5000, "alexnet@20"])
def test_a_size_too_large_or_unbuildable_is_refused_as_models_show_refuses_it(label, capsys):
    # Past 16,384 pixels calibrate said "an image size of at most 16,384 pixels" where a scenario
    # said "a whole number at most 16,384"; a model too small to build was "cannot build ..." here
    # and 'model "alexnet" cannot be built with image_size 20' in models show and a scenario.
    assert run(["calibrate", "--models", label]) == 2
    calibrate = capsys.readouterr().err
    assert run(["models", "show", label]) == 2
    assert calibrate == capsys.readouterr().err
    assert len(calibrate.strip().splitlines()) == 1
    said = (
        'model "alexnet" cannot be built with image_size 20: '
        if label.startswith("alexnet")
        else "NAME@SIZE sets an image model's image_size; expected a whole number at most 16,384, got 9"
    )
    assert said in calibrate, calibrate


@pytest.mark.parametrize("where", ["under-a-file", "a-directory", "a-device", "an-onnx-model", "a-scenario"])
def test_an_out_that_cannot_be_a_profile_file_is_refused_before_any_timing(
    where, tmp_path, capsys, monkeypatch
):
    """--out under a file, at a folder or at /dev/null ended, after the timings, in "internal error:
    FileExistsError" (exit 1); as root, renaming the profile onto /dev/null would have replaced it."""
    from offloadsim.calibration import pipeline

    def never(*args, **kwargs):
        raise AssertionError("timed kernels for a profile it cannot write")

    monkeypatch.setattr(pipeline, "calibrate", never)
    (tmp_path / "s.yaml").write_text("name: s\n")
    (tmp_path / "m.onnx").write_bytes(b"\x08\x07")
    out, said = {
        "under-a-file": (tmp_path / "s.yaml" / "p.json", "is not a directory"),
        "a-directory": (tmp_path, "it is a directory"),
        "a-device": ("/dev/null", "it is a character device, not a file"),
        # both were overwritten by the profile, with exit 0 (--out model.onnx, for --onnx)
        "an-onnx-model": (tmp_path / "m.onnx", "a profile file is named .json, .yaml or .yml"),
        "a-scenario": (tmp_path / "s.yaml", "it exists and is not a calibrated profile"),
    }[where]
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--backend", "numpy", "--no-cache", "-q"]
    assert run([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"offloadsim: error: cannot write {out}: ") and said in err[0]
    assert (tmp_path / "s.yaml").read_text() == "name: s\n" and (
        tmp_path / "m.onnx"
    ).read_bytes() == b"\x08\x07"


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        # A cache that is a file, or under one, was an internal error (FileExistsError, exit 1) at the
        # first unit timed.
        (["--cache", "/dev/null"], "argument --cache: /dev/null exists and is not a directory"),
        (["--cache", "{tmp}/s.yaml/cache"], "argument --cache: {tmp}/s.yaml exists and is not a directory"),
        # Empty, each was read as not given: the timings ran, and the profile (or report) went to the
        # default place.
        (["--out", ""], 'argument --out: expected a file name, got ""'),
        (["--cache", ""], 'argument --cache: expected a directory, got ""'),
        (["--report", "--report-dir", ""], 'argument --report-dir: expected a directory, got ""'),
        # A control character went into the profile's file name and its name.
        (["--name", "pi\x01"], 'argument --name: expected a name of printable characters, got "pi\\u0001"'),
    ],
)
def test_a_bad_cache_name_or_empty_path_is_refused_before_any_timing(
    extra, said, tmp_path, capsys, monkeypatch
):
    from offloadsim.calibration import pipeline

    def never(*args, **kwargs):
        raise AssertionError("timed kernels for a calibration it had to refuse")

    monkeypatch.setattr(pipeline, "calibrate", never)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "s.yaml").write_text("name: s\n")
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--backend", "numpy", "-q"]
    assert run([*argv, *(a.replace("{tmp}", str(tmp_path)) for a in extra)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("offloadsim: error: ")
    assert said.replace("{tmp}", str(tmp_path)) in err[0]
    assert not (tmp_path / "data").exists()


def test_calibrate_report_refuses_an_empty_out(capsys):
    assert run(["calibrate", "report", "epyc-ort-1t", "--out", ""]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        'offloadsim: error: argument --out: expected a directory, got "" '
        "(see 'offloadsim calibrate report --help')"
    ]


def test_an_out_that_is_a_profile_already_is_replaced(tmp_path, capsys):
    """Calibrating again over an earlier profile (or a file left empty) is allowed."""
    out = tmp_path / "p.yaml"
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--backend", "numpy", "--repeats", "2"]
    argv += ["--warmup", "1", "--no-cache", "--no-correction", "-q", "--out", str(out)]
    out.write_text("")
    assert run(argv) == 0, capsys.readouterr().err
    assert "kept the earlier" not in capsys.readouterr().out and list(tmp_path.iterdir()) == [out]
    from offloadsim.world.profiles.calibrated import list_profiles, load_profile

    first, date = out.read_bytes(), load_profile(out).provenance["date"]
    assert run(argv) == 0, capsys.readouterr().err

    assert load_profile(out).provenance["models"] == ["squeezenet1_1@32"]
    # The earlier profile is kept, as an earlier result is, where no 'profile: NAME' finds it: a rerun
    # under the same name replaced it without a word, under the runs that had named it.
    assert (tmp_path / "p.yaml.old-1").read_bytes() == first
    assert list(list_profiles([tmp_path]).values()) == [out]
    kept = f"kept the earlier profile there (calibrated {date}) as p.yaml.old-1; a scenario naming "
    kept += '"p" reads the new one'
    assert kept in capsys.readouterr().out


def test_missing_torch_is_a_user_error(capsys):
    pytest.importorskip("onnxruntime")
    try:
        import torch  # noqa: F401

        pytest.skip("torch is installed")
    except ImportError:
        pass
    assert run(["calibrate", "--backend", "torch"]) == 2
    assert "not installed" in capsys.readouterr().err


def test_missing_execution_provider_is_a_user_error(capsys):
    ort = pytest.importorskip("onnxruntime")
    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this machine has CUDA")
    assert run(["calibrate", "--provider", "CUDAExecutionProvider"]) == 2
    assert "CUDAExecutionProvider" in capsys.readouterr().err


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_an_execution_provider_with_another_backend_than_onnxruntime_is_refused(backend, tmp_path, capsys):
    """It was ignored: the CPU timed, and the profile recorded the GPU's provider as its backend's."""
    out = tmp_path / "p.json"
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--backend", backend, "--provider"]
    argv += [
        "CUDAExecutionProvider",
        "--repeats",
        "2",
        "--warmup",
        "1",
        "--no-cache",
        "-q",
        "--out",
        str(out),
    ]
    assert run(argv) == 2
    assert capsys.readouterr().err == (
        f'offloadsim: error: execution provider "CUDAExecutionProvider" is onnxruntime\'s: the {backend} '
        'backend times on the CPU (use the onnxruntime backend to time on "CUDAExecutionProvider")\n'
    )
    assert not out.exists()


def test_tiny_numpy_run_writes_a_profile(tmp_path, capsys):
    out = tmp_path / "p.json"
    argv = [
        "calibrate",
        "--models",
        "squeezenet1_1@32",
        "--backend",
        "numpy",
        "--repeats",
        "2",
        "--warmup",
        "1",
        "--no-cache",
        "--out",
        str(out),
        "-q",
    ]
    assert run(argv) == 0
    assert out.exists() and "profile:" in capsys.readouterr().out
    from offloadsim.world.profiles.calibrated import load_profile

    provenance = load_profile(out).provenance
    assert provenance["models"] == ["squeezenet1_1@32"]
    from offloadsim.host import cpu_fingerprint

    assert provenance["cpu"] == cpu_fingerprint()  # the CPU beyond its name, for the run's note


@pytest.mark.parametrize("backend", ["numpy", "onnxruntime"])
def test_calibrate_on_an_onnx_file_the_package_exported(backend, tmp_path, capsys):
    """It crashed with a TypeError: imported layers had ONNX attribute names the kernels do not read."""
    pytest.importorskip("onnxruntime" if backend == "onnxruntime" else "onnx")
    from offloadsim.models import export_onnx, get_model, load_onnx
    from offloadsim.world.profiles.calibrated import load_profile

    graph = get_model("squeezenet1_1", image_size=32)
    model = export_onnx(graph, tmp_path / "squeeze.onnx")
    out = tmp_path / "p.json"
    argv = ["calibrate", "--onnx", str(model), "--backend", backend, "--repeats", "2", "--warmup", "1"]
    assert run([*argv, "--no-cache", "--no-correction", "--out", str(out), "-q"]) == 0, (
        capsys.readouterr().err
    )
    profile = load_profile(out)
    assert profile.provenance["models"] == ["squeeze"]
    # every unit of the imported graph was timed, and the zoo graph finds the very same timings
    imported = profile.predict(load_onnx(model))
    assert "extrapolated" not in imported.source and imported.source.count("measured") > 0
    assert imported.source == profile.predict(graph).source
    assert profile.layer_seconds(graph).sum() == imported.seconds.sum() > 0


@pytest.mark.parametrize("give_onnx", [True, False])
def test_report_on_a_profile_calibrated_on_an_onnx_file(give_onnx, tmp_path, capsys, monkeypatch):
    """'calibrate report P' took the ONNX training model's label ('squeeze') for a zoo name and
    refused: unknown model "squeeze", even with --onnx squeeze.onnx."""
    pytest.importorskip("onnxruntime")
    from offloadsim.cli import calibrate as verb
    from offloadsim.models import export_onnx, get_model

    monkeypatch.setattr(verb, "DEFAULT_HOLDOUT", ("squeezenet1_1@32",))  # keep the report small
    model = export_onnx(get_model("squeezenet1_1", image_size=32), tmp_path / "squeeze.onnx")
    out = tmp_path / "p.json"
    quick = ["--repeats", "2", "--warmup", "1"]
    argv = [
        "calibrate",
        "--onnx",
        str(model),
        *quick,
        "--no-cache",
        "--no-correction",
        "-q",
        "--out",
        str(out),
    ]
    assert run(argv) == 0, capsys.readouterr().err
    capsys.readouterr()
    report = ["calibrate", "report", str(out), *quick, "-q", "--out", str(tmp_path / "rep")]
    assert run([*report, *(["--onnx", str(model)] if give_onnx else [])]) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    rows = (tmp_path / "rep" / "accuracy.csv").read_text().splitlines()
    timed = {row.split(",")[0] for row in rows[1:]}
    assert timed == ({"squeeze", "squeezenet1_1@32"} if give_onnx else {"squeezenet1_1@32"})
    note = 'training model "squeeze" is not a zoo model'
    assert (note in captured.err) is not give_onnx


@pytest.mark.parametrize("verb", ["calibrate", "report"])
def test_an_onnx_file_whose_external_weights_are_missing(verb, tmp_path, capsys):
    """Import does not read external weights, so this passed it; onnxruntime then failed: exit 1."""
    pytest.importorskip("onnxruntime")
    from offloadsim.models import export_onnx, get_model

    model = export_onnx(get_model("squeezenet1_1", image_size=32), tmp_path / "net.onnx", external_data=True)
    data = [p for p in tmp_path.iterdir() if p.name != "net.onnx"]
    assert data
    for p in data:
        p.unlink()
    quick = ["--onnx", str(model), "--repeats", "2", "--warmup", "1", "-q"]
    argv = {
        "calibrate": ["calibrate", *quick, "--no-cache", "--out", str(tmp_path / "p.json")],
        "report": ["calibrate", "report", "epyc-ort-1t", "--models", "squeezenet1_1@32", *quick],
    }[verb]
    assert run([*argv, *(["--out", str(tmp_path / "rep")] if verb == "report" else [])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"offloadsim: error: cannot read ONNX file {model}: ")
    assert "external data file" in err[0] and "which is missing" in err[0]


def test_max_repeats_below_repeats_is_refused_before_any_timing(tmp_path, capsys, monkeypatch):
    """It timed each unit --repeats times and recorded the smaller --max-repeats in the profile."""
    from offloadsim.calibration import pipeline

    def never(*args, **kwargs):
        raise AssertionError("timed kernels for contradictory repeats")

    monkeypatch.setattr(pipeline, "calibrate", never)
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--repeats", "10", "--max-repeats", "3"]
    assert run([*argv, "--no-cache", "-q", "--out", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["offloadsim: error: argument --max-repeats: expected at least --repeats (10), got 3"]


@pytest.mark.parametrize("text", ["an edge box\nwith 4 cores", "", "  "])
def test_a_description_of_more_or_less_than_one_line_is_refused(tmp_path, capsys, monkeypatch, text):
    """A line break was written into the profile, and split `profiles show`'s first line."""
    from offloadsim.calibration import pipeline

    def never(*args, **kwargs):
        raise AssertionError("timed kernels for a profile described in several lines")

    monkeypatch.setattr(pipeline, "calibrate", never)
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--description", text, "--no-cache", "-q"]
    assert run([*argv, "--out", str(tmp_path / "p.json")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("offloadsim: error: argument --description: expected one line of text, got ")
    assert not (tmp_path / "p.json").exists()


def test_more_threads_than_cores_are_refused_before_any_timing(tmp_path, capsys, monkeypatch):
    """--threads 100000 asked onnxruntime for that many threads: it hung for minutes, then was killed."""
    import os

    from offloadsim.calibration import pipeline

    def never(*args, **kwargs):
        raise AssertionError("timed kernels with more threads than cores")

    monkeypatch.setattr(pipeline, "calibrate", never)
    cores = len(os.sched_getaffinity(0))
    argv = ["calibrate", "--models", "squeezenet1_1@32", "--threads", str(cores + 1), "--no-cache", "-q"]
    assert run([*argv, "--out", str(tmp_path / "p.json")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"offloadsim: error: argument --threads: expected at most {cores} (the cores ")
    assert line.endswith(f"got {cores + 1}") and not (tmp_path / "p.json").exists()


@pytest.mark.parametrize("option", [["--holdout", "resnet18"], ["--report-dir", "r"]])
def test_a_report_option_without_report_is_refused_before_any_timing(tmp_path, capsys, monkeypatch, option):
    """--holdout and --report-dir were ignored without a word when --report was not given."""
    from offloadsim.calibration import pipeline

    def never(*args, **kwargs):
        raise AssertionError("timed kernels for a report that will not be made")

    monkeypatch.setattr(pipeline, "calibrate", never)
    argv = ["calibrate", "--models", "squeezenet1_1@32", *option, "--no-cache", "-q"]
    assert run([*argv, "--out", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"offloadsim: error: argument {option[0]}: takes effect only with --report (add --report)"]


def test_a_cache_that_cannot_be_written_is_refused_before_any_timing(tmp_path, capsys, monkeypatch):
    """A --cache on a read-only disk was an internal error (OSError, exit 1) at the first unit timed."""
    import os

    from offloadsim.calibration import pipeline

    def never(*args, **kwargs):
        raise AssertionError("timed kernels for a calibration it had to refuse")

    monkeypatch.setattr(pipeline, "calibrate", never)
    read_only = tmp_path / "ro"
    read_only.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != read_only and real_access(p, mode))
    argv = ["calibrate", "--models", "alexnet", "--cache", str(read_only / "cache"), "-q"]
    assert run([*argv, "--out", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    said = f"argument --cache: cannot write {read_only / 'cache'}: {read_only} is not writable"
    assert err == [f"offloadsim: error: {said}"]


TINY = ["calibrate", "--models", "squeezenet1_1@32", "--backend", "numpy", "--repeats", "2", "--warmup", "1"]
TINY += ["--no-cache", "--no-correction", "-q"]


def test_an_out_in_folders_not_there_yet_makes_them_as_every_out_does(tmp_path, capsys):
    """As run, compare, sweep and plot --out do: docs/calibration.md says so."""
    out = tmp_path / "lab" / "boxes" / "p.json"
    assert run([*TINY, "--out", str(out)]) == 0, capsys.readouterr().err
    assert out.is_file()


def test_a_profile_that_cannot_be_written_leaves_no_folder_made_for_it(tmp_path, capsys, monkeypatch):
    """A failed write left the folders --out had made (the guarantee of every --out: none left)."""
    import errno

    from offloadsim.calibration import profile

    def full(text, path):  # as the write does: the folders made first, then the disk is full
        path.parent.mkdir(parents=True, exist_ok=True)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(profile, "write_text", full)
    out = tmp_path / "lab" / "boxes" / "p.json"
    assert run([*TINY, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"offloadsim: error: cannot write {out}: No space left on device", err
    assert list(tmp_path.iterdir()) == []
    # An earlier profile there, moved aside for the new one, is put back.
    earlier = tmp_path / "p.json"
    monkeypatch.undo()
    assert run([*TINY, "--out", str(earlier)]) == 0, capsys.readouterr().err
    before = earlier.read_bytes()
    monkeypatch.setattr(profile, "write_text", full)
    assert run([*TINY, "--out", str(earlier)]) == 2
    assert earlier.read_bytes() == before and list(tmp_path.iterdir()) == [earlier]


def test_a_profile_written_to_out_without_a_name_is_named_as_its_file(tmp_path, capsys):
    """``--out mine.json`` wrote a profile named ``calibrated-numpy-1t``: a scenario naming it
    ``profile: mine`` read notes and warnings on "calibrated-numpy-1t", another name than its own."""
    from offloadsim.world.profiles import get_profile

    assert run([*TINY, "--out", str(tmp_path / "mine.json")]) == 0, capsys.readouterr().err
    assert get_profile("mine", [tmp_path]).name == "mine"
    assert run([*TINY, "--out", str(tmp_path / "t4.json")]) == 0, capsys.readouterr().err
    assert json.loads((tmp_path / "t4.json").read_text())["name"] == "calibrated-numpy-1t"  # t4: derived
