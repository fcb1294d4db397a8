"""A campaign over kept runs made otherwise (another profile, other requests): refused, nothing lost.

A kept run is found by its configuration's id (model, split, link, pattern). ``campaign --tiny``
(profile ``epyc-ort-1t``) and then ``campaign ... --profile my-cpu`` in the same results read the
first campaign's runs as the second's, printed their predictions and rewrote ``validation.csv``
without the rows the second grid does not hold. No root needed: nothing runs.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace

import pandas as pd

from offloadsim.cli import main
from offloadsim.testbed import campaign

GRID = ["testbed", "campaign", "--models", "mobilenet_v2", "--splits", "middle", "--links", "Wi-Fi",
        "--patterns", "closed", "--repetitions", "1", "--requests", "4", "--no-flows"]  # fmt: skip


def _keep(results, plan, rep=0, measured=30.0):
    """A kept run of ``plan`` as the testbed leaves one: summary and manifest (with its configuration)."""
    run = results / plan.id / f"rep{rep}"
    run.mkdir(parents=True)
    config = replace(plan.config, seed=rep)
    if plan.id.startswith("flows"):
        row = {"flows": 4, "devices": config.devices, "size_bytes": config.size_bytes, "rate_mbps": 18.88,
               "stagger_ms": config.stagger_s * 1e3, "measured_median_fct_ms": measured,
               "predicted_median_fct_ms": measured, "within_15_pct": 1.0, "jain_fairness": 1.0}  # fmt: skip
    else:
        row = {"pattern": config.pattern, "model": config.model, "split": config.split, "k": 9,
               "rate_mbps": 18.88, "measured_median_ms": measured, "predicted_median_ms": 0.9 * measured,
               "measured_iqr_pct": 5.0, "device_cpu_share": 0.95, "edge_cpu_share": 0.95}  # fmt: skip
    (run / "summary.json").write_text(json.dumps({**row, "link_model": "max-min"}))
    kind = "flows" if plan.id.startswith("flows") else "inference"
    manifest = {"format": "offloadsim-testbed/1", "kind": kind, "config": dataclasses.asdict(config)}
    (run / "manifest.json").write_text(json.dumps(manifest))
    return run


def _tiny_campaign(results):
    """The kept runs and tables of ``campaign --tiny`` (profile epyc-ort-1t, 4 requests)."""
    for plan in campaign.tiny_plan():
        _keep(results, plan)
    assert main(["testbed", "campaign", "--tiny", "--tables-only", "--results", str(results)]) == 0


def test_kept_runs_of_another_profile_are_refused_naming_it_and_nothing_is_written(tmp_path, capsys):
    results = tmp_path / "results"
    _tiny_campaign(results)
    capsys.readouterr()
    before = {p: p.read_bytes() for p in results.rglob("*") if p.is_file()}
    argv = [*GRID, "--profile", "xeon-ort-1t", "--results", str(results), "--cache", str(tmp_path / "c")]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    run = results / "mobilenet_v2-middle-Wi-Fi-closed" / "rep0"
    assert line == (
        f'offloadsim: error: {run} was run with profile "epyc-ort-1t" (this campaign: "xeon-ort-1t"); '
        "nothing was run or written: give this campaign another --results directory, or remove "
        f"{run} to run it again"
    )
    assert {p: p.read_bytes() for p in results.rglob("*") if p.is_file()} == before  # nothing lost


def test_kept_runs_with_other_requests_are_refused_too(tmp_path, capsys):
    results = tmp_path / "results"
    _tiny_campaign(results)
    # --requests left at the full campaign's 20
    argv = [*GRID[:-3], "--no-flows", "--results", str(results), "--cache", str(tmp_path / "c")]
    assert main(argv) == 2
    assert "was run with requests 4 (this campaign: 20)" in capsys.readouterr().err


def test_kept_runs_made_as_planned_are_reused_and_dropped_rows_are_named(tmp_path, capsys):
    results = tmp_path / "results"
    _tiny_campaign(results)
    capsys.readouterr()
    argv = [*GRID, "--profile", "epyc-ort-1t", "--results", str(results), "--cache", str(tmp_path / "c")]
    assert main(argv) == 0  # the kept run is this campaign's own: read, not run
    out = capsys.readouterr().out
    assert list(pd.read_csv(results / "validation.csv")["id"]) == ["mobilenet_v2-middle-Wi-Fi-closed"]
    gone = [p.id for p in campaign.tiny_plan() if p.id != "mobilenet_v2-middle-Wi-Fi-closed"]
    note = out.splitlines()[-1]
    assert note.startswith(f"note: the tables now leave out {len(gone)} configuration(s) of an earlier")
    assert all(i in note for i in gone) and f"their runs are kept in {results}/" in note


def test_tables_only_tabulates_kept_runs_whatever_made_them(tmp_path, capsys):
    results = tmp_path / "results"
    _tiny_campaign(results)
    argv = ["testbed", "campaign", *GRID[2:-3], "--no-flows", "--tables-only", "--results", str(results)]
    assert main(argv) == 0  # found by id, as documented: the requests 4 of the kept run are not asked


def test_tiny_takes_a_profile_and_costs_its_runs_with_it(tmp_path, capsys):
    # The quick check of a machine could use only the shipped profile of another CPU.
    results = tmp_path / "results"
    for plan in campaign.tiny_plan("xeon-ort-1t"):
        _keep(results, plan)
    profiles = {p.config.profile for p in campaign.tiny_plan("xeon-ort-1t") if not p.id.startswith("flows")}
    assert profiles == {"xeon-ort-1t"}
    tiny = ["testbed", "campaign", "--tiny", "--results", str(results), "--cache", str(tmp_path / "c")]
    assert main([*tiny, "--profile", "xeon-ort-1t"]) == 0  # its own kept runs: read, not run
    assert len(pd.read_csv(results / "validation.csv")) == 4
    assert main([*tiny, "--profile", "epyc-ort-1t"]) == 2
    assert 'profile "xeon-ort-1t" (this campaign: "epyc-ort-1t")' in capsys.readouterr().err


def test_tiny_refuses_a_profile_it_cannot_use(capsys):
    assert main(["testbed", "campaign", "--tiny", "--profile", "cortex-a76"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "derived profile" in line


def test_the_printed_table_shows_no_spread_for_one_repetition(tmp_path, capsys):
    results = tmp_path / "results"
    _tiny_campaign(results)
    out = capsys.readouterr().out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split()[:1] == ["model"])
    header, first = lines[at : at + 2]
    assert header.split()[-1] == "spread_pct" and first.split()[-1] == "–"  # printed 0.0
    assert pd.isna(pd.read_csv(results / "validation.csv")["spread_pct"]).all()  # null, not 0


INTEL = {"cpu_model": "Intel(R) Xeon(R) Processor", "cpu": {"family": 6, "model": 207}, "load_average": [1.9]}


def test_a_profile_of_another_cpu_is_said_for_a_run_in_its_words():
    from offloadsim.testbed.experiment import calibrated_profile
    from offloadsim.testbed.profile_note import profile_note

    note = profile_note(calibrated_profile("epyc-ort-1t"), INTEL)
    assert note == (
        'profile "epyc-ort-1t" was calibrated on AMD EPYC (2026-12-02), not on this machine\'s Intel(R) '
        "Xeon(R) Processor: the testbed measures this machine, so the predicted compute times are that CPU's "
        "(calibrate this one: offloadsim calibrate --threads 1 --name NAME, then --profile NAME)"
    )
    same = {"cpu_model": "AMD EPYC", "cpu": {"family": 25}}  # the profile recorded no fingerprint
    assert "was calibrated on a CPU named AMD EPYC (2026-12-02): the testbed" in profile_note(
        calibrated_profile("epyc-ort-1t"), same
    )


def test_the_campaign_says_its_runs_profile_came_from_another_cpu(tmp_path, capsys):
    from offloadsim.testbed.experiment import calibrated_profile
    from offloadsim.testbed.profile_note import profile_note

    results = tmp_path / "results"
    for plan in campaign.tiny_plan():
        run = _keep(results, plan)
        manifest = json.loads((run / "manifest.json").read_text())
        (run / "manifest.json").write_text(json.dumps({**manifest, "machine": INTEL}))  # a run made before
    assert main(["testbed", "campaign", "--tiny", "--tables-only", "--results", str(results)]) == 0
    note = profile_note(calibrated_profile("epyc-ort-1t"), INTEL)
    assert f"note: {note}" in capsys.readouterr().out.splitlines()
    table = pd.read_csv(results / "validation.csv")
    assert set(table["profile"]) == {"epyc-ort-1t"}
    runs = pd.read_csv(results / "runs.csv")
    assert set(runs["profile_note"].dropna()) == {note}
    assert campaign.figure_note(runs).splitlines()[1] == note  # under the figure too
