"""The bar over jobs or points (compare, sweep, a sweep's --dry-run planning) shows on a terminal that
reports no size, as the bar over simulated time does.

tqdm drew nothing on a pty whose size is 0 x 0 (some CI ttys, a terminal nobody sized): a dry run over
90,000 points printed nothing for minutes.
"""

import os
import select
import sys

from offloadsim.experiments.executors import progress_bar


def _drawn(monkeypatch, enabled: bool = True) -> str:
    leader, follower = os.openpty()  # a new pty: 0 columns, 0 rows until someone sizes it
    stream = open(follower, "w", encoding="utf-8")  # noqa: SIM115 (closed below, after the bar)
    try:
        assert os.get_terminal_size(follower).columns == 0
        monkeypatch.setattr(sys, "stderr", stream)
        bar = progress_bar(3, enabled, "planning grid", unit="point")
        bar.update(1)
        bar.close()
        stream.flush()
        drawn = b""
        while select.select([leader], [], [], 0.2)[0]:
            drawn += os.read(leader, 65536)
        return drawn.decode("utf-8", "replace")
    finally:
        stream.close()
        os.close(leader)


def test_the_bar_shows_on_a_terminal_reporting_no_size(monkeypatch):
    assert "planning grid" in _drawn(monkeypatch)


def test_no_bar_when_disabled(monkeypatch):
    assert "planning grid" not in _drawn(monkeypatch, enabled=False)
