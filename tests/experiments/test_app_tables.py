"""A table per application where a run's or comparison's tasks span several (``Summary.apps``, ``apps.csv``).

A course's CNN and LLM, a fleet's CNN, speech model and LLM: ``run`` and ``compare`` printed one table
pooling every application (a CNN's milliseconds and an LLM's seconds in one mean), with each
application's numbers only through ``plot --by app`` or pandas.  Each number here is worked out again
from tasks.parquet with a pandas groupby.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

#: A CNN with a deadline and an LLM without one, on a phone or an edge server: a few seconds of each.
CNN_AND_LLM = """
name: cnn-and-llm
duration: 20 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 2}}
  edge: {tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone, edge], bandwidth: 100 Mbps, latency: 5 ms}
applications:
  cnn: {work: 0.1 GFLOP, input: 10 KB, deadline: 50 ms}
  chat: {model: llama-3.2-1b, prompt_tokens: 32, output_tokens: 4}
workload:
  - {app: cnn, sources: phone, rate: 4 /s}
  - {app: chat, sources: phone, rate: 0.3 /s}
policy: local
"""


def _by_hand(tasks: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Each application's numbers from its task rows (every task here ends: none in flight at the end)."""
    out = {}
    for app, rows in tasks.groupby("app", observed=True):
        done = rows[rows["status"] == "completed"]
        timed = rows[rows["deadline"].notna()]
        numbers = {
            "arrived": float(len(rows)),
            "completed": float(len(done)),
            "latency_mean_s": done["latency"].mean(),
            "latency_p95_s": float(np.percentile(done["latency"], 95)),
        }
        if len(timed):
            numbers["deadline_miss_rate"] = float((~timed["deadline_met"].astype(bool)).mean())
        if done["ttft"].notna().any():
            numbers["ttft_mean_s"] = done["ttft"].mean()
            numbers["ttft_p95_s"] = float(np.percentile(done["ttft"].dropna(), 95))
            numbers["tpot_mean_s"] = done["tpot"].mean()
        out[str(app)] = numbers
    return out


def test_a_run_of_two_applications_gives_each_ones_numbers(cli_main, tmp_path, capsys, monkeypatch):
    import offloadsim

    file = tmp_path / "mix.yaml"
    file.write_text(CNN_AND_LLM, encoding="utf-8")
    assert cli_main(["run", str(file), "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out
    tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
    assert (tasks["status"] == "completed").all()  # so that the by-hand numbers need no in-flight rule
    expected = _by_hand(tasks)
    apps = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))["apps"]
    for app, numbers in expected.items():
        for metric, value in numbers.items():
            assert apps[f"{app}.{metric}"] == pytest.approx(value, rel=1e-12), (app, metric)
    assert "chat.deadline_miss_rate" in apps and apps["chat.deadline_miss_rate"] is None  # no deadline: none
    assert "cnn.ttft_mean_s" not in apps  # a CNN has no first token

    rows = printed[printed.index("by application") :].splitlines()
    cnn = next(line for line in rows if line.lstrip().startswith("cnn ("))
    chat = next(line for line in rows if line.lstrip().startswith("chat ("))
    assert "% missed" in cnn and "ttft" not in cnn
    assert "no deadlines" in chat and "% missed" not in chat and "ttft" in chat and "tpot" in chat
    assert "each application alone in its rows by application" in printed

    # The engine's records read a chunk at a time give the same numbers.
    monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", 7)
    assert offloadsim.run(file).summary.apps == pytest.approx(
        {key: float("nan") if value is None else value for key, value in apps.items()}, nan_ok=True
    )


def test_a_comparison_of_two_applications_writes_apps_csv(tmp_path):
    from offloadsim.analysis.catalogue import metric_info
    from offloadsim.analysis.statistics import mean_ci, paired_difference_ci
    from offloadsim.experiments import compare

    file = tmp_path / "mix.yaml"
    file.write_text(CNN_AND_LLM, encoding="utf-8")
    result = compare(str(file), ["local", "edge"], 3, workers=1, out=tmp_path / "cmp")
    written = pd.read_csv(tmp_path / "cmp" / "apps.csv")
    pd.testing.assert_frame_equal(written, result.apps.reset_index(drop=True), check_dtype=False)

    tasks = pd.read_parquet(tmp_path / "cmp" / "tasks.parquet")
    per_run = {
        (str(policy), int(r)): _by_hand(rows)
        for (policy, r), rows in tasks.groupby(["policy", "replication"])
    }
    for (app, policy, metric), row in written.set_index(["app", "policy", "metric"]).iterrows():
        values = [per_run[(policy, r)].get(app, {}).get(metric, np.nan) for r in range(3)]
        mean, half = mean_ci(np.array(values))
        assert row["n"] == np.isfinite(values).sum(), (app, policy, metric)
        assert row["mean"] == pytest.approx(mean, nan_ok=True), (app, policy, metric)
        assert row["ci"] == pytest.approx(half, nan_ok=True), (app, policy, metric)
        if policy == "edge":
            base = [per_run[("local", r)].get(app, {}).get(metric, np.nan) for r in range(3)]
            diff, _ = paired_difference_ci(np.array(values), np.array(base))
            assert row["diff"] == pytest.approx(diff, nan_ok=True), (app, policy, metric)
    # No deadline on the LLM: its miss rate has no run (n 0, no mean), and the table says so, not 0 %.
    chat_misses = written[(written["app"] == "chat") & (written["metric"] == "deadline_miss_rate")]
    assert (chat_misses["n"] == 0).all() and chat_misses["mean"].isna().all()
    assert set(written.loc[written["app"] == "cnn", "metric"]).isdisjoint({"ttft_mean_s", "tpot_mean_s"})

    table = result.format_table()
    chat = table[table.index("application chat") :]
    cnn = table[table.index("application cnn") : table.index("application chat")]
    assert "per application (2)" in table
    assert metric_info("ttft_mean_s").heading in chat and metric_info("ttft_mean_s").heading not in cnn
    # The LLM's decode ceiling bounds its own numbers, not the CNN's latency beside it.
    assert "(ceiling)" in chat and "ceiling" not in cnn and "assumed efficiency" not in cnn
    deadline_row = next(line for line in chat.splitlines() if line.startswith("deadline misses"))
    assert "no deadlines" in deadline_row and "%" not in deadline_row.split(")", 1)[1]
    assert any(
        "each application alone in the tables per application above (apps.csv)" in n for n in result.notes
    )


def test_one_application_has_no_table_per_application(cli_main, tiny, tmp_path, capsys):
    """As with one source group: no rows, and apps.csv its header alone."""
    import offloadsim

    assert offloadsim.run(tiny, overrides=["duration=5 s"]).summary.apps == {}
    options = ["--policies", "local,edge", "-n", "1", "--workers", "1", "--set", "duration=5 s"]
    assert cli_main(["compare", str(tiny), *options, "--out", str(tmp_path / "cmp")]) == 0
    assert "per application" not in capsys.readouterr().out
    assert (tmp_path / "cmp" / "apps.csv").read_text(encoding="utf-8").splitlines() == [
        "app,policy,metric,n,mean,ci,diff,diff_ci,diff_n,diff_note"
    ]


#: Two applications on two groups of devices, each group running both: the cameras have no ``power``.
TWO_APPS_TWO_GROUPS = """
name: two-apps
duration: 30 s
seed: 4
nodes:
  drone: {count: 2, tier: device, processor: {speed: 20 GFLOP/s},
          power: {idle: 2 W, busy: 12 W, transmit: 3 W, tail: 100 ms}}
  sensor: {count: 2, tier: device, processor: {speed: 2 GFLOP/s},
           power: {idle: 5 mW, busy: 300 mW, transmit: 250 mW, tail: 2 s}}
  camera: {tier: device, processor: {speed: 2 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [drone-*, edge], bandwidth: 20 Mbps, latency: 5 ms}
  - {between: [sensor-*, edge], bandwidth: 1 Mbps, latency: 20 ms}
  - {between: [camera, edge], bandwidth: 1 Mbps, latency: 20 ms}
applications:
  detect: {work: 0.4 GFLOP, input: 40 KB, deadline: 150 ms}
  count: {work: 0.1 GFLOP, input: 5 KB, deadline: 500 ms}
  watch: {work: 0.1 GFLOP, input: 5 KB}
workload:
  - {app: detect, sources: drone-*, rate: 3 /s}
  - {app: detect, sources: sensor-*, rate: 0.5 /s}
  - {app: count, sources: [drone-*, sensor-*], rate: 1 /s}
  - {app: watch, sources: [camera, sensor-0], rate: 1 /s}
policy: random
"""


def test_each_application_has_its_device_energy_per_task(cli_main, tmp_path, capsys):
    """An application's device energy per task is its own tasks' mean, unmeasured where any is unpowered.

    The fleet's energy researcher compares what one inference of each application costs its
    device; the source groups' rows pool both applications, so only the application's rows say it.
    """
    file = tmp_path / "two.yaml"
    file.write_text(TWO_APPS_TWO_GROUPS, encoding="utf-8")
    assert cli_main(["run", str(file), "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out
    tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
    ended = tasks[tasks["status"].isin(["completed", "dropped", "failed"])]
    apps = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))["apps"]
    by_hand = {str(app): rows["device_energy"].mean() for app, rows in ended.groupby("app", observed=True)}
    assert by_hand["detect"] != pytest.approx(by_hand["count"], rel=0.05)  # the two differ: a real test
    for app in ("detect", "count"):
        assert apps[f"{app}.device_energy_mean_j"] == pytest.approx(by_hand[app], rel=1e-12), app
        parts = apps[f"{app}.device_compute_energy_mean_j"] + apps[f"{app}.device_radio_energy_mean_j"]
        assert parts == pytest.approx(by_hand[app], rel=1e-9), app
    # watch's tasks are partly the unpowered camera's: their 0 J is not measured, so no mean.
    assert apps["watch.device_energy_mean_j"] is None

    rows = printed[printed.index("by application") :].splitlines()
    assert "device energy per task" in rows[0]
    detect = next(line for line in rows if line.lstrip().startswith("detect ("))
    watch = next(line for line in rows if line.lstrip().startswith("watch ("))
    assert detect.rstrip().endswith(f"{by_hand['detect'] * 1e3:.2f} mJ")
    assert watch.rstrip().endswith("energy n/a (no power: on its sources)")


def test_a_run_with_no_power_has_no_energy_by_application(cli_main, tmp_path, capsys):
    """Where no source draws power the rows by application say nothing of energy, as before."""
    file = tmp_path / "mix.yaml"
    file.write_text(CNN_AND_LLM, encoding="utf-8")
    assert cli_main(["run", str(file), "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out
    rows = printed[printed.index("by application") :].splitlines()
    assert "energy" not in rows[0] and not any("energy n/a" in line for line in rows[1:3])


def test_an_application_the_baseline_never_served_says_so(cli_main, tmp_path, capsys):
    """local never answers with the cloud's 8B model: its Δ is no blank (read as none) but said."""
    from offloadsim.experiments.compare import BASELINE_SERVED_NONE

    options = ["--policies", "local,model-select", "-n", "2", "--workers", "1", "--set", "duration=120 s"]
    out = tmp_path / "cmp"
    assert cli_main(["compare", "scenarios/llm-assistant.yaml", *options, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    written = pd.read_csv(out / "apps.csv", keep_default_na=False)
    tasks = pd.read_parquet(out / "tasks.parquet")
    served = tasks.groupby("policy", observed=True)["app"].agg(lambda apps: set(apps.astype(str)))
    assert served["local"] == {"chat-1b"} and "chat-8b" in served["model-select"]  # the case itself
    unserved = written[written["app"] == "chat-8b"]
    assert set(unserved["policy"]) == {"model-select"}
    assert (unserved["diff_note"] == BASELINE_SERVED_NONE).all() and (unserved["diff"] == "").all()
    assert (written.loc[written["app"] == "chat-1b", "diff_note"] == "").all()
    assert (written.loc[written["app"] == "chat-1b", "policy"] == "local").any()
    # Printed: each Δ of a value under chat-8b says it; no Δ row is left blank anywhere.
    table = printed[printed.index("application chat-8b") :].split("\nnote:")[0].splitlines()
    deltas = [line for line in table if line.strip().startswith("Δ vs local")]
    values = [
        line
        for line in table
        if line.startswith(("mean latency", "p95 latency", "mean time", "device energy per task (mJ) "))
    ]
    assert len(deltas) == len(values) > 0
    assert all(line.split("Δ vs local", 1)[1].strip() == BASELINE_SERVED_NONE for line in deltas)
    assert not any(line.strip() == "Δ vs local" for line in printed.splitlines())


#: A sweep of CNN_AND_LLM: two CNN rates, under each of two policies.
SWEEP = """\
base: mix.yaml
replications: 3
grid:
  workload[0].rate: [2 /s, 4 /s]
  policy.name: [local, edge]
"""


def test_a_sweep_of_two_applications_writes_apps_csv(cli_main, tmp_path, capsys):
    from offloadsim.analysis.statistics import mean_ci
    from offloadsim.experiments.storage import read_job_file, write_job_file

    (tmp_path / "mix.yaml").write_text(CNN_AND_LLM, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    command = ["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "sw"), "--workers", "1"]
    assert cli_main(command) == 0
    printed = capsys.readouterr().out
    out = tmp_path / "sw"
    written = pd.read_csv(out / "apps.csv")
    swept = ["workload[0].rate", "policy.name"]
    assert list(written.columns) == ["app", *swept, "point", "policy", "metric", "n", "mean", "ci"]
    assert list(dict.fromkeys(written["app"])) == ["cnn", "chat"]  # the workload's order

    tasks = pd.read_parquet(out / "tasks.parquet")
    per_run = {
        (int(point), int(r)): _by_hand(rows) for (point, r), rows in tasks.groupby(["point", "replication"])
    }
    summary = pd.read_csv(out / "summary.csv")
    # A task still in flight at the end counts as a miss once its deadline passed: the rule by hand
    # (every task ends) holds for the points whose tasks all ended (some under local did not).
    ended = tasks.groupby("point")["status"].apply(lambda status: (status != "in_flight").all())
    assert ended.any() and not ended.all()
    checked = 0
    for (app, point, metric), row in written.set_index(["app", "point", "metric"]).iterrows():
        if metric == "deadline_miss_rate" and not ended[point]:
            continue
        checked += 1
        values = [per_run[(point, r)].get(app, {}).get(metric, np.nan) for r in range(3)]
        mean, half = mean_ci(np.array(values))
        assert row["n"] == np.isfinite(values).sum(), (app, point, metric)
        assert row["mean"] == pytest.approx(mean, nan_ok=True), (app, point, metric)
        assert row["ci"] == pytest.approx(half, nan_ok=True), (app, point, metric)
        first = summary[summary["point"] == point].iloc[0]  # the point's swept values, as summary.csv's
        assert [row[key] for key in (*swept, "policy")] == [first[key] for key in (*swept, "policy")]
    assert checked > len(written) * 0.8
    assert set(written.loc[written["app"] == "cnn", "metric"]).isdisjoint({"ttft_mean_s", "tpot_mean_s"})
    assert set(written["point"]) == {0, 1, 2, 3}
    # The CNN's latency is not the LLM's: a pooled mean would have hidden a real split.
    latency = written[written["metric"] == "latency_mean_s"].pivot(
        index="point", columns="app", values="mean"
    )
    assert (latency["chat"] > 2 * latency["cnn"]).all()

    # Printed: a row per point and application under the headline table, the application first.
    table = printed[printed.index("per application (cnn, chat)") :].splitlines()
    rule = next(i for i, line in enumerate(table) if line and set(line) <= {"-", " "})
    assert table[rule - 1].split()[0] == "application"
    assert [line.split()[0] for line in table[rule + 1 : rule + 9]] == ["cnn", "chat"] * 4
    assert "mean latency" in table[rule - 1] and "first token" in printed[printed.index("per application") :]
    headings = [line for line in table if line.startswith("application")]
    assert not any("energy" in line for line in headings)  # energy is a source group's, not an application's
    # A CNN's latency is no bound of the LLM's decode ceiling (edge: the chat rows' "≥ ... (ceiling)").
    rows = [line for line in table if line.startswith(("cnn ", "chat "))]
    assert any("(ceiling)" in line for line in rows if line.startswith("chat "))
    assert not any("ceiling" in line or "assumed" in line for line in rows if line.startswith("cnn "))
    assert "each application alone in the table per application above (apps.csv)" in printed

    # No figure pools the two silently: each kind of the tasks' numbers is refused, naming app ...
    for kind in ("sweep", "bars", "cdf", "energy"):
        assert (
            cli_main(["plot", str(out), "--kind", kind, "--by", "policy.name", "--out", str(tmp_path / kind)])
            == 2
        )
        assert "app (" in capsys.readouterr().err, kind
    # ... and the figure that shows each application draws apps.csv's means.
    figure = tmp_path / "apart.pdf"
    options = ["--metric", "latency_mean_s", "--by", "policy.name,app", "--out", str(figure)]
    assert cli_main(["plot", str(out), "--kind", "sweep", *options]) == 0
    drawn = pd.read_csv(figure.with_suffix(".csv")).set_index([*swept, "app"])["latency_mean_s_mean"]
    means = written[written["metric"] == "latency_mean_s"].set_index([*swept, "app"])["mean"]
    assert len(drawn) == len(means) == 8
    assert drawn.sort_index().to_numpy() == pytest.approx(means.sort_index().to_numpy(), rel=1e-8)

    # A job file saved before job files kept the numbers: worked out from its records as merged.
    for file in sorted((out / "points").glob("*.parquet")):
        records, meta = read_job_file(file)
        del meta["apps"]
        write_job_file(file, records, meta)
    assert cli_main([*command, "-q"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "apps.csv"), written, rtol=1e-12)


def test_a_sweep_of_one_application_writes_no_app_rows(cli_main, tiny, tmp_path, capsys):
    (tmp_path / "sweep.yaml").write_text(
        f"base: {tiny}\nreplications: 1\nset: {{duration: 5 s}}\ngrid:\n  policy.name: [local, edge]\n",
        encoding="utf-8",
    )
    assert (
        cli_main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "sw"), "--workers", "1"])
        == 0
    )
    assert "per application" not in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "sw" / "apps.csv").empty
