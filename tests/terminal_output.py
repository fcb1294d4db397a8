"""What a piece of code writes to stderr when stderr is a terminal: a new pty, which reports no size."""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable

import pytest


def drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch, draw: Callable[[], object]) -> str:
    """Run ``draw()`` with stderr a new pty (0 columns, 0 rows until someone sizes it); what it wrote."""
    leader, follower = os.openpty()
    stream = open(follower, "w", encoding="utf-8")  # noqa: SIM115 (closed below, after the bar)
    try:
        assert os.get_terminal_size(follower).columns == 0
        monkeypatch.setattr(sys, "stderr", stream)
        draw()
        stream.flush()
        drawn = b""
        while select.select([leader], [], [], 0.2)[0]:
            drawn += os.read(leader, 65536)
        return drawn.decode("utf-8", "replace")
    finally:
        stream.close()
        os.close(leader)
