"""Notes under a figure are held to a third of its height; every note is kept beside it.

A sweep's figure carried up to 12 lines of notes under a one-column figure: two-thirds of its
height, its axes a strip.  Saved, a figure keeps the lines a third of its height holds, the last
naming ``FIG.notes.txt``, written beside the PDF and PNG with every note.
"""

from __future__ import annotations

import re

from offloadsim.plots.style import most_note_lines, new_axes, note_under, save_figure

NOTES = [f"note {i}: the scenario said something long enough to fill most of one line" for i in range(12)]


def _figure(notes):
    fig, ax = new_axes("one-column")
    ax.plot([1, 2, 3], [1, 4, 9])
    note_under(fig, "\n".join(notes))
    return fig


def test_long_notes_are_cut_under_the_figure_and_kept_whole_beside_it(tmp_path):
    fig = _figure(NOTES)
    most = most_note_lines(fig)
    assert most < len(NOTES)
    files = save_figure(fig, tmp_path / "fig", formats=("svg", "png"))
    assert [f.name for f in files] == ["fig.svg", "fig.png", "fig.notes.txt"]
    assert (tmp_path / "fig.notes.txt").read_text(encoding="utf-8") == "\n".join(NOTES) + "\n"
    svg = (tmp_path / "fig.svg").read_text(encoding="utf-8")  # its text as text (svg.fonttype none)
    shown = re.findall(r"note (\d+):", svg)
    assert shown == [str(i) for i in range(most - 1)]  # the first notes, in order, and no more
    assert f"{len(NOTES) - most + 1} more lines of notes in fig.notes.txt" in svg
    assert fig.get_supxlabel().count("note ") == len(NOTES)  # the figure object keeps every note


def test_notes_that_fit_write_no_notes_file_and_leave_no_stale_one(tmp_path):
    save_figure(_figure(NOTES), tmp_path / "fig", formats=("png",))
    assert (tmp_path / "fig.notes.txt").is_file()
    files = save_figure(_figure(NOTES[:3]), tmp_path / "fig", formats=("png",))
    assert [f.name for f in files] == ["fig.png"]
    assert not (tmp_path / "fig.notes.txt").exists()  # the notes it had were of the figure replaced
