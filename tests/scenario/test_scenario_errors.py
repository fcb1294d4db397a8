"""Every mistake a user can make gets one line naming the file, the key path and what was expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from scenario_testkit import HAVE_REGISTRY, HAVE_ZOO, SMALL, small_document

from offloadsim.scenario import (
    Problem,
    ScenarioError,
    load_scenario,
    load_scenario_text,
    parse_path,
    set_path,
)

DELETE = object()


@dataclass
class Mistake:
    """A variant of the small scenario (edits, or raw text) and the problem line it must produce."""

    key_path: str
    expected: str
    edits: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    overrides: tuple[str, ...] = ()


def _delete(document: dict[str, Any], path: str) -> None:
    *parent, last = parse_path(path)
    node: Any = document
    for part in parent:
        node = node[part]
    del node[last]


def _case(id: str, *args: Any, marks: Any = (), **kwargs: Any) -> Any:
    return pytest.param(Mistake(*args, **kwargs), id=id, marks=marks)


needs_zoo = pytest.mark.skipif(not HAVE_ZOO, reason="offloadsim.models not importable yet")
needs_registry = pytest.mark.skipif(not HAVE_REGISTRY, reason="policy registry not importable yet")
LLM_JOB = {"applications.job.work": DELETE, "applications.job.model": "llama-3.2-1b"}
TRACE_ENTRY = {"app": "job", "sources": "phone-*", "arrivals": "trace", "trace": "trace.csv"}

MISTAKES = [
    # -- the file itself
    _case(
        "yaml-syntax",
        "line 3, column 7",
        "YAML syntax error: mapping values are not allowed here",
        text="name: x\nnodes:\n  a: b: c\n",
    ),
    _case(
        "duplicate-key",
        "line 4, column 3",
        'duplicate key "ap" (first given at line 3)',
        text="name: x\nnodes:\n  ap: {tier: network}\n  ap: {tier: edge}\n",
    ),
    _case(
        "empty-file",
        "",
        'the file is empty; expected a mapping with at least "name"',
        text="# nothing here\n",
    ),
    # A key that is no name: pydantic's "[1]: Keys should be strings" read as a list index.
    _case("number-key", "", "expected names (strings) as keys, got 1", text="name: x\n1: 2\n"),
    _case(
        "null-key-in-a-node",
        "nodes.a",
        "expected names (strings) as keys, got nothing (null)",
        text="name: x\nnodes:\n  a: {tier: device, null: 2}\n",
    ),
    # In a mapping of names the key was shown as pydantic wrote it in its path: "None", 1 for true.
    *(
        _case(f"{word}-key-in-nodes", "nodes", f"expected names (strings) as keys, got {shown}", text=text)
        for word, shown in (("null", "nothing (null)"), ("true", "true"), ("1.5", "1.5"))
        for text in [f"name: x\nnodes:\n  {word}: {{tier: device}}\n"]
    ),
    _case("top-level-list", "", "expected a mapping at the top level, got a list", text="- name: x\n"),
    _case("top-level-scalar", "", 'expected a mapping at the top level, got "hello"', text="hello\n"),
    # -- top level
    _case("missing-name", "", 'missing required key "name"', edits={"name": DELETE}),
    _case(
        "unknown-top-key", "", 'unknown key "dration" (did you mean "duration"?)', edits={"dration": "10 s"}
    ),
    _case("zero-duration", "duration", 'expected a positive time like "5 ms", got 0', edits={"duration": 0}),
    _case(
        "negative-warmup",
        "warmup",
        'expected a non-negative time like "5 ms", got "-2 s"',
        edits={"warmup": "-2 s"},
    ),
    _case(
        "time-without-unit",
        "duration",
        'expected a time like "5 ms" (a number with a unit), got "30"',
        edits={"duration": "30"},
    ),
    _case("negative-seed", "seed", "expected a value at least 0, got -1", edits={"seed": -1}),
    _case("boolean-seed", "seed", "expected an integer, got true", edits={"seed": True}),
    _case(
        "seed-beyond-64-bits",
        "seed",
        "expected a value at most 9223372036854775807, got 18446744073709551616",
        edits={"seed": 2**64},
    ),
    _case(
        "integer-too-long-to-read",
        "line 2, column 7",
        "an integer of 5,000 digits is too long to read",
        text="name: x\nseed: " + "9" * 5000 + "\n",
    ),
    _case(
        "override-integer-too-long-to-read",
        "seed",
        "an integer of 4,301 digits is too long to read",
        overrides=("seed=" + "1" * 4301,),
    ),
    # A bare float whose text is not 0 (or finite) but whose value is: PyYAML kept 0 (or inf).
    _case(
        "bare-float-rounded-to-zero",
        "links[1].latency",
        "1.0e-400 is too small a number: it rounds to 0 (floats reach 5e-324); write 0 if 0 is meant",
        text=SMALL.replace("latency: 0.5 ms", "latency: 1.0e-400"),
    ),
    _case(
        "bare-float-rounded-to-infinity",
        "nodes.phone.processor.speed",
        "-2e999 is too large a number: it rounds to infinity (floats reach 1.8e308); write .inf if",
        text=SMALL.replace("speed: 4 GFLOP/s", "speed: -2e999"),
    ),
    _case(
        "override-float-rounded-to-zero",
        "links[0].latency",
        'cannot read the value "-0.5e-500" as YAML: -0.5e-500 is too small a number: it rounds to 0',
        overrides=("links[0].latency=-0.5e-500",),
    ),
    # In a mapping or list a --set gives: at the number's own key, not at the --set's path alone.
    _case(
        "override-float-in-a-mapping-rounded-to-zero",
        "links[0].latency",
        'cannot --set "links[0]={between: [phone, edge], latency: 1e-400}": cannot read the value',
        overrides=("links[0]={between: [phone, edge], latency: 1e-400}",),
    ),
    _case(
        "override-float-in-a-list-rounded-to-infinity",
        "links[1].between[1]",
        "1e999 is too large a number: it rounds to infinity",
        overrides=("links=[{between: [phone, edge]}, {between: [edge, 1e999]}]",),
    ),
    _case(
        "nul-in-name",
        "name",
        'expected a name of printable characters, got "a\\u0000b" (contains U+0000)',
        edits={"name": "a\0b"},
    ),
    _case("name-not-string", "name", "expected a string, got 3", edits={"name": 3}),
    # -- nodes
    _case("nodes-not-mapping", "nodes", "expected a mapping, got a list", edits={"nodes": ["phone"]}),
    _case(
        "unknown-node-key",
        "nodes.phone.processor",
        'unknown key "cors" (did you mean "cores"?)',
        edits={"nodes.phone.processor.cors": 2},
    ),
    _case(
        "unrelated-node-key",
        "nodes.phone",
        'unknown key "colour"; expected one of tier, count, processor, processors, power',
        edits={"nodes.phone.colour": "red"},
    ),
    _case("missing-tier", "nodes.edge", 'missing required key "tier"', edits={"nodes.edge.tier": DELETE}),
    _case(
        "bad-tier",
        "nodes.edge.tier",
        'expected one of device, edge, cloud, network, got "egde" (did you mean',
        edits={"nodes.edge.tier": "egde"},
    ),
    _case(
        "count-string",
        "nodes.phone.count",
        'expected an integer, got "10^9"',
        edits={"nodes.phone.count": "10^9"},
    ),
    _case(
        "count-huge",
        "nodes.phone.count",
        "expected a value at most 500000, got 1000000000",
        edits={"nodes.phone.count": 10**9},
    ),
    _case(
        "count-zero",
        "nodes.phone.count",
        "expected a value at least 1, got 0",
        edits={"nodes.phone.count": 0},
    ),
    _case(
        "too-many-nodes",
        "nodes",
        "1,000,003 nodes in total; the limit is 500,000",
        edits={"nodes.phone.count": 500_000, "nodes.tablet": {"tier": "device", "count": 500_000}},
    ),
    _case(
        "duplicate-node",
        "nodes.phone-1",
        'node "phone-1" is also made by nodes.phone',
        edits={"nodes.phone-1": {"tier": "device"}},
    ),
    _case(
        "bad-node-name",
        'nodes["my phone"]',
        "may contain only ASCII letters, digits, '_' and '-', and not begin with '-'",
        edits={'nodes["my phone"]': {"tier": "device"}},
    ),
    # "may contain only letters" refused a name of letters: é is one, but not an ASCII one.
    _case(
        "accented-node-name",
        'nodes["téléphone"]',
        "may contain only ASCII letters, digits, '_' and '-', and not begin with '-'",
        edits={'nodes["téléphone"]': {"tier": "device"}},
    ),
    # "-x" is letters, digits, '_' and '-' only, and was refused as if it were not.
    _case(
        "node-name-beginning-with-a-dash",
        'nodes["-x"]',
        "and not begin with '-'",
        edits={'nodes["-x"]': {"tier": "device"}},
    ),
    _case(
        "network-with-processor",
        "nodes.ap.processor",
        "a network node forwards and computes nothing",
        edits={"nodes.ap.processor": {"speed": "1 GFLOP/s"}},
    ),
    _case(
        "profile-and-speed",
        "nodes.edge.processor",
        'expected either "profile" or "speed", not both',
        edits={"nodes.edge.processor.speed": "1 TFLOP/s"},
    ),
    _case(
        "neither-profile-nor-speed",
        "nodes.phone.processor",
        'expected either "profile" or "speed", got neither',
        edits={"nodes.phone.processor": {"cores": 2}},
    ),
    # An unknown profile is the world's to refuse (tests/test_profiles.py): the scenario does not read it.
    _case(
        "tier-case",
        "nodes.edge.tier",
        'got "Edge" (did you mean "edge"?)',
        edits={"nodes.edge.tier": "Edge"},
    ),
    _case(
        "zero-cores",
        "nodes.edge.processor.cores",
        "expected a value at least 1, got 0",
        edits={"nodes.edge.processor.cores": 0},
    ),
    _case(
        "bad-speed-unit",
        "nodes.phone.processor.speed",
        'expected a speed like "50 GFLOP/s", got "1 GHz"',
        edits={"nodes.phone.processor.speed": "1 GHz"},
    ),
    _case(
        "memory-bandwidth-in-bits",
        "nodes.phone.processor.memory_bandwidth",
        'expected a memory bandwidth like "50 GB/s", got "5 Gbps": unknown unit "Gbps" (a bandwidth unit)',
        edits={"nodes.phone.processor.memory_bandwidth": "5 Gbps"},
    ),
    _case(
        "energy-for-a-power",
        "nodes.phone.power.busy",
        'expected a power like "3 W", got "2.5 J": unknown unit "J" (an energy unit)',
        edits={"nodes.phone.power.busy": "2.5 J"},
    ),
    _case(
        "bad-power-unit",
        "nodes.phone.power.idle",
        'unknown unit "X"',
        edits={"nodes.phone.power.idle": "1 X"},
    ),
    _case(
        "negative-down-power",
        "nodes.phone.power.down",
        'expected a non-negative power like "3 W", got "-0.2 W"',
        edits={"nodes.phone.power.down": "-0.2 W"},
    ),
    _case(
        "nan-down-power",
        "nodes.phone.power.down",
        'expected a power like "3 W", got nan (not finite)',
        edits={"nodes.phone.power.down": float("nan")},
    ),
    _case(
        "energy-for-a-down-power",
        "nodes.phone.power.down",
        'expected a power like "3 W", got "1 J": unknown unit "J" (an energy unit)',
        edits={"nodes.phone.power.down": "1 J"},
    ),
    # -- links
    _case(
        "bad-bandwidth",
        "links[1].bandwidth",
        'expected a bandwidth like "20 Mbps", got "fast"',
        edits={"links[1].bandwidth": "fast"},
    ),
    _case(
        "bandwidth-unit-case",
        "links[0].bandwidth",
        'unknown unit "mbps" (did you mean "Mbps"?); known: bps, kbps, Mbps, Gbps',
        edits={"links[0].bandwidth": "10 mbps"},
    ),
    _case(
        "power-unit-case",
        "nodes.phone.power.busy",
        'unknown unit "w" (did you mean "W"?)',
        edits={"nodes.phone.power.busy": "3 w"},
    ),
    _case(
        "link-node-case",
        "links[1].between[0]",
        '"AP" matches no node (did you mean "ap"?)',
        edits={"links[1].between": ["AP", "edge"]},
    ),
    _case(
        "zero-bandwidth",
        "links[0].reverse_bandwidth",
        'expected a positive bandwidth like "20 Mbps", got 0',
        edits={"links[0].reverse_bandwidth": 0},
    ),
    _case(
        "negative-latency",
        "links[0].latency",
        'expected a non-negative time like "5 ms", got "-3 ms"',
        edits={"links[0].latency": "-3 ms"},
    ),
    _case(
        "missing-bandwidth",
        "links[0]",
        'missing required key "bandwidth"',
        edits={"links[0].bandwidth": DELETE},
    ),
    _case(
        "between-three",
        "links[0].between",
        "expected two node names or patterns [A, B], got 3 item(s)",
        edits={"links[0].between": ["phone-*", "ap", "edge"]},
    ),
    _case(
        "unknown-link-node",
        "links[1].between[1]",
        '"egde" matches no node (did you mean "edge"?)',
        edits={"links[1].between": ["ap", "egde"]},
    ),
    _case(
        "self-link", "links[1].between", 'links "ap" only to itself', edits={"links[1].between": ["ap", "ap"]}
    ),
    _case(
        "duplicate-link",
        "links[2].between",
        '"edge" and "ap" are already linked by links[1]',
        edits={"links[+]": {"between": ["edge", "ap"], "bandwidth": "1 Gbps"}},
    ),
    _case(
        "too-many-pairs",
        "links[2].between",
        "node pairs (after 5,001 from the entries before it); the limit is 1,000,000 links in all",
        edits={"nodes.phone.count": 5000, "links[+]": {"between": ["phone-*", "phone-*"], "bandwidth": 1}},
    ),
    # -- applications
    _case(
        "two-app-kinds",
        "applications.job",
        'expected exactly one of "model", "onnx", "work", "service", "stages", got "work", "service"',
        edits={"applications.job.service": "1 ms"},
    ),
    _case("no-app-kind", "applications.job", "got none", edits={"applications.job.work": DELETE}),
    _case(
        "unknown-model",
        "applications.job.model",
        'unknown model "resnet5" (did you mean "resnet50"?)',
        edits={"applications.job.work": DELETE, "applications.job.model": "resnet5"},
        marks=needs_zoo,
    ),
    # A pruned or distilled variant named as a model ("distilbert") said only the zoo's names: where a
    # model the zoo lacks comes from is said too (HF38's trial).
    _case(
        "unknown-model-own",
        "applications.job.model",
        'unknown model "distilbert"; known: alexnet, vgg16, resnet18, resnet50, mobilenet_v2, '
        "efficientnet_b0, squeezenet1_1, vit_b_16, bert-base, gpt2, llama-3.2-1b, llama-3.1-8b; a model "
        "the zoo lacks (a pruned or distilled one) is an ONNX file, {onnx: FILE}, or a list of layers, "
        "stages: (docs/models.md#your-own-model)",
        edits={"applications.job.work": DELETE, "applications.job.model": "distilbert"},
        marks=needs_zoo,
    ),
    # A codec only a layer graph's cut tensors can use: elsewhere it would be accepted and do nothing.
    _case(
        "compression-without-model",
        "applications.job.compression",
        'compression "int8" applies to a model\'s activations; this application runs no model',
        edits={"applications.job.compression": "int8"},
    ),
    _case(
        "compression-on-llm",
        "applications.job.compression",
        'not to an LLM\'s per-token hidden states ("llama-3.2-1b")',
        edits={
            "applications.job.work": DELETE,
            "applications.job.model": "llama-3.2-1b",
            "applications.job.compression": "fp16",
        },
        marks=needs_zoo,
    ),
    # Keys of the other kind of request: an LLM has no input/output sizes, other work draws no tokens.
    _case(
        "input-on-llm",
        "applications.job.input",
        '"input" would be ignored; leave it out',
        edits={
            "applications.job.work": DELETE,
            "applications.job.model": "llama-3.2-1b",
            "applications.job.input": "1 MB",
        },
        marks=needs_zoo,
    ),
    # The prefill graph's own parameters: a scenario's LLM request reads prompt_tokens and starts with
    # an empty KV cache, so these were accepted and ran as if left out.
    _case(
        "prefill-tokens-param-on-llm",
        "applications.job.params.tokens",
        "not of a request, which prefills its prompt_tokens: it would be ignored; give the prompt's "
        "length as prompt_tokens",
        edits={**LLM_JOB, "applications.job.params": {"tokens": 100}},
        marks=needs_zoo,
    ),
    _case(
        "past-tokens-param-on-llm",
        "applications.job.params.past_tokens",
        "starts with an empty KV cache: it would be ignored; count earlier turns in prompt_tokens",
        edits={**LLM_JOB, "applications.job.params": {"past_tokens": 1000, "precision": "int8"}},
        marks=needs_zoo,
    ),
    _case(
        "tokens-without-llm",
        "applications.job.prompt_tokens",
        '"prompt_tokens" applies to LLM requests (gpt2, llama-3.2-1b, llama-3.1-8b); this application '
        "runs no LLM, so it would be ignored",
        edits={"applications.job.prompt_tokens": 100},
    ),
    _case(
        "onnx-directory",
        "applications.job.onnx",
        "models: is a directory, expected an ONNX file",
        edits={"applications.job.work": DELETE, "applications.job.onnx": "models"},
        files={"models/": ""},
    ),
    # A retry is a new attempt: a million per task with a short timeout runs for hours.
    _case(
        "retries-unbounded",
        "recovery.retries",
        "expected a value at most 100, got 1000000",
        edits={"recovery": {"timeout": "1 ns", "retries": 1000000}},
    ),
    _case(
        "model-param-list",
        "applications.job.params.image_size",
        "expected a whole number, got a list",
        edits={
            "applications.job.work": DELETE,
            "applications.job.model": "resnet18",
            "applications.job.params": {"image_size": [224]},
        },
        marks=needs_zoo,
    ),
    _case(
        "model-param-string",
        "applications.job.params.num_classes",
        'expected a whole number, got "ten"',
        edits={
            "applications.job.work": DELETE,
            "applications.job.model": "resnet18",
            "applications.job.params": {"num_classes": "ten"},
        },
        marks=needs_zoo,
    ),
    # A classifier of no classes built with no output, and its cut after the last layer sent 0 bytes.
    _case(
        "model-param-zero",
        "applications.job.params.num_classes",
        "expected a whole number at least 1, got 0",
        edits={
            "applications.job.work": DELETE,
            "applications.job.model": "resnet18",
            "applications.job.params": {"num_classes": 0},
        },
        marks=needs_zoo,
    ),
    _case(
        "model-param-unknown",
        "applications.job.params.image_szie",
        'model "resnet18" has no parameter "image_szie" (did you mean "image_size"?); '
        "it takes image_size, num_classes",
        edits={
            "applications.job.work": DELETE,
            "applications.job.model": "resnet18",
            "applications.job.params": {"image_szie": 112},
        },
        marks=needs_zoo,
    ),
    _case(
        "fractional-output-tokens",
        "applications.chat.output_tokens",
        "expected a whole token count like 256, got 0.5",
        edits={"applications.chat": {"model": "llama-3.2-1b", "output_tokens": 0.5}},
        marks=needs_zoo,
    ),
    _case(
        "zero-prompt-tokens",
        "applications.chat.prompt_tokens",
        "expected a positive token count like 256, got 0",
        edits={"applications.chat": {"model": "llama-3.2-1b", "prompt_tokens": 0}},
        marks=needs_zoo,
    ),
    _case(
        "fractional-tokens-in-distribution",
        "applications.chat.output_tokens.uniform[1]",
        "expected a whole token count like 256, got 64.5",
        edits={"applications.chat": {"model": "llama-3.2-1b", "output_tokens": {"uniform": [16, 64.5]}}},
        marks=needs_zoo,
    ),
    _case(
        "tokens-with-a-unit",
        "applications.chat.prompt_tokens.empirical[0]",
        'expected a token count like 256 (a plain number, no unit), got "12 KB"',
        edits={"applications.chat": {"model": "llama-3.2-1b", "prompt_tokens": {"empirical": ["12 KB"]}}},
        marks=needs_zoo,
    ),
    _case(
        "missing-onnx",
        "applications.job.onnx",
        'no such file "net.onnx"',
        edits={"applications.job.work": DELETE, "applications.job.onnx": "net.onnx"},
    ),
    _case(  # the shorthand's path, as written: applications.job.onnx is not in the file
        "missing-onnx-shorthand",
        "applications.job.model.onnx",
        'no such file "net.onnx"',
        edits={"applications.job.work": DELETE, "applications.job.model": {"onnx": "net.onnx"}},
    ),
    _case(
        "negative-work",
        "applications.job.work",
        'expected a non-negative work like "2 GFLOP", got "-2 GFLOP"',
        edits={"applications.job.work": "-2 GFLOP"},
    ),
    _case(
        "work-in-seconds",
        "applications.job.work",
        'expected a work like "2 GFLOP", got "2 s": unknown unit "s" (a time unit)',
        edits={"applications.job.work": "2 s"},
    ),
    _case(
        "unknown-distribution",
        "applications.job.work",
        'unknown distribution "exponentail" (did you mean',
        edits={"applications.job.work": {"exponentail": "1 GFLOP"}},
    ),
    _case(
        "two-distributions",
        "applications.job.work",
        "a distribution is a mapping with one key",
        edits={"applications.job.work": {"exponential": 1, "uniform": [1, 2]}},
    ),
    _case(
        "uniform-reversed",
        "applications.job.work.uniform",
        'low "3 GFLOP" is greater than high "1 GFLOP"',
        edits={"applications.job.work": {"uniform": ["3 GFLOP", "1 GFLOP"]}},
    ),
    _case(
        "uniform-one-value",
        "applications.job.work.uniform",
        "expected [LOW, HIGH] or {low: LOW, high: HIGH}",
        edits={"applications.job.work": {"uniform": ["3 GFLOP"]}},
    ),
    _case(
        "lognormal-no-sigma",
        "applications.job.work.lognormal",
        'missing required key "sigma"',
        edits={"applications.job.work": {"lognormal": {"mean": "1 GFLOP"}}},
    ),
    # A sigma past 4.7: nearly every draw far below the mean, which draws rarer than any run
    # makes carry; a task's work came to nothing, a node's failures crawled the clock along.
    _case(
        "lognormal-sigma-too-large",
        "applications.job.work.lognormal.sigma",
        "expected a sigma of at most 4.7, got 10: half its draws would be below 1.9e-22 of its mean, "
        "and 100 % of the mean comes from draws rarer than one in a billion, which no run makes",
        edits={"applications.job.work": {"lognormal": {"mean": "1 GFLOP", "sigma": 10}}},
    ),
    _case(
        "lognormal-sigma-just-too-large",
        "applications.job.input.lognormal.sigma",
        "expected a sigma of at most 4.7, got 4.8: half its draws would be below 9.9e-06 of its mean, "
        "and 11.5 % of the mean",
        edits={"applications.job.input": {"lognormal": {"mean": "150 KB", "sigma": 4.8}}},
    ),
    _case(
        "exponential-bad-key",
        "applications.job.work.exponential",
        'unknown key "avg"; expected mean',
        edits={"applications.job.work": {"exponential": {"avg": "1 GFLOP"}}},
    ),
    _case(
        "exponential-zero-mean",
        "applications.job.work.exponential.mean",
        "expected a positive work",
        edits={"applications.job.work": {"exponential": {"mean": 0}}},
    ),
    _case(
        "empirical-empty",
        "applications.job.work.empirical",
        "expected at least one sample value",
        edits={"applications.job.work": {"empirical": []}},
    ),
    _case(
        "empirical-bad-value",
        "applications.job.work.empirical[1]",
        'expected a work like "2 GFLOP", got "lots"',
        edits={"applications.job.work": {"empirical": ["1 GFLOP", "lots"]}},
    ),
    _case(
        "empirical-csv-missing",
        "applications.job.service.empirical",
        "samples.csv: no such file",
        edits={"applications.job.work": DELETE, "applications.job.service": {"empirical": "samples.csv"}},
    ),
    _case(
        "empirical-csv-bad-line",
        "applications.job.service.empirical",
        'samples.csv, line 3: expected a time like "5 ms", got "soon"',
        edits={"applications.job.work": DELETE, "applications.job.service": {"empirical": "samples.csv"}},
        files={"samples.csv": "service_s\n0.5\nsoon\n"},
    ),
    _case(
        "empirical-csv-two-columns",
        "applications.job.service.empirical",
        "samples.csv, line 1: expected one column of values, got 2",
        edits={"applications.job.work": DELETE, "applications.job.service": {"empirical": "samples.csv"}},
        files={"samples.csv": "1,2\n"},
    ),
    _case(
        "stages-empty",
        "applications.job.stages",
        "expected at least 1 item(s), got an empty list",
        edits={"applications.job.work": DELETE, "applications.job.stages": []},
    ),
    _case(
        "stage-without-work",
        "applications.job.stages[1]",
        'expected either "work" or "service", got neither',
        edits={
            "applications.job.work": DELETE,
            "applications.job.stages": [{"work": "1 GFLOP", "output": "1 MB"}, {"output": "1 KB"}],
        },
    ),
    _case(
        "zero-deadline",
        "applications.job.deadline",
        'expected a positive time like "5 ms", got "0 ms"',
        edits={"applications.job.deadline": "0 ms"},
    ),
    _case(
        "bad-size",
        "applications.job.input",
        'expected a size like "150 KB", got "150 KBs": unknown unit',
        edits={"applications.job.input": "150 KBs"},
    ),
    # -- workload
    _case(
        "unknown-app",
        "workload[0].app",
        'unknown application "jbo" (did you mean "job"?)',
        edits={"workload[0].app": "jbo"},
    ),
    _case(
        "source-matches-nothing",
        "workload[0].sources[1]",
        '"tablet-*" matches no node',
        edits={"workload[0].sources": ["phone-0", "tablet-*"]},
    ),
    _case(
        "source-out-of-range",
        "workload[0].sources",
        '"phone-7" matches no node (phone has phone-0 .. phone-2)',
        edits={"workload[0].sources": "phone-7"},
    ),
    _case(
        "source-unreachable",
        "workload[0].sources",
        '"lonely" cannot reach any node with a processor',
        edits={"workload[0].sources": "lonely"},
    ),
    _case(
        "empty-sources",
        "workload[0].sources",
        "expected at least 1 item(s), got an empty list",
        edits={"workload[0].sources": []},
    ),
    _case(
        "bad-arrivals",
        "workload[0].arrivals",
        'expected one of poisson, periodic, trace, closed, got "poison"',
        edits={"workload[0].arrivals": "poison"},
    ),
    _case(
        "arrivals-a-list",  # the refusal's look-up of a plug-in that failed to load took it as a name
        "workload[0].arrivals",
        "expected one of poisson, periodic, trace, closed, got a list",
        edits={"workload[0].arrivals": ["poisson"]},
    ),
    _case(
        "zero-rate",
        "workload[0].rate",
        'expected a positive rate like "2 /s", got 0',
        edits={"workload[0].rate": 0},
    ),
    _case(
        "rate-as-time",
        "workload[0].rate",
        'expected a rate like "2 /s", got "1 s": unknown unit',
        edits={"workload[0].rate": "1 s"},
    ),
    _case(
        "periodic-without-period",
        "workload[0]",
        'arrivals: periodic needs "period"',
        edits={"workload[0].arrivals": "periodic", "workload[0].rate": DELETE},
    ),
    # A new user's trial: periodic given a rate instead of a period was told only "needs 'period'"
    # (with a period as well, "'rate' is not used with arrivals: periodic": now the same line).
    _case(
        "rate-instead-of-period",
        "workload[0].rate",
        '"rate" is a key of arrivals: poisson; arrivals: periodic takes "period" (required), "jitter"',
        edits={"workload[0].arrivals": "periodic"},
    ),
    _case(
        "period-without-arrivals",
        "workload[0].period",
        '"period" is a key of arrivals: periodic; arrivals: poisson (the default) takes "rate" (required)',
        edits={"workload[0].rate": DELETE, "workload[0].period": "1 s"},
    ),
    _case(
        "users-with-poisson",
        "workload[0].users",
        '"users" is a key of arrivals: closed; arrivals: poisson takes "rate" (required)',
        edits={"workload[0].arrivals": "poisson", "workload[0].users": 3},
    ),
    _case(
        "closed-without-users",
        "workload[0]",
        'arrivals: closed needs "users"; it takes "users" (required), "think"',
        edits={"workload[0].arrivals": "closed", "workload[0].rate": DELETE},
    ),
    _case(
        "stop-before-start",
        "workload[0].stop",
        "stop (1 s) must be after start (5 s)",
        edits={"workload[0].start": "5 s", "workload[0].stop": "1 s"},
    ),
    _case(
        "trace-missing", "workload[0].trace", "trace.csv: no such file", edits={"workload[0]": TRACE_ENTRY}
    ),
    _case(
        "trace-unsorted",
        "workload[0].trace",
        "trace.csv, line 3: time 1 s is before the previous row's 2 s",
        edits={"workload[0]": TRACE_ENTRY},
        files={"trace.csv": "time\n2\n1\n"},
    ),
    _case(
        "trace-no-time-column",
        "workload[0].trace",
        'trace.csv, line 1: expected a header row with a "time" column',
        edits={"workload[0]": TRACE_ENTRY},
        files={"trace.csv": "when,source\n1,phone-0\n"},
    ),
    _case(
        "trace-bad-time",
        "workload[0].trace",
        'trace.csv, line 2: expected a time like "5 ms", got "noon"',
        edits={"workload[0]": TRACE_ENTRY},
        files={"trace.csv": "time\nnoon\n"},
    ),
    _case(
        "trace-unknown-source",
        "workload[0].trace",
        'trace.csv, line 3: source "phone-9" is not one of this entry\'s sources',
        edits={"workload[0]": TRACE_ENTRY},
        files={"trace.csv": "time,source\n0.5,phone-0\n1,phone-9\n"},
    ),
    # -- policy
    _case(
        "unknown-policy",
        "policy",
        'unknown policy "nurosurgeon"',
        edits={"policy": "nurosurgeon"},
        marks=needs_registry,
    ),
    _case(
        "unknown-policy-mapping",
        "policy.name",
        'unknown policy "loacl" (did you mean "local"?)',
        edits={"policy": {"name": "loacl"}},
        marks=needs_registry,
    ),
    _case(
        "unknown-policy-case",
        "policy",
        'unknown policy "Local" (did you mean "local"?)',
        edits={"policy": "Local"},
        marks=needs_registry,
    ),
    _case(
        "policy-as-command-line-entry",
        "policy",
        'unknown policy "neurosurgeon(objective=energy)": NAME(KEY=VALUE, ...) is the form of run --policy '
        "and compare --policies; in a scenario the policy and its parameters are a mapping, "
        "policy: {name: neurosurgeon, objective: energy}",
        edits={"policy": "neurosurgeon(objective=energy)"},
        marks=needs_registry,
    ),
    _case(
        "policy-as-command-line-entry-with-a-list",
        "policy",
        "policy: {name: least-loaded, tiers: [edge, cloud], load_bucket: 0.02}",
        edits={"policy": "least-loaded(tiers=[edge, cloud], load_bucket=0.02)"},
        marks=needs_registry,
    ),
    _case(
        "policy-not-name",
        "policy",
        "expected a policy name or a mapping {name: NAME, <params>}, got 3",
        edits={"policy": 3},
    ),
    _case(
        "policy-without-name",
        "policy",
        'missing required key "name"',
        edits={"policy": {"objective": "energy"}},
    ),
    # -- overrides
    _case(
        "override-missing-index",
        "links[7]",
        "no entry [7]: links has 2 entries",
        overrides=("links[7].bandwidth=1 Mbps",),
    ),
    _case(
        "override-through-scalar",
        "duration.unit",
        'cannot --set "duration.unit=s": duration is "30 s", not a mapping',
        overrides=("duration.unit=s",),
    ),
    _case("override-without-equals", "", 'expected KEY.PATH=VALUE, got "seed"', overrides=("seed",)),
    _case(
        "override-bad-value",
        "links[0].bandwidth",
        'cannot read the value "[1, " as YAML',
        overrides=("links[0].bandwidth=[1, ",),
    ),
]


def _write_variant(mistake: Mistake, directory: Path) -> Path:
    for name, content in mistake.files.items():
        if name.endswith("/"):
            (directory / name).mkdir()  # a directory where a file is expected
        else:
            (directory / name).write_text(content, encoding="utf-8")
    path = directory / "bad.yaml"
    if mistake.text is not None:
        path.write_text(mistake.text, encoding="utf-8")
        return path
    document = small_document()
    for key_path, value in mistake.edits.items():
        if value is DELETE:
            _delete(document, key_path)
        elif key_path == "links[+]":
            document["links"].append(value)
        else:
            set_path(document, key_path, value)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_there_are_at_least_thirty_distinct_mistakes():
    distinct = {(case.values[0].key_path, case.values[0].expected) for case in MISTAKES}
    assert len(distinct) == len(MISTAKES) >= 30


@pytest.mark.parametrize("mistake", MISTAKES)
def test_mistake_is_reported_on_one_line_with_file_path_and_expectation(mistake: Mistake, tmp_path: Path):
    path = _write_variant(mistake, tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, mistake.overrides)
    error = caught.value
    text = str(error)
    lines = text.splitlines()
    assert lines == [str(problem) for problem in error.problems]
    assert all(line.startswith(f"{path}: ") for line in lines), text
    prefix = f"{path}: {mistake.key_path}: " if mistake.key_path else f"{path}: "
    matching = [line for line in lines if line.startswith(prefix) and mistake.expected in line]
    assert matching, f"no line starts with {prefix!r} and contains {mistake.expected!r}:\n{text}"
    for banned in ("pydantic", "http", "Input should", "[type=", "Value error", "\n"):
        assert banned not in "".join(lines), text


def test_missing_file_is_one_line(tmp_path: Path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(missing)
    assert str(caught.value) == f"{missing}: no such file"


def test_every_problem_is_reported_at_once(tmp_path: Path):
    text = (
        SMALL.replace("20 Mbps", "fast")
        .replace("cores: 2", "cores: 0")
        .replace("duration: 30 s", "duration: 0")
    )
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    paths = [problem.key_path for problem in caught.value.problems]
    assert paths == ["duration", "nodes.edge.processor.cores", "links[0].bandwidth"]
    assert all(isinstance(problem, Problem) and problem.check is None for problem in caught.value.problems)


def test_semantic_problems_are_collected_together(tmp_path: Path):
    document = small_document()
    set_path(document, "links[1].between", ["ap", "egde"])
    set_path(document, "workload[0].app", "jbo")
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [p.key_path for p in caught.value.problems] == ["links[1].between[1]", "workload[0].app"]


def test_scenario_error_survives_pickling_for_process_pools():
    import pickle

    message = 'expected a bandwidth like "20 Mbps", got "fast"'
    error = ScenarioError([("a.yaml", "links[0].bandwidth", message)])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems and str(again) == str(error)
    assert str(again) == 'a.yaml: links[0].bandwidth: expected a bandwidth like "20 Mbps", got "fast"'


def test_the_three_checks_of_a_value_listed_twice_share_their_words():
    """A sweep axis, compare's policies and mobility's access points: one helper finds and words it."""
    import doctest

    from offloadsim.scenario import errors

    assert errors.first_repeat(["a", "b", "c", "b", "a"]) == (1, 3)
    assert errors.first_repeat([1.0, 2, 1]) == (0, 2)  # what is equal is the caller's key
    assert errors.first_repeat([]) is None and errors.first_repeat(["a", "b"]) is None
    assert errors.given_twice('"x"', '"x"', what="point") == '"x" is given twice'
    assert errors.given_twice("a=1", "a=1.0", what="point") == "a=1 and a=1.0 are the same point"
    assert doctest.testmod(errors).failed == 0


_CHAT = """
name: chat
nodes:
  phone: {tier: device, processor: {profile: cortex-a76}}
  cloud: {tier: cloud, processor: {profile: a100}}
links:
  - {between: [phone, cloud], bandwidth: 50 Mbps}
applications:
  chat: {model: MODEL, TOKENS alternatives: [big]}
  big: {model: llama-3.1-8b, hosts: [cloud]}
workload:
  - {app: chat, sources: phone, rate: 0.1 /s}
"""


@pytest.mark.parametrize(
    ("model", "tokens", "message"),
    [
        (
            "gpt2",
            "prompt_tokens: 1000, output_tokens: 100,",
            "applications.chat.prompt_tokens: gpt2 holds at most 1,024 tokens of context; its prompt and "
            "output tokens reach 1,100",
        ),
        (
            "gpt2",
            "output_tokens: {uniform: [10, 1000]},",
            "applications.chat.output_tokens: gpt2 holds at most 1,024 tokens of context; its prompt and "
            "output tokens reach 1,128",
        ),
        (
            "gpt2",
            "prompt_tokens: 100, output_tokens: {uniform: [10, 1000]},",
            "applications.chat.output_tokens: gpt2 holds at most 1,024 tokens of context; its prompt and "
            "output tokens reach 1,100",
        ),
        (
            "llama-3.2-1b",
            "prompt_tokens: {exponential: 140000},",
            "applications.chat.prompt_tokens: llama-3.2-1b holds at most 131,072 tokens of context; its "
            "prompt and output tokens reach on average 140,064",
        ),
    ],
)
def test_an_llm_request_longer_than_its_models_context_is_refused(model, tokens, message):
    """GPT-2 was run on 1,100-token requests (its window is 1,024), its cost extrapolated."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(_CHAT.replace("MODEL", model).replace("TOKENS", tokens), source="<t>")
    assert str(caught.value) == f"<t>: {message}"


def test_an_alternative_with_a_shorter_context_is_held_to_the_requests_tokens():
    text = _CHAT.replace("MODEL", "llama-3.2-1b").replace("TOKENS", "prompt_tokens: 1000,")
    load_scenario_text(text, source="<t>")  # 1,064 tokens: both Llamas hold them
    with pytest.raises(ScenarioError, match=r"gpt2 holds at most 1,024 tokens of context \(served by its "):
        load_scenario_text(text.replace("model: llama-3.1-8b", "model: gpt2"), source="<t>")


def test_an_unknown_llm_model_is_one_line_not_a_cascade_of_what_follows_from_it():
    """A typo in an LLM application's model used to add three lines about its tokens and alternatives."""
    text = _CHAT.replace("MODEL", "llama-4").replace("TOKENS", "prompt_tokens: 64, output_tokens: 32,")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, source="<t>")
    assert [problem.key_path for problem in caught.value.problems] == ["applications.chat.model"]
    assert 'unknown model "llama-4"' in str(caught.value)


_QUOTED_BASE = """name: m
duration: 10 s
nodes:
  a: {tier: device, processor: {speed: 1 GFLOP/s}}
  b: {tier: edge, processor: {%s}}
links:
  - {between: [a, b], bandwidth: 10 Mbps}
applications:
  x: %s
workload:
  - %s
"""
_POISSON = "{app: x, sources: a, rate: 1 /s}"


@pytest.mark.parametrize(
    ("profile", "app", "workload", "expected"),
    [
        ("speed: 1 GFLOP/s", "{onnx: a.onnx, model: {onnx: b.onnx}}", _POISSON, 'give "onnx" once'),
        ("speed: 1 GFLOP/s", "{work: 1 GFLOP, params: {a: 1}}", _POISSON, '"params" does not apply'),
        (
            "speed: 1 GFLOP/s",
            "{onnx: a.onnx, params: {seq_len: 3}}",
            _POISSON,
            'only "precision" or "dtype_bytes"',
        ),
        (
            "speed: 1 GFLOP/s",
            "{service: 0 s}",
            "{app: x, sources: a, arrivals: closed, users: 1}",
            'give "think" a positive time',
        ),
        ("profile: ./bad.json", "{work: 1 GFLOP}", _POISSON, '(no "format: offloadsim.calibrated-profile")'),
    ],
    ids=["onnx-once", "synthetic-params", "onnx-params", "think", "profile-format"],
)
def test_key_names_in_messages_are_double_quoted(profile, app, workload, expected, tmp_path: Path, capsys):
    """The project quotes names with double quotes; these messages wrote 'onnx', 'params', 'think', ..."""
    from offloadsim.cli.main import main

    (tmp_path / "bad.json").write_text('{"name": "x"}')
    path = tmp_path / "s.yaml"
    path.write_text(_QUOTED_BASE % (profile, app, workload))
    assert main(["validate", str(path)]) == 2
    text = capsys.readouterr().err
    assert expected in text and "'" not in text.replace("model's", "").replace("an ONNX", ""), text
