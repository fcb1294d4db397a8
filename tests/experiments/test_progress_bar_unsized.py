"""The bar over jobs or points (compare, sweep, a sweep's --dry-run planning) shows on a terminal that
reports no size, as the bar over simulated time does.

tqdm drew nothing on a pty whose size is 0 x 0 (some CI ttys, a terminal nobody sized): a dry run over
90,000 points printed nothing for minutes.
"""

from terminal_output import drawn_on_a_terminal

from offloadsim.experiments.executors import progress_bar


def _drawn(monkeypatch, enabled: bool = True) -> str:
    def draw() -> None:
        bar = progress_bar(3, enabled, "planning grid", unit="point")
        bar.update(1)
        bar.close()

    return drawn_on_a_terminal(monkeypatch, draw)


def test_the_bar_shows_on_a_terminal_reporting_no_size(monkeypatch):
    assert "planning grid" in _drawn(monkeypatch)


def test_no_bar_when_disabled(monkeypatch):
    assert "planning grid" not in _drawn(monkeypatch, enabled=False)
