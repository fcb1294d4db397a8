"""A policy that can place an application only outside its ``hosts`` is said before anything runs.

``offloadsim run scenarios/llm-assistant.yaml --policy cloud`` dropped 71 of 71 requests ("placed
chat-1b on cloud, which is not among its hosts") and exited 0; ``validate`` said ok.  The cloud
policy now looks for a cloud node among the application's hosts and, with none, falls back to the
task's source: said too, since the user asked for the cloud.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from offloadsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
ASSISTANT = ROOT / "scenarios" / "llm-assistant.yaml"


def test_cloud_on_an_application_the_cloud_does_not_host_is_said_before_it_runs(capsys, tmp_path):
    short = ["--set", "duration=30 s", "-q"]
    for argv in (["validate"], ["run", "--out", str(tmp_path / "out"), *short]):
        assert main([argv[0], str(ASSISTANT), "--policy", "cloud", *argv[1:]]) == 0
        (warning,) = [line for line in capsys.readouterr().err.splitlines() if "warning:" in line]
        assert warning.startswith(f"offloadsim: warning: {ASSISTANT}: --policy cloud: policy")
        assert "applications.chat-1b.hosts has no node of tier cloud: " in warning
        # cloud's fallback (local) runs it on the phones, which host it (HH34: cloud looks for a
        # cloud node among the app's hosts, and falls back where there is none)
        assert warning.endswith(
            'every request of "chat-1b" runs on its source (the policy\'s fallback, local) [policy-reach]'
        )
    assert main(["validate", str(ASSISTANT), "--policy", "cloud(fallback=drop)"]) == 0
    (warning,) = [line for line in capsys.readouterr().err.splitlines() if "warning:" in line]
    assert 'applications.chat-1b.hosts has no node of tier cloud (its alternative "chat-8b"' in warning
    assert warning.endswith(
        'every request of "chat-1b" will be dropped (hosted nowhere the policy runs it), '
        "every task of the run [policy-reach]"
    )


def test_local_on_an_application_only_the_cloud_hosts_is_said(capsys):
    assert main(["validate", str(ASSISTANT), "--set", "applications.chat-1b.hosts=[cloud]"]) == 0
    err = capsys.readouterr().err
    assert 'policy "local" runs every task on its source, but applications.chat-1b.hosts names none' in err


def test_one_application_of_two_unhosted_is_a_warning(capsys, tmp_path):
    document = yaml.safe_load(ASSISTANT.read_text(encoding="utf-8"))
    document["applications"]["chat-1b"]["hosts"] = ["phone-*", "edge", "cloud"]
    document["applications"]["chat-edge"] = {"model": "llama-3.2-1b", "hosts": ["edge"]}
    document["workload"].append({"app": "chat-edge", "sources": "phone-0", "rate": "0.01 /s"})
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["validate", str(path), "--policy", "cloud"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f'offloadsim: warning: {path}: --policy cloud: policy "cloud" offloads every task to the nearest '
        "cloud node that hosts its application, falling back to its source while none is usable, but "
        'applications.chat-edge.hosts has no node of tier cloud: every request of "chat-edge" will be '
        "dropped (hosted nowhere the policy runs it) [policy-reach]"
    ], err


def test_a_hosting_tier_passes(capsys):
    assert main(["validate", str(ASSISTANT), "--policy", "edge"]) == 0
    assert "drop" not in capsys.readouterr().err
