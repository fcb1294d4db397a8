"""A figure laid out to be measured is laid out again only once something in it changed."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.plots import axes
from offloadsim.plots.axes import laid_out, place_clear, tidy_legend


def counted(monkeypatch) -> list[Figure]:
    draws: list[Figure] = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, renderer: draws.append(fig) or draw(fig, renderer))
    return draws


def test_an_unchanged_figure_is_measured_at_its_last_layout_and_a_changed_one_laid_out_again(monkeypatch):
    draws = counted(monkeypatch)
    fig = Figure(figsize=(3, 2), layout="constrained")
    ax = fig.add_subplot()
    ax.set_ylabel("short")
    renderer = laid_out(ax)
    narrow = ax.get_window_extent(renderer).width
    laid_out(ax)
    assert len(draws) == 1, "nothing changed: the last layout stands"
    ax.set_ylabel("a label\nof three\nlines", fontsize=20)  # wider: the axes must give it room
    renderer = laid_out(ax)
    assert len(draws) == 2, "a label changed: laid out again"
    assert ax.get_window_extent(renderer).width < narrow, "the measure is the new layout's"
    fig.set_figheight(3)
    laid_out(ax)
    assert len(draws) == 3, "the figure's size changed: laid out again"


def test_a_draw_by_anything_else_is_not_taken_for_a_measuring_layout(monkeypatch):
    draws = counted(monkeypatch)
    fig = Figure(figsize=(3, 2), layout="constrained")
    ax = fig.add_subplot()
    laid_out(ax)
    fig.draw_without_rendering()  # outside the house style: not the layout the measures use
    assert not fig.stale and len(draws) == 2  # it changed nothing, but was drawn otherwise
    laid_out(ax)
    assert len(draws) == 3


def _crossed_lines() -> tuple[Figure, Axes]:
    """A panel of three lines its legend must keep clear of, laid out twice: its layout is settled."""
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.set_ylabel("latency (ms)")
    ax.plot([0, 1], [0, 1], label="rising")
    ax.plot([0, 1], [1, 0], label="falling")
    ax.plot([0, 0.5, 1], [0.5, 0.55, 0.5], label="level")
    tidy_legend(ax)
    laid_out(ax)
    fig.set_figheight(3)  # the same size, but stale: laid out again, where the first layout left it
    laid_out(ax)
    return fig, ax


def test_a_legend_tried_at_each_place_inside_a_settled_layout_lays_the_figure_out_no_more(monkeypatch):
    """place_clear laid the whole figure out again for each place tried; a legend inside its panel is no
    part of the layout, so once the layout is a fixed point the tries read it, and end where they did."""
    _, ax = _crossed_lines()
    draws = counted(monkeypatch)
    assert place_clear(ax, ax.get_legend())
    assert draws == [], "a settled layout with the legend inside it is not laid out again per place"
    box = ax.get_legend().get_window_extent(laid_out(ax))
    # As before: the figure laid out again at each place tried (the legend never taken for inside).
    monkeypatch.setattr(axes, "_inside_frame", lambda ax, legend: False)
    _, other = _crossed_lines()
    draws.clear()
    assert place_clear(other, other.get_legend())
    assert len(draws) > 1, "the places before the one found were tried, each laid out"
    assert other.get_legend()._loc == ax.get_legend()._loc  # the place found, as a code
    assert other.get_legend().get_window_extent(laid_out(other)).bounds == box.bounds


def test_a_label_out_of_the_layout_is_measured_alone_at_a_settled_layout_as_a_draw_measures_it(monkeypatch):
    """Each place a sweep's label was tried laid the figure out again; at a fixed point it is drawn alone."""
    from offloadsim.plots.axes import measured_aside, put_back

    def label(ax: Axes):
        note = ax.annotate("all local: 372 ms", (1.0, 0.5), xycoords="axes fraction", ha="right", bbox={})
        note.set_in_layout(False)
        return note

    _, ax = _crossed_lines()
    draws = counted(monkeypatch)
    with measured_aside(ax, lambda: label(ax)) as (note, renderer):
        alone = note.get_bbox_patch().get_window_extent(renderer).bounds
    with put_back(ax):
        ax.lines[0].set_visible(False)  # hidden to measure, shown again
        ax.lines[0].set_visible(True)
    laid_out(ax)
    assert draws == [], "a settled layout, the label out of it and removed, the line shown again"
    note = label(ax)
    renderer = laid_out(ax)  # the whole figure laid out, as before
    assert len(draws) == 1 and note.get_bbox_patch().get_window_extent(renderer).bounds == alone
