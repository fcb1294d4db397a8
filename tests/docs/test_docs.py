"""Every command and snippet in README.md and docs/*.md runs, in order, in a fresh copy of the repository.

Each doc gets its own copy (see ``doc_session``); its blocks run top to bottom, so
a later block may use what an earlier one wrote, as a reader's would. One test
per command of an ``sh``/``console`` block, one per other block; the rules are
in ``markdown_blocks``. Selecting one test (``-k``) first runs the blocks before
it in its doc; under pytest-xdist a doc's tests run together on one worker (their ids name the doc:
``tests/conftest.py``). Blocks marked ``slow`` run with ``--runslow``; skipped blocks are
listed with their reason in the summary (``-ra``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from doc_session import DocSession, Outcome, install_free
from markdown_blocks import DOC_FILES, LANGUAGES, ROOT, Block, Command, all_blocks
from xdist_units import xdist_unit

BLOCKS = all_blocks()


@dataclass(frozen=True)
class DocItem:
    """One test: a whole block, or one command of an ``sh``/``console`` block."""

    block: Block
    number: int = 0  # 1-based command number; 0 for a whole block
    command: Command | None = None

    @property
    def id(self) -> str:
        return f"{self.block.doc}:{self.command.line}" if self.command else self.block.id

    def enabled(self, config: pytest.Config) -> bool:
        """Whether this item runs in this test session (not skipped, and not slow without --runslow)."""
        return self.block.runnable and ("slow" not in self.block.markers or config.getoption("--runslow"))

    def run(self, session: DocSession) -> Outcome:
        block = self.block
        if "write" in block.markers:
            return session.write(block)
        if "usage" in block.markers:
            return session.usage(block)
        if self.command is not None:
            if block.language == "console":
                return session.console(self.command)
            text = install_free(self.command.text) if "installed" in block.markers else self.command.text
            return session.shell(text, prelude=self._prelude()) if text else Outcome(True)
        if block.language == "python":
            return session.python(block)
        if block.language == "yaml":
            return session.yaml(block)
        if block.language == "toml":
            return session.toml(block)
        if block.language in ("sh", "console"):
            return Outcome(False, "a command block with no command in it")
        return Outcome(
            False,
            f"a block in {block.language or 'no language'}: give it one of {', '.join(LANGUAGES)}, "
            "or a <!-- doc-test: ... --> marker (skip REASON, write PATH, usage)",
        )

    def _prelude(self) -> str:
        """The block's earlier ``source``/``export``/``cd`` lines: they shape the shell of later lines."""
        earlier = self.block.commands()[: self.number - 1]
        return "\n".join(c.text for c in earlier if c.text.split()[0] in ("source", ".", "export", "cd"))


def doc_items(blocks: list[Block]) -> Iterator[DocItem]:
    for block in blocks:
        commands = block.commands() if block.language in ("sh", "console") else []
        if commands and not ({"write", "usage"} & block.markers.keys()):
            for number, command in enumerate(commands, 1):
                yield DocItem(block, number, command)
        else:
            yield DocItem(block)


def _marks(item: DocItem) -> list[pytest.MarkDecorator]:
    markers = item.block.markers
    marks = []
    if "skip" in markers:
        marks.append(pytest.mark.skip(reason=f"{item.id}: {markers['skip'] or 'no reason given'}"))
    if "slow" in markers:
        marks.append(pytest.mark.slow(reason=f"{item.id}: {markers['slow'] or 'slow'}; use --runslow"))
    if item.number in item.block.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=item.block.xfail[item.number]))
    return marks


ITEMS = list(doc_items(BLOCKS))


class Sessions:
    """One lazily made ``DocSession`` per doc, and the items of each that have run."""

    def __init__(self, factory: pytest.TempPathFactory, config: pytest.Config):
        self.factory = factory
        self.config = config
        self.sessions: dict[str, DocSession] = {}

    def get(self, doc: str) -> DocSession:
        if doc not in self.sessions:
            self.sessions[doc] = DocSession(doc, self.factory.mktemp(Path(doc).stem))
        return self.sessions[doc]

    def run(self, item: DocItem) -> Outcome:
        """Run ``item`` after the enabled items before it in its doc that have not run yet."""
        session = self.get(item.block.doc)
        earlier_failures = []
        for before in ITEMS:
            if before is item:
                break
            if (
                before.block.doc == item.block.doc
                and before.id not in session.done
                and before.enabled(self.config)
            ):
                session.done[before.id] = before.run(session)
            if (
                before.block.doc == item.block.doc
                and before.id in session.done
                and not session.done[before.id].ok
            ):
                earlier_failures.append(before.id)
        outcome = item.run(session)
        session.done[item.id] = outcome
        if not outcome.ok and earlier_failures:
            outcome = Outcome(
                False, outcome.report + f"\n(earlier blocks of this doc failed: {earlier_failures})"
            )
        return outcome

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()


@pytest.fixture(scope="session")
def doc_sessions(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[Sessions]:
    sessions = Sessions(tmp_path_factory, pytestconfig)
    yield sessions
    sessions.close()


@pytest.mark.parametrize("item", [pytest.param(i, id=i.id, marks=_marks(i)) for i in ITEMS])
def test_doc_block(item: DocItem, doc_sessions: Sessions) -> None:
    outcome = doc_sessions.run(item)
    assert outcome.ok, f"{item.id}\n{outcome.report}"


@pytest.mark.parametrize("doc", ["README.md"])  # its id names the doc: it runs beside the doc's blocks
def test_readme_runs_twice_in_the_same_copy(
    doc: str, doc_sessions: Sessions, pytestconfig: pytest.Config
) -> None:
    """The README's set-up and tour, run again in the copy they already ran in, succeed again.

    Re-running a command is the most natural thing a user does; it must neither
    block nor lose an earlier result.
    """
    readme = [item for item in ITEMS if item.block.doc == doc and item.enabled(pytestconfig)]
    assert readme, "the README has no runnable block"
    session = doc_sessions.get(doc)
    for item in readme:
        if item.id not in session.done:
            doc_sessions.run(item)
    failures = []
    for item in readme:
        outcome = item.run(session)
        if not outcome.ok:
            failures.append(f"{item.id}\n{outcome.report}")
    assert not failures, "second pass:\n" + "\n\n".join(failures)


def test_every_doc_has_blocks_and_markers_name_known_kinds() -> None:
    docs = {block.doc for block in BLOCKS}
    assert "README.md" in docs and "docs/cli.md" in docs
    for block in BLOCKS:
        if "write" in block.markers:
            assert block.markers["write"], f"{block.id}: write needs a path"
        for number in block.xfail:
            assert 1 <= number <= len(block.commands()), f"{block.id}: xfail {number} names no command"


def test_each_docs_tests_are_one_unit_of_work_under_xdist(request: pytest.FixtureRequest) -> None:
    """A doc's tests go to one pytest-xdist worker, apart from other docs'; other tests, with the file.

    Split over workers, a doc's later blocks would run its earlier ones again in a second copy (the
    README's set-up and tour a third time); all on one worker, the docs would take the suite's time.
    """
    here = request.node.nodeid.split("::", 1)[0]
    docs_seen = set()
    for item in request.session.items:
        if not item.nodeid.startswith(here + "::"):
            continue
        params = getattr(item, "callspec", None) and item.callspec.params
        doc = (params["item"].block.doc if "item" in params else params.get("doc")) if params else None
        assert xdist_unit(item.nodeid) == (f"{here}::{doc}" if doc else here), item.nodeid
        docs_seen.add(doc)
    if request.config.getoption("keyword") == "" and not request.config.getoption("markexpr"):
        assert {"README.md", "docs/cli.md", None} <= docs_seen  # the whole file was collected


# Paths the docs name that do not exist in a fresh clone, because a command writes them.
WRITTEN_BY_A_COMMAND = {
    "scenarios/my-sweep.yaml": "written by a block of docs/experiments.md",
    "scenarios/my-split.yaml": "written by a block of docs/experiments.md",
    "scenarios/my-edges.yaml": "written by a block of docs/experiments.md",
    "scenarios/my-fleet-size.yaml": "written by a block of docs/experiments.md",
    "benchmarks/results/latest.json": "written by benchmarks/run.py",
}
_LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")
_CITED = re.compile(r"`(?P<path>[\w./-]+\.(?:py|md|yaml|yml|json|toml|csv))`")
_TOP = ("offloadsim/", "tests/", "scenarios/", "benchmarks/", "analysis/", "docs/", ".ci/")


@pytest.mark.parametrize("doc", DOC_FILES)
def test_every_linked_and_cited_file_exists(doc: str) -> None:
    """A link, or a repository path in backticks, names a file a fresh clone has."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    here = (ROOT / doc).parent
    missing = [m["target"] for m in _LINK.finditer(text) if "://" not in m["target"]]
    missing = [target for target in missing if not (here / target).exists()]
    for match in _CITED.finditer(text):
        path = match["path"]
        top_level = path.startswith(_TOP) or ("/" not in path and path.endswith(".md"))
        module = "/" in path and path.endswith(".py") and not path.startswith(_TOP)
        if path in WRITTEN_BY_A_COMMAND or not (top_level or module):
            continue
        candidates = [ROOT / path] if top_level else [ROOT / "offloadsim" / path]
        if path.endswith(".md") and "/" not in path:
            candidates += [ROOT / "docs" / path]
        if not any(c.exists() for c in candidates):
            missing.append(path)
    assert not missing, f"{doc} names files that do not exist: {missing}"
