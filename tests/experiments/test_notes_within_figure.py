"""Every line of the notes under a figure lies within the figure's width, as it is saved.

Notes under a sweep figure with many notes ran past its left and right edges in the saved file: the
line naming ``FIG.notes.txt`` (where the notes are cut to a third of the figure's height) was never
wrapped, a word wider than the figure (a path, a key path) stayed whole, and a figure resized after
its notes were wrapped (a plug-in's kind at ``--size``) kept the lines of its old width.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from offloadsim import plots
from offloadsim.plots import style
from offloadsim.plots.style import house_style, new_axes, note_under, rewrap_notes, save_figure

#: A word no space breaks, wider than a one-column figure (a path written in a note).
LONG_WORD = "results/" + "a-long-sweep-directory-name/" * 4 + "tasks.parquet"
NOTES = [
    f"note {i}: the scenario said something long enough to fill most of one line, and then more; "
    f"and another clause (with, a, parenthesised, list) {LONG_WORD if i == 3 else ''}"
    for i in range(14)
]


def _saved_note_boxes(fig, tmp_path, monkeypatch, name="fig"):
    """The window extents of the notes' text and of the figure as each format is saved."""
    seen = []
    real = style._savefig

    def measuring(figure, file, fmt, metadata):
        with house_style():
            figure.draw_without_rendering()
            renderer = figure._get_renderer()
            label = figure._supxlabel
            if label is not None and label.get_text():
                seen.append((label.get_text(), label.get_window_extent(renderer), figure.bbox.frozen()))
        real(figure, file, fmt, metadata)

    monkeypatch.setattr(style, "_savefig", measuring)
    save_figure(fig, tmp_path / name, formats=("png",))
    assert seen, "the figure was saved with no notes"
    return seen


def _within(box, frame) -> bool:
    return frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5 and frame.y0 - 0.5 <= box.y0


def test_many_long_notes_cut_under_the_figure_lie_within_its_width(tmp_path, monkeypatch):
    fig, ax = new_axes("one-column")
    ax.plot([1, 2, 3], [1, 4, 9])
    note_under(fig, "\n".join(NOTES))
    long_name = "a-figure-written-under-a-long-name-that-the-notes-line-names" * 2
    try:
        for text, box, frame in _saved_note_boxes(fig, tmp_path, monkeypatch, long_name):
            assert "more lines of notes in" in text  # the notes were cut: the line naming their file
            assert _within(box, frame), (box, frame)
        assert (tmp_path / f"{long_name}.notes.txt").read_text(encoding="utf-8") == "\n".join(NOTES) + "\n"
    finally:
        plt.close(fig)


def test_a_word_wider_than_the_figure_is_cut_inside_it_and_nothing_is_lost():
    fig, ax = new_axes("one-column")
    ax.plot([1, 2], [1, 2])
    note_under(fig, f"read from {LONG_WORD}")
    try:
        with house_style():
            fig.draw_without_rendering()
            box = fig._supxlabel.get_window_extent(fig._get_renderer())
        assert _within(box, fig.bbox)
        assert "".join(fig.get_supxlabel().split()) == f"readfrom{LONG_WORD}"  # cut, every character kept
    finally:
        plt.close(fig)


def test_a_figure_resized_after_its_notes_wraps_them_again(tmp_path, monkeypatch):
    fig, ax = new_axes("two-column")
    ax.plot([1, 2], [1, 2])
    note_under(fig, "\n".join(NOTES[:3]))
    fig.set_size_inches(3.5, 3.0)  # as a plug-in's kind at --size one-column
    try:
        for _, box, frame in _saved_note_boxes(fig, tmp_path, monkeypatch):
            assert _within(box, frame), (box, frame)
        rewrap_notes(fig)  # the figure object's own note, too
        with house_style():
            fig.draw_without_rendering()
            assert _within(fig._supxlabel.get_window_extent(fig._get_renderer()), fig.bbox)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("kind", ["sweep", "energy", "bars", "cdf", "split"])
@pytest.mark.parametrize("size", [None, "one-column"])
def test_every_kinds_notes_lie_within_the_figure_as_saved(sweep_drops, kind, size, tmp_path, monkeypatch):
    options = {"facet": "links[0].bandwidth"} if kind in ("bars", "cdf") else {}
    fig = plots.plot_results(sweep_drops, kind, size=size, **options)
    try:
        for _, box, frame in _saved_note_boxes(fig, tmp_path, monkeypatch):
            assert _within(box, frame), (kind, box, frame)
    finally:
        plt.close(fig)
