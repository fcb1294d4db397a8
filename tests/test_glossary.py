"""The words a comparison's table and notes use are defined in one place, and the links to it resolve.

HE44, as a lecturer writing a course handout: replication, warm-up, p95, paired Δ and offered load
each appear in compare's output and notes, but were defined nowhere a student would look (offered
load in no user doc but cli.md's notes), and docs/scenario-format.md said `memory_bandwidth`
"bounds LLM decode" where it bounds every model layer: a CNN's time moved from its FLOPs ÷ speed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from offloadsim.scenario import load_scenario_data
from offloadsim.world.build import build_world

ROOT = Path(__file__).resolve().parents[1]
TERMS = (
    "replication",
    "warm-up",
    "latency",
    "p95",
    "95 % CI",
    "paired Δ",
    "utilisation",
    "offered load",
    "in flight",
    "deadline misses",
    "TTFT",
)


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation but - and _ dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    return {_anchor(line.lstrip("#")) for line in doc.read_text().splitlines() if line.startswith("#")}


def _glossary() -> str:
    text = (ROOT / "docs/experiments.md").read_text()
    start = text.index("### Glossary")
    return text[start : text.index("\n#", start + 1)]


def test_the_glossary_defines_each_term_of_a_comparisons_output():
    entries = re.findall(r"^\* \*\*(.+?)\*\*", _glossary(), flags=re.M)
    for term in TERMS:
        assert any(term in entry for entry in entries), term


def test_the_glossarys_links_and_the_readmes_link_to_it_resolve():
    links = re.findall(r"\]\(([\w./-]*)#([\w-]+)\)", _glossary())
    assert links
    for file, anchor in links:
        assert anchor in _anchors(ROOT / "docs" / (file or "experiments.md")), (file, anchor)
    readme = re.findall(r"\(docs/experiments\.md#(glossary[\w-]*)\)", (ROOT / "README.md").read_text())
    assert readme and all(a in _anchors(ROOT / "docs/experiments.md") for a in readme)


@pytest.mark.parametrize(("bandwidth", "ms"), [(None, 72.760), ("20 GB/s", 75.224)])
def test_memory_bandwidth_bounds_a_cnns_layers_as_the_scenario_format_says(bandwidth, ms):
    processor = {"speed": "50 GFLOP/s"} | ({"memory_bandwidth": bandwidth} if bandwidth else {})
    world = build_world(
        load_scenario_data(
            {
                "name": "glossary",
                "nodes": {"phone": {"tier": "device", "processor": processor}},
                "applications": {"classify": {"model": "resnet18", "input": "150 KB"}},
                "workload": [{"app": "classify", "sources": "phone", "arrivals": "poisson", "rate": "1 /s"}],
            }
        )
    )
    assert round(float(world.layer_seconds("classify", "phone").sum()) * 1e3, 3) == ms
    row = next(
        line
        for line in (ROOT / "docs/scenario-format.md").read_text().splitlines()
        if line.startswith("| `memory_bandwidth`")
    )
    assert f"{ms:.3f} ms" in row and "roofline" in row
