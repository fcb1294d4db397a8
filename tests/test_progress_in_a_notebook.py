"""``progress=True`` draws its bar in a Jupyter notebook too, whose stderr is no terminal.

A student running ``sweep(..., progress=True)`` in a notebook saw nothing for minutes: the bars are
drawn only on a terminal (not into a pipe or a CI log), and an IPython kernel's stderr says it is
none.  It is a display a person watches, as a terminal is.
"""

from __future__ import annotations

import io
import sys

from offloadsim.progress import make_progress, progress_bar


class KernelStream(io.StringIO):
    """What ``sys.stderr`` is in a Jupyter notebook: ipykernel's OutStream, no terminal."""

    def isatty(self) -> bool:
        return False


KernelStream.__module__ = "ipykernel.iostream"


def test_the_bar_over_simulated_time_shows_in_a_notebook():
    stream = KernelStream()
    with make_progress(100.0, True, stream=stream, delay_s=0.0) as tick:
        tick(40.0)
        assert "40/100 s simulated" in stream.getvalue()


def test_the_bar_over_jobs_shows_in_a_notebook(monkeypatch):
    stream = KernelStream()
    monkeypatch.setattr(sys, "stderr", stream)
    bar = progress_bar(3, True, "sweep", unit="job")
    bar.update(1)
    bar.close()
    assert "sweep:" in stream.getvalue() and "/3 [" in stream.getvalue()


def test_still_nothing_in_a_pipe_or_when_not_asked(monkeypatch):
    for stream, enabled in ((io.StringIO(), True), (KernelStream(), False)):
        with make_progress(100.0, enabled, stream=stream, delay_s=0.0) as tick:
            tick(40.0)
        monkeypatch.setattr(sys, "stderr", stream)
        progress_bar(3, enabled, "sweep").update(1)
        assert stream.getvalue() == ""
