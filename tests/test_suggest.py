"""Did-you-mean suggestions: a unit or name that differs only by case always gets one."""

import contextlib
import doctest
import os

import pytest

import offloadsim.suggest
from offloadsim.scenario.units import QUANTITIES, UnitError, parse_quantity


def test_docstring_examples():
    assert doctest.testmod(offloadsim.suggest).failed == 0


@pytest.mark.parametrize("kind", [k for k, q in QUANTITIES.items() if q.units != {"": 1.0}])
def test_every_unit_in_the_wrong_case_gets_a_suggestion_of_the_same_letters(kind):
    units = QUANTITIES[kind].units
    checked = 0
    for unit in units:
        for variant in {unit.lower(), unit.upper(), unit.swapcase()}:
            if variant in units or any(variant in q.units for q in QUANTITIES.values()):
                continue  # a real unit (of this or another quantity): not a slip of case
            with pytest.raises(UnitError) as caught:
                parse_quantity(f"3 {variant}", kind)
            message = str(caught.value)
            suggested = message.split('(did you mean "', 1)[1].split('"', 1)[0]
            assert suggested.casefold() == variant.casefold() and suggested in units, message
            checked += 1
    assert checked > 0


def test_the_unit_listing_shows_the_everyday_units():
    with pytest.raises(UnitError, match=r"known: bps, kbps, Mbps, Gbps, Tbps, B/s"):
        parse_quantity("10 fast", "bandwidth")


def test_a_missing_file_suggests_the_nearest_file_beside_it_as_the_path_was_given(tmp_path, monkeypatch):
    from offloadsim.suggest import did_you_mean_file

    (tmp_path / "quickstart.yaml").write_text("")
    (tmp_path / "quickstart.yml").mkdir()  # a directory is no file to suggest
    near = tmp_path / "quickstart.yaml"
    assert did_you_mean_file(tmp_path / "quickstar.yaml") == f' (did you mean "{near}"?)'
    monkeypatch.chdir(tmp_path)
    assert did_you_mean_file("Quickstart.yaml") == ' (did you mean "quickstart.yaml"?)'  # a bare name: bare
    assert did_you_mean_file("other.toml") == ""
    assert did_you_mean_file(tmp_path / "no-dir" / "quickstart.yaml") == ""  # its directory is missing
    assert did_you_mean_file("nul\0byte.yaml") == ""


def test_a_missing_file_looked_for_elsewhere_suggests_the_near_name_there_as_it_was_given(tmp_path):
    """A scenario's ``file: traces/rates.csv`` is looked for in the scenario's folder: the name near
    it there is suggested as the key gave it; the first folder looked in with a near name wins."""
    from offloadsim.suggest import did_you_mean_file

    (tmp_path / "a" / "traces").mkdir(parents=True)
    (tmp_path / "b" / "traces").mkdir(parents=True)
    (tmp_path / "b" / "traces" / "rate.csv").write_text("")
    (tmp_path / "b" / "traces" / "rates").mkdir()
    looked = [tmp_path / folder / "traces" / "rates.csv" for folder in ("a", "b")]
    assert did_you_mean_file("traces/rates.csv", *looked) == ' (did you mean "traces/rate.csv"?)'
    assert did_you_mean_file("traces/rates.csv", looked[0]) == ""  # nothing near in a/traces
    # Only directories with directory=True: a results directory, not a file.
    assert did_you_mean_file(tmp_path / "b" / "traces" / "rate", directory=True) == (
        f' (did you mean "{tmp_path / "b" / "traces" / "rates"}"?)'
    )


@pytest.mark.parametrize("listed", ["ab.yaml AB.yaml", "AB.yaml ab.yaml"])
def test_the_file_suggested_does_not_depend_on_the_order_the_directory_lists(tmp_path, monkeypatch, listed):
    """Two files as near as each other (only their case differs from what was typed, by one letter each).

    The directory's own order (a hash order on ext4, creation order elsewhere) chose between them,
    so the same mistake got another suggestion in a copy of the folder.
    """
    from offloadsim.suggest import did_you_mean_file

    for name in ("ab.yaml", "AB.yaml"):
        (tmp_path / name).write_text("")
    real = os.scandir
    order = listed.split()

    @contextlib.contextmanager
    def in_order(path):
        with real(path) as entries:
            found = sorted(entries, key=lambda entry: order.index(entry.name))
        yield iter(found)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "scandir", in_order)
    suggested = did_you_mean_file("Ab.yaml")
    monkeypatch.undo()
    assert suggested == ' (did you mean "AB.yaml"?)'  # the first in sorted order


def test_a_shared_extension_does_not_make_a_name_near(tmp_path):
    """``nothere.yaml`` suggested ``t.yaml``: the ``.yaml`` both end in made them 67 % alike."""
    from offloadsim.suggest import did_you_mean_file

    for name in ("t.yaml", "quickstart.yaml"):
        (tmp_path / name).write_text("")
    assert did_you_mean_file(tmp_path / "nothere.yaml") == ""
    assert (
        did_you_mean_file(tmp_path / "quickstar.yaml") == f' (did you mean "{tmp_path / "quickstart.yaml"}"?)'
    )
    assert (
        did_you_mean_file(tmp_path / "quickstart.yml") == f' (did you mean "{tmp_path / "quickstart.yaml"}"?)'
    )


def test_a_part_of_a_name_suggests_the_names_holding_it_after_close_spellings():
    """``--metric p95`` listed every metric without suggesting latency_p95_s (no close spelling of it)."""
    from offloadsim.suggest import close_matches, did_you_mean_key

    metrics = ["latency_mean_s", "latency_p95_s", "latency_p99_s", "device_energy_mean_j"]
    assert did_you_mean_key("p95", metrics) == ' (did you mean "latency_p95_s"?)'
    assert close_matches("ENERGY", metrics) == ["device_energy_mean_j"]  # case aside
    assert close_matches("latncy_p95_s", metrics) == ["latency_p95_s"]  # a close spelling comes first
    assert close_matches("95", metrics) == []  # not at the start of a part
    assert close_matches("ms", ["latency_ms_total"]) == []  # too short to say anything


def test_a_word_several_names_are_about_as_near_to_names_each_and_a_typo_its_one_name():
    """``--metric latency`` suggested latency_p99_s alone, though its mean and others are as near."""
    from offloadsim.suggest import close_matches, did_you_mean_key

    metrics = [
        "latency_mean_s",
        "latency_p50_s",
        "latency_p95_s",
        "latency_p99_s",
        "wait_mean_s",
        "drop_rate",
    ]
    assert close_matches("latency", metrics, n=4, within=0.05) == metrics[:4]  # in the candidates' order
    assert close_matches("latency", metrics, n=2, within=0.05) == [
        "latency_p50_s",
        "latency_p95_s",
    ]  # closest
    assert close_matches("latncy_p95_s", metrics, n=4, within=0.05) == ["latency_p95_s"]  # a typo: one name
    assert close_matches("LATENCY_P95_S", metrics, n=4, within=0.05) == ["latency_p95_s"]  # case aside: one
    assert close_matches("latency", metrics, n=4) == [  # without within: difflib's order, as before
        "latency_p99_s",
        "latency_p95_s",
        "latency_p50_s",
        "latency_mean_s",
    ]
    assert did_you_mean_key("latency", metrics, n=3, within=0.05) == (
        ' (did you mean "latency_p50_s", "latency_p95_s" or "latency_p99_s"?)'
    )
    assert did_you_mean_key("x", metrics, n=3, within=0.05) == ""


@pytest.mark.parametrize(
    ("word", "candidates"),
    [
        ("fedavg", ["cloud", "dads", "edge", "local", "neurosurgeon", "random"]),  # e, d, g shared: 0.6
        ("codec", ["model", "onnx", "work", "input", "output"]),  # o, d, e shared: 0.6
    ],
)
def test_a_word_sharing_only_a_few_letters_suggests_nothing(word, candidates):
    """New users were told ``fedavg``: did you mean "edge"? and ``codec``: did you mean "model"?"""
    from offloadsim.suggest import close_matches

    assert close_matches(word, candidates) == []
    assert close_matches(word, candidates, n=3, cutoff=0.5) == []
    assert close_matches(word, candidates, n=3, within=0.05) == []


@pytest.mark.parametrize(
    ("word", "candidates", "meant"),
    [
        ("egde", ["edge", "cloud"], "edge"),
        ("clod", ["edge", "cloud"], "cloud"),
        ("compresion", ["model", "compression"], "compression"),
        ("resnet5", ["resnet50", "resnet18"], "resnet50"),
        ("codec", ["model", "compression"], "compression"),  # the key that means it
    ],
)
def test_a_slip_still_suggests_its_name(word, candidates, meant):
    from offloadsim.suggest import close_matches

    assert close_matches(word, candidates) == [meant]


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        (
            "policy=fedavg",
            'unknown policy "fedavg" (offloadsim does not model federated learning: see README.md',
        ),
        ("applications.classify.codec=int8", 'unknown key "codec" (did you mean "compression"?)'),
        (
            "applications.classify.encryption=tls",
            'unknown key "encryption" (offloadsim does not model encryption',
        ),
        ("applications.classify.training=true", "does not model training: see README.md"),
        # a researcher of federated learning's next key: it listed the keys, with no pointer
        ("applications.classify.privacy=dp", "does not model privacy mechanisms (differential privacy"),
        ("policy=differential-privacy", "does not model privacy mechanisms (differential privacy"),
        # a researcher of cheaper transfers' next keys: each listed the keys, with no pointer
        ("links[0].transport=quic", 'unknown key "transport" (offloadsim does not model transport protocols'),
        ("links[0].quic=true", "does not model transport protocols (TCP or QUIC"),
        ("policy=quic", 'unknown policy "quic" (offloadsim does not model transport protocols'),
        (
            "applications.classify.cache=lru",
            'unknown key "cache" (offloadsim does not model caching at the edge',
        ),
        ("nodes.edge.caching=true", "does not model caching at the edge"),
        # an unknown key whose value says what was asked for: the key's near name, or the keys alone
        (
            "applications.classify.codec=quic",
            'unknown key "codec" (did you mean "compression"? "quic": offloadsim does not model transport',
        ),
        ("links[0].protocol=quic", 'unknown key "protocol" ("quic": offloadsim does not model transport'),
        ("aggregation=fedavg", 'unknown key "aggregation" (offloadsim does not model federated learning'),
        # written with underscores, as YAML keys often are: "federated-learning" alone was known
        ("federated_learning={rounds: 10}", "does not model federated learning: see README.md"),
        ("homomorphic_encryption=ckks", "does not model homomorphic encryption: see README.md"),
        ("applications.classify.compression=topk", "does not model federated learning's update compression"),
        # zstd on a cut's activations was told to "give the compressed size as input"
        ("applications.classify.compression=zstd", "does not model lossless tensor codecs (compression"),
        # and of an LLM split over several edges: the policy they looked for, or its knob
        ("policy=edgeshard", 'unknown policy "edgeshard" (offloadsim does not model tensor parallelism'),
        ("applications.classify.micro_batches=4", "search of a pipeline's stations and cuts (policy fixed"),
        # a battery researcher's keys: each listed the power keys, with no word that it is not modelled
        ("nodes.phone.power.dvfs=true", 'unknown key "dvfs" (offloadsim does not model DVFS or thermal'),
        ("nodes.phone.processor.throttling=true", "does not model DVFS or thermal throttling: see README.md"),
        ("nodes.phone.power.promotion_delay=260 ms", "does not model a cellular radio's states"),
        ("nodes.phone.power.peukert=1.1", "does not model a battery's chemistry"),
        # an LLM researcher's: will the 8B model fit on the phone? It listed the node's keys
        ("nodes.phone.memory=8 GB", 'unknown key "memory" (offloadsim does not model memory capacity'),
        ("nodes.edge.processor.vram=16 GB", 'unknown key "vram" (offloadsim does not model memory capacity'),
        # a hardware researcher's, comparing accelerators and compressed models: each listed the keys
        ("nodes.edge.processor.efficiency=1.5", 'key "efficiency" (offloadsim does not model an efficiency'),
        ("nodes.edge.processor.supported_ops=[conv]", "does not model which operators a processor runs"),
        ("applications.classify.variant=int8", "does not model a model's variants as one key (its precision"),
        ("applications.classify.pruning=0.5", "does not model pruning, distillation or sparse kernels"),
        ("applications.classify.params.sparsity=0.5", "does not model pruning, distillation or sparse"),
        ("applications.classify.early_exit=3", "does not model early exit (each request runs its model"),
        ("applications.classify.accuracy_floor=0.7", 'key "accuracy_floor" (offloadsim does not model'),
        # an LLM-serving researcher's (vLLM's) words: each listed the keys, with no pointer
        ("applications.classify.kv_cache=8 GB", 'unknown key "kv_cache" (offloadsim does not model memory'),
        ("nodes.edge.processor.gpu_memory=16 GB", 'key "gpu_memory" (offloadsim does not model memory'),
        ("nodes.edge.processor.max_batch_size=8", 'key "max_batch_size" (offloadsim does not model batching'),
        ("nodes.edge.processor.max_num_seqs=8", 'key "max_num_seqs" (offloadsim does not model batching'),
        ("nodes.edge.continuous_batching=true", "(offloadsim does not model batching at servers"),
        # a developer of three apps on one edge: each listed the keys, with no word that neither exists
        ("applications.classify.priority=1", 'unknown key "priority" (offloadsim does not model priorities'),
        ("nodes.edge.processor.preemption=true", "does not model priorities between applications"),
        ("policy=edf", 'unknown policy "edf" (offloadsim does not model priorities between applications'),
        ("applications.classify.ttft=500 ms", 'unknown key "ttft" (offloadsim does not model a time-to'),
        ("applications.classify.ttft_deadline=500 ms", "does not model a time-to-first-token deadline"),
    ],
)
def test_out_of_scope_words_point_at_the_scope_section_not_at_a_name_spelt_alike(setting, said):
    from pathlib import Path

    from offloadsim.scenario.errors import ScenarioError
    from offloadsim.scenario.loader import load_scenario

    with pytest.raises(ScenarioError) as caught:
        load_scenario(Path(__file__).parents[1] / "scenarios" / "quickstart.yaml", overrides=[setting])
    message = str(caught.value)
    assert said in message and 'did you mean "edge"' not in message and 'did you mean "model"' not in message


@pytest.mark.parametrize(
    ("key", "meant"),
    [("max_tokens", "output_tokens"), ("max-new-tokens", "output_tokens"), ("input_tokens", "prompt_tokens")],
)
def test_an_llm_apis_name_for_a_length_suggests_the_key_it_means(key, meant):
    """``max_tokens`` (an LLM API's cap on the output) suggested ``prompt_tokens``, spelt nearer."""
    from pathlib import Path

    from offloadsim.scenario.errors import ScenarioError
    from offloadsim.scenario.loader import load_scenario

    with pytest.raises(ScenarioError) as caught:
        load_scenario(
            Path(__file__).parents[1] / "scenarios" / "llm-assistant.yaml",
            overrides=[f"applications.chat-1b.{key}=100"],
        )
    assert f'unknown key "{key}" (did you mean "{meant}"?)' in str(caught.value)


def test_a_word_for_what_is_not_modelled_that_begins_a_key_is_told_both():
    """A processor's ``memory: 8 GB`` was answered only ``did you mean "memory_bandwidth"?``: a user
    asking whether a model fits took a bandwidth for the capacity nothing models.  The key it begins
    may be meant, so it is still suggested, and what is not modelled is said beside it."""
    from pathlib import Path

    from offloadsim.scenario.errors import ScenarioError
    from offloadsim.scenario.loader import load_scenario

    with pytest.raises(ScenarioError) as caught:
        load_scenario(
            Path(__file__).parents[1] / "scenarios" / "quickstart.yaml",
            overrides=["nodes.phone.processor.memory=8 GB"],
        )
    assert (
        'unknown key "memory" (did you mean "memory_bandwidth"? offloadsim does not model memory capacity'
        in str(caught.value)
    )


def test_the_scope_section_names_what_each_pointer_says_is_not_modelled():
    """A message that points at README's scope section finds there what it says is not modelled."""
    from pathlib import Path

    from offloadsim.suggest import SCOPE_SECTION

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    heading = SCOPE_SECTION.split('"')[1]
    section = readme.split(f"## {heading}\n")[1].split("\n## ")[0]
    for said in ("DVFS and thermal throttling", "A cellular radio's states", "A battery's chemistry"):
        assert f"* **{said}.**" in section
    assert "* **Batching at servers and memory capacity.**" in section
    # The accelerator and compressed-model pointers: each finds its words in a bullet.
    assert "* **Pruning and distillation, sparse kernels, and early exit.**" in section
    assert "A model's variants are no key of their own" in section and "No request leaves a model" in section
    assert "Nor which operators it runs" in section and "efficiency (0.35 of" in section
    # The mixed-workload pointers: priorities and a first-token deadline.
    assert "* **Priorities between applications.**" in section
    assert "* **A time-to-first-token deadline.**" in section


def test_the_scope_section_the_messages_name_is_in_the_readme():
    from pathlib import Path

    from offloadsim.suggest import SCOPE_SECTION

    heading = SCOPE_SECTION.split('"')[1]
    assert f"## {heading}\n" in (Path(__file__).parents[1] / "README.md").read_text()


def test_a_word_for_what_is_not_modelled_is_not_taken_for_a_key_spelt_alike(tmp_path):
    """A top-level ``encryption`` suggested ``description``; it is pointed at the scope section."""
    from offloadsim.scenario import ScenarioError, load_scenario_data

    with pytest.raises(ScenarioError) as raised:
        load_scenario_data({"name": "x", "encryption": "tls"}, base_dir=tmp_path)
    assert "does not model encryption or TLS" in str(raised.value)
    assert "description" not in str(raised.value).split("expected one of")[0]


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        # a link's bandwidth written with its unit in the key, as some simulators spell it: the key
        # list alone, and "missing required key "bandwidth"" beside it, as if left out
        (
            ("bandwidth: 20 Mbps", "bandwidth_mbps: 20"),
            'links[0]: unknown key "bandwidth_mbps" (did you mean "bandwidth"?)',
        ),
        (("latency: 3 ms", "latency_ms: 3"), 'links[0]: unknown key "latency_ms" (did you mean "latency"?)'),
        # a policy that runs a model's layers as a pipeline over stations: no name spelt alike, yet two
        # policies that do it (multi-tier searches the cuts, fixed runs the ones given)
        (
            ("name: neurosurgeon", "name: pipeline"),
            'policy.name: unknown policy "pipeline" (did you mean "multi-tier" or "fixed"?); known: ',
        ),
    ],
)
def test_a_name_no_spelling_is_near_still_gets_the_name_it_means(edit, said, tmp_path):
    """``policy: pipeline`` and a link's ``bandwidth_mbps`` were refused with the names alone."""
    from pathlib import Path

    from offloadsim.scenario.errors import ScenarioError
    from offloadsim.scenario.loader import load_scenario

    text = (Path(__file__).parents[1] / "scenarios" / "quickstart.yaml").read_text(encoding="utf-8")
    assert edit[0] in text
    (tmp_path / "s.yaml").write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "s.yaml")
    message = str(caught.value)
    assert said in message, message
    assert "missing required key" not in message  # the key offered is the one said missing


def test_a_word_a_name_begins_before_a_unit_suggests_that_name():
    from offloadsim.policies.registry import UnknownPolicyError, make_policy
    from offloadsim.suggest import close_matches

    assert close_matches("bandwidth_mbps", ["between", "bandwidth", "reverse_bandwidth"]) == ["bandwidth"]
    assert close_matches("tail_ms", ["tail", "idle"]) == ["tail"]
    assert close_matches("bandwidthmbps", ["bandwidth"]) == ["bandwidth"]  # a close spelling: as before
    assert close_matches("in_x", ["in"]) == []  # a name too short to say anything
    with pytest.raises(UnknownPolicyError, match=r'"pipeline" \(did you mean "multi-tier" or "fixed"\?\)'):
        make_policy("pipeline", {})


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        # a reliability researcher's next keys: each listed the failures keys, with no word that
        # failures drawn together are not modelled
        (
            "dynamics[0].correlated=true",
            'unknown key "correlated" (offloadsim does not model correlated failures',
        ),
        ("dynamics[0].common_cause=rack", "does not model correlated failures (each node and link of"),
        (
            "dynamics[0].kind=correlated-failures",
            'unknown kind "correlated-failures" (offloadsim does not model',
        ),
    ],
)
def test_a_correlated_failure_s_key_points_at_the_scope_section(capsys, setting, said):
    from pathlib import Path

    from offloadsim.cli import main

    scenario = Path(__file__).parents[1] / "scenarios" / "edge-outage.yaml"
    assert main(["validate", str(scenario), "--set", setting]) == 2
    message = capsys.readouterr().err
    assert said in message and "README.md" in message


def test_the_scope_section_says_failures_are_drawn_on_their_own():
    from pathlib import Path

    from offloadsim.suggest import SCOPE_SECTION

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    heading = SCOPE_SECTION.split('"')[1]
    section = readme.split(f"## {heading}\n")[1].split("\n## ")[0]
    assert "* **Correlated failures.**" in section


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        # a link to a node the scenario lacks was told "offloadsim does not model caching": the
        # user named a node, not the feature; a key "cache" still gets the pointer (above)
        (
            "links[1].between=[ap, cache]",
            'links[1].between[1]: "cache" matches no node (the scenario\'s nodes: ',
        ),
        (
            "workload[0].sources=memory",
            'workload[0].sources: "memory" matches no node (the scenario\'s nodes: ',
        ),
        ("applications.classify.hosts=[batch]", 'hosts[0]: "batch" matches no node (the scenario\'s nodes: '),
        ("links[1].between=[ap, edg]", 'links[1].between[1]: "edg" matches no node (did you mean "edge"?)'),
        (
            "policy={name: fixed, nodes: [cache]}",
            'policy.nodes[0]: policy "fixed": "cache" is not a node of this scenario; computing nodes: ',
        ),
        ("workload[0].app=training", 'workload[0].app: unknown application "training"; known: classify'),
        ("nodes.cache.tier=edge", 'the scenario has no node "cache"; to add one, give it whole'),
    ],
)
def test_a_name_that_is_a_word_for_what_is_not_modelled_is_an_unknown_name(capsys, setting, said):
    """A node (or application) named ``cache``, ``memory`` or ``batch`` is one the scenario lacks."""
    from pathlib import Path

    from offloadsim.cli import main

    scenario = Path(__file__).parents[1] / "scenarios" / "quickstart.yaml"
    assert main(["validate", str(scenario), "--set", setting]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: "), lines
    assert said in lines[0] and "README.md" not in lines[0] and "does not model" not in lines[0], lines[0]


def test_the_nodes_listed_for_a_name_spelt_like_none_are_the_scenario_s():
    """With no name near, the message lists the scenario's nodes (a group as ``phone-*``)."""
    from offloadsim.scenario.patterns import NodeIndex

    index = NodeIndex({"phone": ["phone-0", "phone-1"], "ap": ["ap"], "edge": ["edge"]})
    assert (
        index.no_match("cache") == '"cache" matches no node (the scenario\'s nodes: "phone-*", "ap", "edge")'
    )


def test_one_did_you_mean_serves_the_scenarios_messages_and_the_rest():
    """There were two: the scenario's told a word for what is not modelled that begins a key both
    (a processor's ``memory``: ``memory_bandwidth``, or the capacity nothing models); this one not.
    Each caller says what it matches: a key is pointed at the scope list, a name a user gives not."""
    import offloadsim.scenario.errors

    assert offloadsim.scenario.errors.did_you_mean_key is offloadsim.suggest.did_you_mean_key
    assert offloadsim.scenario.errors.did_you_mean_name is offloadsim.suggest.did_you_mean_name
    said = offloadsim.suggest.did_you_mean_key("memory", ["memory_bandwidth", "speed"])
    assert said.startswith(' (did you mean "memory_bandwidth"? offloadsim does not model memory capacity')
    assert offloadsim.suggest.did_you_mean_name("memory", ["memory_bandwidth"]) == (
        ' (did you mean "memory_bandwidth"?)'
    )
    assert offloadsim.suggest.did_you_mean_key("cache", ["phone", "ap"]) != ""  # caching: not modelled
    assert offloadsim.suggest.did_you_mean_name("cache", ["phone", "ap"]) == ""  # a node named cache
