"""``compare --dry-run``: compare's checks and plan, printed; nothing simulated, nothing written."""

from __future__ import annotations

import pytest


def test_a_dry_run_lists_each_entry_as_it_runs_and_the_jobs_and_writes_nothing(
    cli_main, tiny, tmp_path, capsys, monkeypatch
):
    """Each entry by its label, the policy and parameters it runs, the baseline marked; no directory made.

    ``least-loaded`` is the file's policy: a plain name keeps its parameters, an entry merges its own
    over them (none here), as the runs would.
    """
    monkeypatch.chdir(tmp_path)  # the default --out is relative: results/tiny-compare-s11
    argv = ["compare", str(tiny), "--policies", "local,least-loaded(load_bucket=0.02),edge", "-n", "4"]
    assert cli_main([*argv, "--baseline", "edge", "--dry-run"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[:4] == [
        "ok: 3 policies x 4 replications = 12 jobs (seed 11; results to results/tiny-compare-s11)",
        "  local: policy.name=local",
        "  least-loaded(load_bucket=0.02): policy.name=least-loaded, policy.load_bucket=0.02",
        "  edge (baseline): policy.name=edge",
    ]
    assert lines[4].startswith("5 nodes (3 device, 1 network, 1 edge)"), (
        lines
    )  # the world, as run --dry-run's
    assert lines[-1] == "dry run: nothing simulated, nothing written"
    assert "fixed plan" not in captured.out  # no policy of kind fixed
    assert captured.err == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


def test_a_dry_run_counts_one_policy_and_one_replication_in_the_singular(cli_main, tiny, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert (
        cli_main(["compare", str(tiny), "--policies", "edge", "-n", "1", "--out", str(out), "--dry-run"]) == 0
    )
    assert capsys.readouterr().out.startswith(
        f"ok: 1 policy x 1 replication = 1 job (seed 11; results to {out})\n"
    )
    assert not out.exists()


def test_a_dry_run_says_the_seed_the_runs_use(cli_main, tiny, tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", str(tiny), "--policies", "local,edge", "-n", "2", "--seed", "5", "--out", str(out)]
    assert cli_main([*argv, "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith(
        f"ok: 2 policies x 2 replications = 4 jobs (seed 5; results to {out})"
    )


@pytest.mark.parametrize(
    "arguments",
    [
        ["--policies", "local,edge", "--out", "{file}"],  # a file where the directory would go
        ["--policies", "local,edge", "--baseline", "cloud"],  # not one of the compared policies
        ["--policies", "local,edge,local"],  # an entry given twice
        # two entries that run the file's policy with the same parameters (its own, the entry's)
        ["--policies", "least-loaded,least-loaded(load_bucket=0.02)", "--set", "policy.load_bucket=0.02"],
        ["--policies", "local(speed=2),edge"],  # a parameter the policy does not have
        ["--policies", "edge(fallback=nowhere)"],  # a parameter's value it does not take
        ["--policies", "local,edge(fallback=drop"],  # an entry that cannot be read
        ["--policies", "local,nosuch"],  # no such policy
        ["--policies", "edge", "--set", "policy.load_bucket=0.02"],  # the file's parameter, dropped
        ["--policies", "local,edge", "-n", "600000"],  # too many jobs
    ],
    ids=[
        "out",
        "baseline",
        "twice",
        "same-parameters",
        "parameter",
        "value",
        "unread",
        "unknown",
        "dropped",
        "jobs",
    ],
)
def test_a_dry_run_refuses_what_a_real_compare_refuses_in_its_line(
    cli_main, tiny, tmp_path, capsys, arguments
):
    """The same one line, exit 2, before anything is printed or written: what a run refuses, refused."""
    (tmp_path / "file").write_text("mine")
    argv = ["compare", str(tiny), "--workers", "1", "--quiet"]
    argv += [a.replace("{file}", str(tmp_path / "file")) for a in arguments]
    if "-n" not in argv:
        argv += ["-n", "2"]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "cmp")]
    assert cli_main([*argv, "--dry-run"]) == 2
    dry = capsys.readouterr()
    assert cli_main(argv) == 2
    real = capsys.readouterr()
    (line,) = dry.err.splitlines()
    assert line.startswith("offloadsim: error: ") and dry.err == real.err, (dry.err, real.err)
    assert dry.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "tiny.yaml"]


def test_a_dry_run_refuses_an_overwrite_that_would_delete_what_the_runs_read(
    cli_main, tiny, tmp_path, capsys
):
    """``--out`` the scenario's own folder with ``--overwrite``: refused, the scenario left where it is."""
    argv = [
        "compare",
        str(tiny),
        "--policies",
        "local,edge",
        "-n",
        "1",
        "--out",
        str(tmp_path),
        "--overwrite",
    ]
    assert cli_main([*argv, "--dry-run"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert str(tiny) in line, line
    assert tiny.is_file()


def test_a_dry_run_says_each_warning_once_as_the_comparison_does(cli_main, tiny, tmp_path, capsys):
    """Every policy's scenario checks: a workload that stops in the warm-up, said once for both policies."""
    argv = ["compare", str(tiny), "--policies", "local,edge", "-n", "1", "--set", "workload[0].stop=1 s"]
    assert cli_main([*argv, "--out", str(tmp_path / "dry"), "--dry-run"]) == 0
    dry = capsys.readouterr().err
    assert cli_main([*argv, "--out", str(tmp_path / "real"), "--workers", "1", "--quiet"]) == 0
    real = capsys.readouterr().err
    (line,) = dry.splitlines()
    assert "[silent-workloads]" in line and dry == real, (dry, real)
    assert not (tmp_path / "dry").exists()


def test_the_help_names_the_dry_run(cli_main, capsys):
    assert cli_main(["compare", "--help"]) == 0
    assert "--dry-run" in capsys.readouterr().out


def test_a_dry_run_notes_each_entrys_cut_clamped_for_some_applications_by_its_label(
    cli_main, tmp_path, capsys
):
    """Two entries of fixed, each cutting past the 3 layers of ``small`` (not the 5 of ``big``): a note each.

    The notes a comparison prints under its table, said before its runs, naming the entry as the table does.
    """
    from experiment_data import TWO_APPS

    path = tmp_path / "two.yaml"
    path.write_text(TWO_APPS, encoding="utf-8")
    entries = [
        "fixed(nodes=[$source, server], cuts=[4])",
        "local",
        "fixed(nodes=[$source, server], cuts=[5])",
    ]
    argv = [
        "compare",
        str(path),
        "--policies",
        ",".join(entries),
        "--out",
        str(tmp_path / "cmp"),
        "--dry-run",
    ]
    assert cli_main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    # (the plain speeds' and power values' lines aside: tests/test_stated_notes.py)
    stated = ("the scenario's own figure", "energy rests on")
    notes = [line for line in lines if line.startswith("note: ") and not any(s in line for s in stated)]
    assert notes == [
        f'note: policy.cuts[0]: policy "{entry}" cuts at layer {cut}, beyond the 3 layers of small: clamped '
        "there, so its tasks run all their layers on the stations before the cut"
        for entry, cut in ((entries[0], 4), (entries[2], 5))
    ]


def test_a_real_compare_refuses_before_running_an_overwrite_that_would_delete_a_file_it_reads(
    cli_main, tiny, tmp_path, capsys, monkeypatch
):
    """An earlier result holding a CSV the scenario reads: refused up front, as the dry run refuses it.

    It was refused only when the result was written, after every run had been simulated.
    """
    import offloadsim.experiments

    out = tmp_path / "earlier"
    argv = ["compare", str(tiny), "--policies", "local,edge", "-n", "1", "--workers", "1", "--quiet"]
    assert cli_main([*argv, "--out", str(out)]) == 0
    samples = out / "work.csv"
    samples.write_text("work\n1e9\n2e9\n", encoding="utf-8")
    capsys.readouterr()

    def not_run(*args, **kwargs):
        raise AssertionError("compare ran before refusing the --out")

    monkeypatch.setattr(offloadsim.experiments, "compare", not_run)
    reads = ["--set", f"applications.job.work={{empirical: {samples}}}", "--out", str(out), "--overwrite"]
    assert cli_main([*argv, *reads]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "work.csv" in line and "--overwrite would delete" in line, line
    assert samples.is_file()
