"""The fenced code blocks of README.md and docs/*.md, each with what the doc tests do with it.

A block is checked by its language (the fence's info string):

* ``sh``: every command line runs in the doc's session directory and must exit 0 (a
  line ending in ``\\`` continues on the next; ``source``, ``export`` and ``cd`` lines
  shape the shell the following lines of the block run in);
* ``console``: every ``$ command`` runs; the lines after it, when there are any, are the
  output it must print (stdout and stderr together; ``...`` matches anything, as in
  doctest). A command whose output shows ``offloadsim: error:`` must exit 2, any
  other must exit 0;
* ``python``: run in the doc's Python session (one interpreter per doc, so names carry
  from block to block as a reader's would); a block with ``>>>`` is a doctest and its
  output is compared;
* ``yaml``: a whole scenario (it has ``name`` and ``nodes``) is loaded and validated as
  ``offloadsim validate`` would; a fragment (a few top-level sections) is checked
  against the scenario schema, and a ``policy`` in it against the policy registry;
* ``toml``: parsed, and an ``entry-points`` table must name the policy entry-point group.

An HTML comment right before a fence changes that (one marker per comment; several
comments may stand on consecutive lines)::

    <!-- doc-test: skip REASON -->         not run; the report lists it with REASON
    <!-- doc-test: slow REASON -->         run only with --runslow (REASON says how long)
    <!-- doc-test: write PATH -->          written to PATH in the session; later blocks use it
    <!-- doc-test: usage -->               a synopsis: each --option must be in VERB --help
    <!-- doc-test: lines -->               yaml: each line is a separate alternative
    <!-- doc-test: installed -->           sh: ``python3 -m venv`` and ``pip install`` steps are
                                           not run; the session's .venv is the environment under test
    <!-- doc-test: xfail N REASON -->      the Nth command of the block is expected to fail (strict)

A block with no language and no marker is an error: every block is either run or
skipped with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = ("README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")))

_MARKER = re.compile(r"<!--\s*doc-test:\s*(?P<body>.*?)\s*-->", re.DOTALL)
KINDS = ("skip", "slow", "write", "usage", "lines", "installed", "xfail")
LANGUAGES = ("sh", "console", "python", "yaml", "toml")


@dataclass(frozen=True)
class Command:
    """One command of an ``sh`` or ``console`` block, with the output the doc shows for it."""

    line: int
    text: str
    expected: str | None = None  # console only; None when the doc shows no output


@dataclass
class Block:
    """One fenced block: where it is, its language, its text and its doc-test markers."""

    doc: str
    line: int  # 1-based line of the opening fence
    language: str
    text: str
    markers: dict[str, str] = field(default_factory=dict)
    xfail: dict[int, str] = field(default_factory=dict)  # command number (1-based) -> reason

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def runnable(self) -> bool:
        """Whether the tests run this block (a skipped block is listed with its reason instead)."""
        return "skip" not in self.markers

    def commands(self) -> list[Command]:
        """The commands of an ``sh`` or ``console`` block, continuation lines joined."""
        lines = self.text.splitlines()
        commands: list[Command] = []
        i = 0
        console = self.language == "console"
        while i < len(lines):
            raw = lines[i]
            if console and not raw.startswith("$ "):
                i += 1
                continue
            start = i
            text = raw[2:] if console else raw
            while text.endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text[:-1] + " " + lines[i].strip()
            i += 1
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            expected = None
            if console:
                output = []
                while i < len(lines) and not lines[i].startswith("$ "):
                    output.append(lines[i])
                    i += 1
                while output and not output[-1].strip():
                    output.pop()
                expected = "\n".join(output) + "\n" if output else None
            commands.append(Command(self.line + 1 + start, text.strip(), expected))
        return commands


def parse_markers(comments: list[str]) -> tuple[dict[str, str], dict[int, str]]:
    """``["slow about 3 min", "write a.yaml"]`` → ``{"slow": "about 3 min", "write": "a.yaml"}``."""
    markers: dict[str, str] = {}
    xfail: dict[int, str] = {}
    for comment in comments:
        kind, _, rest = comment.strip().partition(" ")
        if kind not in KINDS:
            raise ValueError(f"unknown doc-test marker {kind!r} (known: {', '.join(KINDS)})")
        if kind == "xfail":
            number, _, reason = rest.strip().partition(" ")
            if not number.isdigit() or not reason.strip():
                raise ValueError(f"expected 'xfail N REASON', got {comment!r}")
            xfail[int(number)] = reason.strip()
        else:
            markers[kind] = rest.strip()
    return markers, xfail


def doc_blocks(doc: str) -> list[Block]:
    """Every fenced block of one doc (a path relative to the repository root), in order."""
    tokens = MarkdownIt("commonmark").parse((ROOT / doc).read_text(encoding="utf-8"))
    blocks: list[Block] = []
    pending: list[str] = []
    for token in tokens:
        if token.type == "html_block" and token.content.lstrip().startswith("<!--"):
            pending += _MARKER.findall(token.content)  # other comments between are invisible too
            continue
        if token.type == "fence":
            assert token.map is not None
            markers, xfail = parse_markers(pending)
            language = token.info.split()[0] if token.info.strip() else ""
            blocks.append(Block(doc, token.map[0] + 1, language, token.content, markers, xfail))
        pending = []  # a marker applies only to the fence right after it
    return blocks


def all_blocks() -> list[Block]:
    """The blocks of README.md and every docs/*.md, file by file."""
    return [block for doc in DOC_FILES for block in doc_blocks(doc)]
