"""A figure laid out to be measured is laid out again only once something in it changed."""

from __future__ import annotations

from matplotlib.figure import Figure

from offloadsim.plots.axes import laid_out


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
