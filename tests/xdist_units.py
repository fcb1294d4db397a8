"""The unit of work pytest-xdist hands one worker: a test file, but one doc of ``test_docs.py`` each.

A doc's blocks run in order in one copy of the repository (``tests/docs/doc_session.py``), so they
stay on one worker (another would run the earlier blocks again); the docs take a large share of the
suite, and as one file they would all fall to one worker. Any other file stays whole: its
module-scoped fixtures (a comparison run once for all its tests) would otherwise run on each worker.
"""

from __future__ import annotations

import re

#: A doc test's id names its doc: ``test_doc_block[docs/cli.md:123]``, ``...[README.md]``.
_DOC_IN_ID = re.compile(r"\[(?P<doc>[^\]]+?\.md)(?::\d+)?\]$")


def xdist_unit(nodeid: str) -> str:
    """The unit ``nodeid`` belongs to: its file, or its file and doc for ``test_docs.py``."""
    path = nodeid.split("::", 1)[0]
    doc = _DOC_IN_ID.search(nodeid) if path.endswith("/test_docs.py") else None
    return f"{path}::{doc['doc']}" if doc else path
