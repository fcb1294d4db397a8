"""Axis furniture shared by every chart: log scales, tick labels that never collide, legends, panel labels.

A reviewer's first complaints about a figure are about these: tick labels
that run into each other, a legend entry for something not drawn, panels
without (a), (b) to refer to.  Each helper here fixes one of them for all
charts.
"""

from __future__ import annotations

import string
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure, SubFigure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.ticker import Formatter, LogLocator, MaxNLocator, NullFormatter, NullLocator
from matplotlib.transforms import Bbox

from offloadsim.analysis.values import number_text
from offloadsim.plots.series_names import SAME_AS, series_name, shown_label
from offloadsim.plots.style import house_style, note_under, wrap

__all__ = [
    "from_zero",
    "log_axis",
    "value_ticks",
    "integer_axis",
    "SPAN_GID",
    "LEGEND_ONLY",
    "UNSEEN_GID",
    "row_legend",
    "tidy_legend",
    "label_panels",
    "fit_title",
    "plain_number",
    "root_figure",
    "laid_out",
    "keep_panels_tall",
    "shortest_panel_in",
    "notes_keeping_panels",
    "figure_legend",
    "patch_legend",
    "span_at_least",
    "clear_legend",
    "keep_legend_clear",
    "legend_beside",
    "legend_on_data",
    "lines_under_legend",
    "measured_aside",
    "put_back",
    "place_clear",
    "lines_under_box",
    "reach_log_ticks",
    "series_name",
]

# Width of a digit in the house style's serif type, as a fraction of the font size (STIX digits: 0.5).
_CHAR_WIDTH = 0.55
_GAP_PT = 4.0


def plain_number(value: float, position: int | None = None) -> str:
    """Tick labels as plain numbers (100, not 10^2; 0.5, not 5e-01; 10,000 as linear axes write it).

    Six significant digits, as ``:g`` gives, but never in its exponent form: a log axis of
    latencies read ``1e+06`` above ``100,000``, two ways of writing numbers on one axis.

    >>> plain_number(100.0), plain_number(0.5), plain_number(10000.0), plain_number(2000.0)
    ('100', '0.5', '10,000', '2,000')
    >>> plain_number(1e6), plain_number(1e-5), plain_number(12345.678)
    ('1,000,000', '0.00001', '12,345.7')
    """
    return number_text(value)


class _LogTicks(LogLocator):
    """Ticks at 1, 2 and 5 per decade; where fewer than two of them fall in view, evenly spaced ones.

    Matplotlib's own fallback counts a decade's tick twice, so a view from
    980 to 1220 got one labelled tick (1000): a reader cannot tell the scale
    from one number.
    """

    def __init__(self) -> None:
        super().__init__(base=10.0, subs=(1.0, 2.0, 5.0))

    def tick_values(self, vmin: float, vmax: float) -> Any:
        ticks = np.asarray(super().tick_values(vmin, vmax), dtype=float)
        low, high = sorted((vmin, vmax))
        if int(np.count_nonzero((ticks >= low) & (ticks <= high))) >= 2 or low <= 0:
            return ticks
        if high >= 10 * low:
            # A narrow axis over several decades: matplotlib's locator, given room for two ticks,
            # returned none with subs 1, 2, 5, and evenly spaced ones (0, 200000, 400000) on a log
            # axis from 61 to 414,766 labelled only 200000. Each decade gets a tick instead; the
            # formatter labels those that fit.
            return 10.0 ** np.arange(np.ceil(np.log10(low)), np.floor(np.log10(high)) + 1)
        return MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)

    def view_limits(self, vmin: float, vmax: float) -> tuple[float, float]:
        """The autoscaled view, each end widened to the 1, 2 or 5 beyond the data there (if near).

        The energy figure's latency axis began at 16 ms, its first label at 20, and its leftmost
        marker (18.7 ms) sat left of every label: read by extrapolation, not between two numbers.
        Where matplotlib's margin already holds a 1, 2 or 5 beyond the data the view stays.
        """
        low, high = super().view_limits(vmin, vmax)
        return reach_log_ticks(low, high)


#: The share of an autoscaled view (in decades) that matplotlib's margin adds at each end: 5 % of
#: the data's span, of a view 1.1 times as wide.
_LOG_MARGIN = 0.05 / 1.1


def reach_log_ticks(low: float, high: float, margin: float | None = None) -> tuple[float, float]:
    """``(low, high)`` with each end out to the 1, 2 or 5 × 10^k beyond the data, unless the margin holds one.

    A log view's ends, autoscaled or set by a chart with room of its own around the data (the
    log ``bars`` and ``sweep`` figures): a point left or below every label is read by extrapolation.
    ``margin`` is the factor between the data's ends and the view's (default: matplotlib's margin,
    5 % of the data's span each side).

    >>> reach_log_ticks(16.0, 2000.0), reach_log_ticks(51.4, 1100.0), reach_log_ticks(0.0, 5.0)
    ((10.0, 2000.0), (50.0, 1100.0), (0.0, 5.0))
    >>> reach_log_ticks(130.0, 5200.0, margin=1.3), reach_log_ticks(160.0, 5200.0, margin=1.3)
    ((100.0, 5200.0), (160.0, 5200.0))
    >>> reach_log_ticks(960.0, 1240.0)  # too narrow: 500 to 2000 would squeeze the data
    (960.0, 1240.0)
    """
    if not (0 < low < high) or not np.isfinite(high):
        return low, high
    if margin is None:
        margin = 10.0 ** (_LOG_MARGIN * float(np.log10(high / low)))
    decades = np.arange(np.floor(np.log10(low)) - 1, np.ceil(np.log10(high)) + 2)
    ticks = np.sort(np.outer(10.0**decades, (1.0, 2.0, 5.0)).ravel())
    # A narrow view (980 to 1220 ms) would grow to 500-2000 and squeeze its data into the middle:
    # an end moves by at most a quarter of the view's span, and a view that narrow has its evenly
    # spaced labels (_LogTicks) inside the data anyway.
    most = 10.0 ** (_LOG_REACH_MOST * float(np.log10(high / low)))
    below, above = float(ticks[ticks <= low].max()), float(ticks[ticks >= high].min())
    if not np.any((ticks >= low) & (ticks <= low * margin)) and low / below <= most:
        low = below
    if not np.any((ticks <= high) & (ticks >= high / margin)) and above / high <= most:
        high = above
    return low, high


#: The most an end of a log view moves to reach a 1, 2 or 5, as a share of the view's span.
_LOG_REACH_MOST = 0.25


class _FittingFormatter(Formatter):
    """Plain-number tick labels, leaving off those that would run into a neighbour (round ones kept first).

    Decided when the figure is drawn, at its final size: a log axis with
    ticks at 1, 2 and 5 per decade labels all three on a wide panel and
    only the decades on a narrow one.
    """

    def __call__(self, x: float, pos: int | None = None) -> str:
        return plain_number(x)

    def format_ticks(self, values: Any) -> list[str]:
        texts = [plain_number(v) for v in values]
        ax = getattr(self.axis, "axes", None)  # None while the formatter is not on an Axes' axis
        if not isinstance(ax, Axes) or len(texts) < 2:
            return texts
        which = "x" if self.axis is ax.xaxis else "y"
        lo, hi = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
        values = np.asarray(values, dtype=float)
        inside = (values >= lo) & (values <= hi)
        keep = np.zeros(len(values), dtype=bool)
        if inside.any():
            shown = [t for t, i in zip(texts, inside, strict=True) if i]
            keep[inside] = _fitting(ax, which, values[inside], shown, decades_first=True)
        return [t if k else "" for t, k in zip(texts, keep, strict=True)]


def log_axis(ax: Axes, which: str) -> None:
    """A log scale with ticks at 1, 2 and 5 per decade, labelled as plain numbers where they have room.

    At least two ticks are always labelled: a view of less than a factor of
    two gets evenly spaced ticks instead.
    """
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(_LogTicks())
    axis.set_major_formatter(_FittingFormatter())
    axis.set_minor_formatter(NullFormatter())
    # The scale's change autoscaled the view with matplotlib's locator: again with this one, whose
    # view reaches a 1, 2 or 5 just beyond an end (an axis with limits set keeps them).
    ax.autoscale_view(scalex=which == "x", scaley=which == "y")


def span_at_least(ax: Axes, which: str, low: float, high: float, resolution: float) -> None:
    """Show data spread less than ``resolution`` as one value, not zoomed to its float noise.

    Latencies that are equal but for the last bits of their sums (72.2273954611 and
    72.2273954612 ms) otherwise fill the axis under an offset (``1e-11+7.222739546e1``) and
    read as a distribution.  The view is then the value give or take 5 %.
    """
    if high - low >= resolution:
        return
    pad = max(0.05 * max(abs(low), abs(high)), resolution)
    (ax.set_xlim if which == "x" else ax.set_ylim)(low - pad, high + pad)


def integer_axis(ax: Axes, which: str) -> None:
    """Ticks only at whole numbers (layer counts, task counts), as many as the axis has room for.

    Up to ten ticks whatever the axis' length crowded a short one: the latency-time figure's lower
    panel of tasks not completed, under an inch tall, labelled 0, 2, 4 ... 18 one over the other.
    ``"auto"`` takes the number from the axis' length and its labels' size at each draw.
    """
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(MaxNLocator(nbins="auto", integer=True, steps=[1, 2, 5, 10]))


def _roundness(value: float) -> int:
    """0 for 1, 2, 5 × 10^k (the values a reader expects labelled), 1 for other one-digit values, else 2."""
    if value <= 0 or not np.isfinite(value):
        return 2
    mantissa = float(f"{value:.6e}".split("e")[0])
    if mantissa in (1.0, 2.0, 5.0):
        return 0
    return 1 if mantissa.is_integer() else 2


def value_ticks(
    ax: Axes, which: str, positions: Sequence[float] | np.ndarray, labels: Sequence[str] | None = None
) -> None:
    """A tick at each of ``positions`` (swept values), labelled where the labels have room.

    Labels that would overlap a neighbour are left off (the tick mark
    stays); round values (1, 2, 5 × 10^k) keep their label first.  Call it
    after the scale is set.
    """
    values = np.asarray(positions, dtype=float)
    texts = list(labels) if labels is not None else [plain_number(v) for v in values]
    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xticks if which == "x" else ax.set_yticks)(values, texts)
    axis.set_minor_locator(NullLocator())  # no marks between swept values: they were not run
    shown = _fitting(ax, which, values, texts)
    (ax.set_xticks if which == "x" else ax.set_yticks)(
        values, [t if keep else "" for t, keep in zip(texts, shown, strict=True)]
    )


def _fitting(
    ax: Axes, which: str, values: np.ndarray, texts: Sequence[str], *, decades_first: bool = False
) -> list[bool]:
    """Which labels to keep so that no two overlap (round values first, then left to right).

    With ``decades_first``, powers of ten come before the other round values
    (a log axis' 2 and 5 give way to its 1, 10, 100).
    """
    if len(values) <= 1:
        return [True] * len(values)
    log = (ax.get_xscale() if which == "x" else ax.get_yscale()) == "log"
    lo, hi = ax.get_xlim() if which == "x" else ax.get_ylim()
    transform = np.log10 if log else (lambda v: v)
    span = float(transform(hi) - transform(lo)) or 1.0
    size = root_figure(ax).get_size_inches()
    box = ax.get_position()
    # A y axis' labels are as tall as their type, measured; an x axis' widths are estimated
    # (_CHAR_WIDTH), and swept values' labels are chosen before the layout settles the axes' length
    # (value_ticks): both keep a sixth of the length spare. A log y axis of 10-2000 ms over 98 pt
    # had its 20, 50, 200... (12.7 pt apart, 11 pt needed) left off as if it were 83 pt long.
    spare = 1.0 if which == "y" and decades_first else 0.85
    length_pt = (box.width * size[0] if which == "x" else box.height * size[1]) * 72.0 * spare
    font = _tick_font_size(ax, which)
    where = (transform(np.where(values > 0, values, np.nan) if log else values) - transform(lo)) / span
    centre = where * length_pt
    if which == "x":
        half = np.array([len(t) * font * _CHAR_WIDTH / 2 for t in texts])
    else:
        half = np.full(len(texts), font / 2)

    def rank(i: int) -> tuple[int, int, int]:
        value = abs(float(values[i]))
        decade = 0 if decades_first and value > 0 and float(np.log10(value)).is_integer() else 1
        return (decade, _roundness(value), i)

    order = sorted(range(len(values)), key=rank)
    kept: list[int] = []
    for i in order:
        if not np.isfinite(centre[i]):
            continue
        if all(abs(centre[i] - centre[j]) >= half[i] + half[j] + _GAP_PT for j in kept):
            kept.append(i)
    return [i in kept for i in range(len(values))]


def root_figure(ax: Axes) -> Figure:
    """The figure an Axes is drawn in (a sub-figure's parent)."""
    fig = ax.get_figure(root=True)
    if not isinstance(fig, Figure):
        raise ValueError("the Axes is not in a figure")
    return fig


def laid_out(ax: Axes) -> RendererBase:
    """Lay out the figure of ``ax`` (constrained layout included) and return its renderer.

    Text extents are final only after layout; the renderer is the one the
    layout used, whatever the canvas (headless figures have none of their own).
    """
    fig = root_figure(ax)
    _draw_headless(fig)
    return fig._get_renderer()  # type: ignore[attr-defined]  # public figures offer no other headless renderer


#: The start of matplotlib's warning for a constrained layout with no room left for the axes.
_COLLAPSED = "constrained_layout not applied"

#: The attribute of a figure holding whether its last layout by :func:`_draw_headless` collapsed; it is
#: dropped at any other draw (:func:`_forget_layout`), so it stands only for a layout this module made.
_LAID_OUT = "_offloadsim_laid_out"
_WATCHED = "_offloadsim_layout_watched"  # whether _forget_layout is connected
#: The attribute of a figure holding whether its last layout by :func:`_draw_headless` left every panel
#: where it was (a fixed point: laid out again unchanged, it is the same); dropped with :data:`_LAID_OUT`.
_SETTLED = "_offloadsim_layout_settled"


def _forget_layout(event: Any) -> None:
    """A draw not by :func:`_draw_headless` (saving, another style): its layout is not one to reuse."""
    vars(event.canvas.figure).pop(_LAID_OUT, None)
    vars(event.canvas.figure).pop(_SETTLED, None)


def _draw_headless(fig: Figure) -> bool:
    """Lay ``fig`` out under the house style without rendering it; whether its layout collapsed.

    The figure is laid out again only when something in it changed since it was last laid out here
    (matplotlib marks it stale: a text set, a legend added, its size changed): measuring the panels'
    heights and then each y label one after another drew an unchanged figure again each time.  A
    draw by anything else (saving) is not reused.

    A layout that left the panels no room is a step on the way: :func:`keep_panels_tall` grows the
    figure once the notes and legends are in, and saving warns if it still has none.  So
    matplotlib's "constrained_layout not applied" is taken here, never shown; every other warning
    goes through the filters in force, as if drawn outside (recording them all, as
    :func:`keep_panels_tall` did, dropped them; re-issuing them would show a warning its filter
    had already shown once).
    """
    if not fig.stale and _LAID_OUT in vars(fig):
        return bool(vars(fig)[_LAID_OUT])
    if _WATCHED not in vars(fig):  # once a figure (the callbacks are the figure's, whatever its canvas)
        fig.canvas.mpl_connect("draw_event", _forget_layout)
        vars(fig)[_WATCHED] = True
    collapsed = False
    # house_style: the type the figure is saved in ("serif" is resolved when drawn).
    with house_style(), warnings.catch_warnings():
        passed_on = warnings.showwarning

        def taken(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            nonlocal collapsed
            if str(message).startswith(_COLLAPSED):
                collapsed = True
            else:
                passed_on(message, category, filename, lineno, file, line)

        warnings.filterwarnings("always", message=_COLLAPSED)  # past an "ignore" or an "error" filter
        warnings.showwarning = taken  # catch_warnings puts the one in force back
        before = _places(fig)
        fig.draw_without_rendering()
    vars(fig)[_LAID_OUT] = collapsed  # after the draw: its draw event dropped the last one
    vars(fig)[_SETTLED] = _same_places(_places(fig), before)
    return collapsed


#: How far (pixels, or a share of the figure) a panel may move between two layouts that are the same:
#: a faceted sweep's layout flipped its panels' heights by a rounding error (1e-13 px) at each draw,
#: so it never counted as settled and each place tried for a label laid the figure out again (74 times).
_SAME_PLACE = 1e-9


def _same_places(first: list[tuple[float, ...]], second: list[tuple[float, ...]]) -> bool:
    """Whether two :func:`_places` of a figure are the same but for rounding (:data:`_SAME_PLACE`)."""
    return len(first) == len(second) and all(
        len(a) == len(b) and np.allclose(a, b, rtol=0.0, atol=_SAME_PLACE)
        for a, b in zip(first, second, strict=True)
    )


def _places(fig: Figure | SubFigure) -> list[tuple[float, ...]]:
    """Where the layout put ``fig``'s panels and sub-figures (display boxes, and each panel's position)."""
    places = [tuple(fig.bbox.bounds)]
    for ax in fig.axes:  # read, not asked: get_position(original=False) would apply the aspect
        places += [tuple(ax.bbox.bounds), tuple(ax.get_position(original=True).bounds)]
    for sub in fig.subfigs:
        places += _places(sub)
    return places


def _move_inside(ax: Axes, legend: Legend, place: Any) -> None:
    """``legend.set_loc(place)``, keeping the figure's layout where no layout could change for it.

    Each place :func:`place_clear` tried laid the whole figure out again (the legend marks it
    stale).  A legend inside its panel's frame before and after the move is no part of what the
    constrained layout fits (the panel's box holds it either way), so a layout that was a fixed point
    (:data:`_SETTLED`: its last draw left every panel where it was) stays one: the figure is left as
    a draw would leave it, not drawn.  Anywhere else (a legend sticking out, a layout still moving
    near collapse, where drawing again is not idempotent) it is laid out again as before.
    """
    fig = root_figure(ax)
    aside = not legend.get_in_layout()  # a key the layout never fits (a label's): it moves nothing
    was_inside = _settled(fig) and (aside or _inside_frame(ax, legend))
    legend.set_loc(place)
    if was_inside and (aside or _inside_frame(ax, legend)):
        fig.stale = False


def _settled(fig: Figure) -> bool:
    """Whether ``fig`` is as its last layout by :func:`_draw_headless` left it, that layout a fixed point."""
    return not fig.stale and bool(vars(fig).get(_SETTLED)) and _LAID_OUT in vars(fig)


@contextmanager
def put_back(ax: Axes) -> Iterator[None]:
    """A block that puts back what it changes in ``ax``'s figure (bands hidden to measure, shown again).

    At a settled layout (:func:`_settled`) that nothing in the block moved, the figure is left laid out:
    the next measure read that layout, not a new one of the same figure.
    """
    fig = root_figure(ax)
    places = _places(fig) if _settled(fig) else None
    try:
        yield
    finally:
        if places is not None and _same_places(_places(fig), places):
            fig.stale = False


_Made = TypeVar("_Made", bound=Artist)


@contextmanager
def measured_aside(ax: Axes, make: Callable[[], _Made]) -> Iterator[tuple[_Made, RendererBase]]:
    """``make()`` an artist out of the layout (a label inside the axes) and the renderer to measure it with.

    Each label tried at a place laid the whole figure out again (the label marks it stale), then once
    more when removed: the label is no part of what the layout fits, so at a settled layout
    (:func:`_settled`) only the label is laid out, as the figure's draw would (in the house style,
    nothing rendered), and the figure is left as laid out, with it and once it is removed on leaving.
    A layout still moving (near collapse: not idempotent) is laid out again, as before.
    """
    fig = root_figure(ax)
    settled = _settled(fig)
    artist = make()
    if settled and not artist.get_in_layout():
        renderer = fig._get_renderer()  # type: ignore[attr-defined]  # as in laid_out
        with house_style(), renderer._draw_disabled():
            artist.draw(renderer)
        fig.stale = False
    else:
        renderer = laid_out(ax)
        # Laid out with it, which the layout leaves out: settled, it stays so once it is removed.
        settled = not artist.get_in_layout() and _settled(fig)
    try:
        yield artist, renderer
    finally:
        artist.remove()
        if settled:
            fig.stale = False


def _inside_frame(ax: Axes, legend: Legend) -> bool:
    """Whether ``legend`` lies within ``ax``'s frame at the figure's present layout, measured as laid out."""
    renderer = root_figure(ax)._get_renderer()  # type: ignore[attr-defined]  # as in laid_out
    with house_style():  # the type the layout measured it in
        box = legend.get_window_extent(renderer)
    frame = ax.get_window_extent(renderer)
    return bool(box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1)


#: The least height, in inches, a panel keeps under the notes and above it the legend of its figure.
LEAST_PANEL_HEIGHT_IN = 1.0

#: The least width, in inches, a panel keeps beside its labels and legends (a safety net: a figure's
#: legends go above it where they are wide, so a figure of readable panels never grows for it).
LEAST_PANEL_WIDTH_IN = 0.5


def keep_panels_tall(fig: Figure, least: float = LEAST_PANEL_HEIGHT_IN) -> bool:
    """Make ``fig`` taller until each visible panel is at least ``least`` inches tall; whether it grew.

    The notes under a one-column figure (configurations not drawn, lines over each other, each
    long series name) and a legend above it across the figure took all of its 2.45 inches: the
    constrained layout gave up ("axes sizes collapsed to zero"), and the axes were drawn a few
    points tall under a legend that covered them. The notes and legends keep their size; the
    figure grows by what the panels lack, so a figure with room is left as it was. A panel
    narrower than :data:`LEAST_PANEL_WIDTH_IN` (something beside it wider than the figure) widens
    the figure alike: a collapse in width was written as axes a vertical line, with exit 0.
    """
    for grown in range(8):  # how many times it grew so far
        axes = [ax for ax in fig.axes if ax.get_visible()]
        if not axes:
            return False
        collapsed = _draw_headless(fig)
        renderer = fig._get_renderer()  # type: ignore[attr-defined]  # as in laid_out
        extents = [ax.get_window_extent(renderer) for ax in axes]
        short = least - _shortest(fig, extents)
        narrow = LEAST_PANEL_WIDTH_IN - min(e.width for e in extents) / fig.dpi
        if collapsed:  # the panels keep their last place: what is wider than the figure says it lacks width
            wider = max(ax.get_tightbbox(renderer).width for ax in axes) - fig.bbox.width  # type: ignore[union-attr]
            narrow = max(narrow, wider / fig.dpi + LEAST_PANEL_WIDTH_IN if wider > 0 else 0.0)
        if not collapsed and short <= 0.01 and narrow <= 0.01:
            return grown > 0
        # A collapsed layout keeps the panels' last positions, so what they lack is not known: at least
        # half an inch more, then measured again.
        if short > 0.01 or (collapsed and narrow <= 0.01):
            fig.set_figheight(fig.get_figheight() + max(short, 0.5 if collapsed else 0.0))
        if narrow > 0.01:
            fig.set_figwidth(fig.get_figwidth() + max(narrow, 0.5 if collapsed else 0.0))
    return True


def shortest_panel_in(fig: Figure) -> float:
    """The height, in inches, of ``fig``'s shortest visible panel at its present layout (0 with none)."""
    extents = _panel_extents(fig)
    return _shortest(fig, extents) if extents else 0.0


def _panel_extents(fig: Figure) -> list[Bbox]:
    """The display boxes of ``fig``'s visible panels, laid out as the figure is now."""
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if not axes:
        return []
    renderer = laid_out(axes[0])
    return [ax.get_window_extent(renderer) for ax in axes]


def notes_keeping_panels(fig: Figure, note: str, least: float = LEAST_PANEL_HEIGHT_IN) -> float:
    """Set ``note`` under ``fig``, which grows for it: its panels keep the height they had before it.

    A long notes block took its height from the panels, down to :data:`LEAST_PANEL_HEIGHT_IN`: a
    faceted figure's panels were left an inch tall (a label over a line wherever it went), and so
    was a single panel (its legend pushed beside it, its curves squeezed).  The figure grows by
    what the notes took instead, the panels' joint height as well as the shortest one's
    (:func:`_grow_to_span`: panels stacked in proportion keep each its height, and the figure grows
    by the notes' height only; then :func:`keep_panels_tall`), and a y label still taller than its
    axes is broken in two (:func:`fit_y_labels`).  Returns the height kept, in inches (at least
    ``least``), for a caller that moves a legend later to keep it again.  ``least``: a figure whose
    panels are short by design passes less than :data:`LEAST_PANEL_HEIGHT_IN`, which the figure
    would otherwise grow for with or without notes (latency-time's panels under and over its
    latency, 0.95 in of a 4.8 in figure: it grew 1.4 in for one line of notes).
    """
    extents = _panel_extents(fig) if note else []
    tall = max(_shortest(fig, extents) if extents else 0.0, least)
    if note:
        note_under(fig, note)
        if extents:
            _grow_to_span(fig, _span(fig, extents), tall)
    keep_panels_tall(fig, tall)
    if note:
        fit_y_labels(fig)
    return tall


def _span(fig: Figure, extents: Sequence[Bbox]) -> float:
    """The height of the union of ``extents`` (display boxes of ``fig``), in inches."""
    return float(max(e.y1 for e in extents) - min(e.y0 for e in extents)) / fig.dpi


def _grow_to_span(fig: Figure, span: float, least: float) -> None:
    """Grow ``fig`` by what its panels lack of ``span`` together, or of ``least`` the shortest.

    Panels stacked in proportion (latency-time's links, latency and tasks not completed, 1:3:1)
    each gave a share of the notes' height: grown only until the shortest was as tall as before, by
    its lack each time, the figure gained a fifth of each step where it was short and needed steps
    without end.  Their joint height back, each is back (the gaps between them are fixed), and the
    figure grows by the notes' height.  One panel's span is its height: it grows as before.  A
    collapsed layout says nothing of its panels' heights: :func:`keep_panels_tall` grows it.
    """
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if not axes or _draw_headless(fig):
        return
    renderer = fig._get_renderer()  # type: ignore[attr-defined]  # as in laid_out
    extents = [ax.get_window_extent(renderer) for ax in axes]
    lack = max(span - _span(fig, extents), least - _shortest(fig, extents))
    if lack > 0.01:
        fig.set_figheight(fig.get_figheight() + lack)


def _shortest(fig: Figure, extents: Sequence[Bbox]) -> float:
    """The least height of ``extents`` (display boxes of ``fig``), in inches."""
    return float(min(e.height for e in extents)) / fig.dpi


def fit_y_labels(fig: Figure) -> bool:
    """Break each y-axis label taller than its axes into two lines, at the space nearest its middle.

    The notes under a one-column figure can leave its axes shorter than their y label ("device
    energy per task above idle (mJ)"), which then ran past the figure's top edge, cut off in the
    saved file; a legend moved above the figure (:func:`clear_legend`, :func:`figure_legend`) shortens
    the axes again, and the label ran up into the legend's entries: the constrained layout makes no
    room for a y label's height. Returns whether a label was broken (the layout changed).
    """
    broken = False
    for ax in [ax for ax in fig.axes if ax.get_visible()]:
        label = ax.yaxis.label
        text = label.get_text()
        if "\n" in text or " " not in text.strip():
            continue
        renderer = laid_out(ax)
        with house_style():  # measured in the type it is saved in ("serif" is another outside)
            tall = label.get_window_extent(renderer).height > ax.get_window_extent(renderer).height
        if not tall:
            continue
        spaces = [i for i, c in enumerate(text) if c == " "]
        middle = min(spaces, key=lambda i: abs(i - len(text) / 2))
        label.set_text(f"{text[:middle]}\n{text[middle + 1 :]}")
        broken = True
    return broken


def x_label_with(ax: Axes, line: str) -> None:
    """Add ``line`` under ``ax``'s x label, wrapped at spaces to fit under the axes it is centred on.

    A ``with ...`` line naming five zipped keys ran past both edges of the figure. Its items (one a
    key, split at ``; ``) go whole onto as few lines as hold them, an item too wide for a line of
    its own cut where a note under the figure would be (:func:`wrap`). The room is twice the way from
    the centre of the axes to the nearer of the figure's edge and the middle of the gap to the next
    panel, so that the lines of panels side by side do not meet. The figure is laid out to measure
    it only when the line is wider than 80 % of an even share of the figure's width among its row:
    a figure whose line fits is drawn exactly as before.
    """
    fig = root_figure(ax)
    label = ax.xaxis.label
    first = label.get_text()
    with house_style():  # measured in the type it is saved in
        place = ax.get_position()
        row = [a for a in fig.axes if a.get_visible() and _same_row(a.get_position(), place)]
        width = _width_of(label, fig._get_renderer())  # type: ignore[attr-defined]  # no layout needed
        wide = width(line) > 0.8 * fig.bbox.width / max(len(row), 1)
    label.set_text(first)
    if not wide:
        label.set_text(f"{first}\n{line}" if first else line)
        return
    renderer = laid_out(ax)
    with house_style():
        frame = ax.get_window_extent(renderer)
        others = [a.get_window_extent(renderer) for a in row if a is not ax]
        left = max([(o.x1 + frame.x0) / 2 for o in others if o.x1 <= frame.x0 + 1], default=fig.bbox.x0)
        right = min([(o.x0 + frame.x1) / 2 for o in others if o.x0 >= frame.x1 - 1], default=fig.bbox.x1)
        centre = (frame.x0 + frame.x1) / 2
        room = 2 * min(centre - left, right - centre) * _X_LABEL_ROOM
        width = _width_of(label, renderer)
        lines: list[str] = []
        items = line.split("; ")
        for i, item in enumerate(items):  # whole items to a line, as many as fit
            item = f"{item};" if i < len(items) - 1 else item
            if lines and width(f"{lines[-1]} {item}") <= room:
                lines[-1] = f"{lines[-1]} {item}"
            else:
                lines += wrap(item, width, room)
    label.set_text("\n".join([first, *lines]) if first else "\n".join(lines))


def _same_row(one: Bbox, other: Bbox) -> bool:
    """Whether two panels' boxes share some height (side by side, whatever their horizontal places)."""
    return bool(one.y0 < other.y1 and one.y1 > other.y0)


#: The share of its room a wrapped line under an x label may take: the legend placed after it may
#: go beside the axes and move their centre.
_X_LABEL_ROOM = 0.9


def _tick_font_size(ax: Axes, which: str) -> float:
    """The size of the axis' tick labels (read off a tick, not the labels: those call the formatter)."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    return float(axis.majorTicks[0].label1.get_fontsize())


#: The gid of an artist drawn for its legend entry alone (no data: what a sweep's hollow point means).
LEGEND_ONLY = "legend-only"


def _drawn(handle: Any) -> bool:
    """Whether a legend handle stands for something visible (data that is not all NaN, a bar of height).

    An artist drawn for its legend entry alone (gid :data:`LEGEND_ONLY`) stands for what others draw.
    """
    if getattr(handle, "get_gid", None) is not None and handle.get_gid() == LEGEND_ONLY:
        return True
    if isinstance(handle, ErrorbarContainer):
        handle = handle.lines[0]
    if isinstance(handle, BarContainer):
        return any(np.isfinite(p.get_height()) and np.isfinite(p.get_width()) for p in handle.patches)
    if isinstance(handle, Line2D):
        x = np.asarray(handle.get_xdata(), dtype=float)
        y = np.asarray(handle.get_ydata(), dtype=float)
        return bool(np.isfinite(x).any() and np.isfinite(y).any())
    return True


def tidy_legend(ax: Axes, title: str | None = None, *, minimum: int = 2, **kwargs: Any) -> None:
    """A legend of the artists that drew something, when there are at least ``minimum`` of them.

    One series needs no legend (the axis labels say what it is); an entry
    for a series with no data would promise a line that is not there.  A policy legend's entries
    are shown as a reader sees them (:func:`~offloadsim.plots.series_names.shown_label`: a fixed
    policy with its node, ``fixed (edge1)``), before it is placed.
    """
    handles, labels = ax.get_legend_handles_labels()
    kept = [(h, shown_label(label, title)) for h, label in zip(handles, labels, strict=True) if _drawn(h)]
    old = ax.get_legend()
    if old is not None:
        old.remove()
    if len(kept) < minimum and not (title and kept):
        return
    kwargs.setdefault("loc", "best")
    with house_style():
        ax.legend([h for h, _ in kept], [label for _, label in kept], title=title, **kwargs)


def row_legend(ax: Axes, title: str | None, most: int, **kwargs: Any) -> None:
    """:func:`tidy_legend` in a row of at most ``most`` columns, fewer where the row is wider than the axes.

    A row wider than its axes took the figure's width from them (constrained layout): with
    ``neurosurgeon(objective=energy)`` among four policies, the bars were squeezed to a sliver.
    """
    _fewest_rows(ax, lambda ncols: tidy_legend(ax, title, ncols=ncols, **kwargs), most)


def _fewest_rows(ax: Axes, draw: Callable[[int], object], most: int) -> None:
    """``draw(ncols)`` ``ax``'s legend in at most ``most`` columns, fewer until no wider than the axes."""
    room = ax.get_window_extent(laid_out(ax)).width
    for ncols in range(max(1, most), 0, -1):
        draw(ncols)
        legend = ax.get_legend()
        if legend is None or ncols == 1 or legend.get_window_extent(laid_out(ax)).width <= room:
            return


#: The gid of a value written over a bar too low to see (:func:`~offloadsim.plots.charts.say_unseen_bars`):
#: data a legend must not hide, as the bar it stands for (a legend over the "0" of an idle tier's bar).
UNSEEN_GID = "unseen-bar-value"
#: The gid of a stretch of time shaded across the axes' height (a node or link down, a bandwidth dip):
#: data a legend must not hide, named by its label without the ``_`` that keeps it out of legends.
SPAN_GID = "shaded-span"
#: Where :func:`clear_legend` tries a legend inside its axes, in this order: the corners, then the sides.
_LEGEND_PLACES: tuple[Any, ...] = (
    "lower right",
    "upper left",
    "center right",
    "lower left",
    "upper right",
    "lower center",
    "upper center",
    "center left",
    "center",
)
#: Clearance between a legend and the data it must not cover, in points (constrained layout still
#: moves a panel by a pixel or two once notes are added under the figure).
_LEGEND_CLEARANCE_PT = 2.0


def lines_under_legend(
    ax: Axes, legend: Legend, renderer: RendererBase, clearance_pt: float = 0.0
) -> list[str]:
    """The labels of ``ax``'s lines whose data the legend's box covers, in display coordinates.

    A line's data is the polyline through its points as drawn (or its
    markers, where it has no line), within ``ax``; ``clearance_pt`` widens
    the legend's box.  Lines that are not visible are not data.
    """
    box = legend.get_window_extent(renderer)
    pad = clearance_pt * root_figure(ax).dpi / 72
    return lines_under_box(ax, Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad))


def legend_on_data(ax: Axes) -> bool:
    """Whether ``ax``'s legend covers data (:func:`lines_under_box`) at the figure's present layout."""
    legend = ax.get_legend()
    return legend is not None and bool(lines_under_legend(ax, legend, laid_out(ax)))


def lines_under_box(ax: Axes, box: Bbox) -> list[str]:
    """The labels of ``ax``'s visible data that cross ``box`` (display coordinates) inside ``ax``.

    Data are a line's polyline (or its markers, where it has no line), a
    scatter's markers (a latency per task, a measured point), a bar's
    rectangle, an error bar's whiskers and caps, a shaded band (a
    confidence interval around a line, all of its area) and a stretch of time shaded across the
    axes (:data:`SPAN_GID`, named by its label): a bar or an error
    bar is named by its container's label (the legend's), a band by its
    line's (the line of its colour), each series once.
    """
    inside = Bbox.intersection(box, ax.get_window_extent())  # only what is inside the axes covers data
    if inside is None or inside.width <= 0 or inside.height <= 0:
        return []
    box = inside
    owner = _error_bar_owners(ax)
    covered: dict[str, None] = {}  # in the order found, each name once
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = np.asarray(line.get_xydata(), dtype=float)
        if xy.size == 0:
            continue
        shown = np.isfinite(xy).all(axis=1)
        points = np.full(xy.shape, np.nan)
        points[shown] = line.get_transform().transform(xy[shown])
        drawn_line = str(line.get_linestyle()) not in ("None", "none", "", " ")
        if not drawn_line and line.get_marker() in ("_", "|"):  # an error bar's caps: short strokes
            points, drawn_line = _strokes(points, line, root_figure(ax).dpi), True
        if _covers(box, points, drawn_line):
            covered[owner.get(id(line), str(line.get_label()))] = None
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        if isinstance(collection, PathCollection):
            offsets: np.ndarray = np.ma.filled(np.ma.asarray(collection.get_offsets(), dtype=float), np.nan)
            offsets = offsets.reshape(-1, 2)
            if offsets.size and _covers(box, collection.get_offset_transform().transform(offsets), False):
                covered[str(collection.get_label())] = None
        elif isinstance(collection, LineCollection):  # an error bar's whiskers (or vlines, hlines)
            segments = [np.vstack([s, [np.nan, np.nan]]) for s in collection.get_segments() if len(s)]
            if segments:
                points = collection.get_transform().transform(np.vstack(segments))
                if _covers(box, points, True):
                    covered[owner.get(id(collection), str(collection.get_label()))] = None
        elif isinstance(collection, PolyCollection) and _band_under(collection, box):  # fill_between
            covered[_band_owner(ax, collection)] = None
    for container in ax.containers:
        if isinstance(container, BarContainer) and any(_bar_under(bar, box) for bar in container.patches):
            covered[str(container.get_label())] = None
    for patch in ax.patches:  # a stretch shaded across the axes: its top hidden, where it starts is not seen
        if patch.get_gid() == SPAN_GID and _bar_under(patch, box):
            covered[str(patch.get_label()).lstrip("_") or "a shaded stretch"] = None
    for text in ax.texts:  # the value written over a bar too low to see stands for the bar
        if text.get_gid() == UNSEEN_GID and text.get_visible() and text.get_text():
            extent = text.get_window_extent(laid_out(ax))
            overlap = Bbox.intersection(extent, box)
            if overlap is not None and overlap.width > 0 and overlap.height > 0:
                covered[f"the value {text.get_text()} of a bar too low to see"] = None
    return list(covered)


def _band_under(band: PolyCollection, box: Bbox) -> bool:
    """Whether a shaded band (a CI around a line) shares an area with ``box``.

    Its edge crosses the box, or the box lies inside it: a legend wholly within a wide band
    hides it as much.
    """
    transform = band.get_transform()
    for path in band.get_paths():
        drawn = transform.transform_path(path)
        if np.asarray(drawn.vertices).size and drawn.intersects_bbox(box, filled=True):
            return True
    return False


def _band_owner(ax: Axes, band: PolyCollection) -> str:
    """The label of the line a band was shaded around: the first labelled line of its colour."""
    return _line_of_colour(ax, band.get_facecolor(), str(band.get_label()))


def _line_of_colour(ax: Axes, colour: Any, unnamed: str) -> str:
    """The label of ``ax``'s first labelled line of ``colour``, else ``unnamed``."""
    rgb = tuple(np.round(np.asarray(to_rgba_array(colour), dtype=float).reshape(-1, 4)[0][:3], 6))
    for line in ax.get_lines():
        label = str(line.get_label())
        if not label.startswith("_") and tuple(np.round(to_rgba(line.get_color())[:3], 6)) == rgb:
            return label
    return unnamed


def _error_bar_owners(ax: Axes) -> dict[int, str]:
    """The label of the error bar each of its artists (data line, caps, whiskers) belongs to, by id.

    An unlabelled one (a sweep line's interval at a point no band reaches) is its line's, by colour.
    """
    owner = {}
    for container in ax.containers:
        if isinstance(container, ErrorbarContainer):
            data_line, caps, whiskers = container.lines
            label = str(container.get_label())
            if label.startswith("_") and whiskers:
                label = _line_of_colour(ax, whiskers[0].get_color(), label)
            for part in (data_line, *caps, *whiskers):
                if part is not None:
                    owner[id(part)] = label
    return owner


def _strokes(points: np.ndarray, line: Line2D, dpi: float) -> np.ndarray:
    """The caps a ``_`` or ``|`` marker draws at ``points`` (display), as NaN-separated strokes."""
    half = line.get_markersize() / 2 * dpi / 72
    step = np.array([half, 0.0]) if line.get_marker() == "_" else np.array([0.0, half])
    gap = np.full_like(points, np.nan)
    return np.stack([points - step, points + step, gap], axis=1).reshape(-1, 2)


def _bar_under(bar: Any, box: Bbox) -> bool:
    """Whether a visible bar of non-zero size shares an area with ``box`` (all of a bar is data)."""
    if not bar.get_visible():
        return False
    extent = bar.get_window_extent()
    if extent.width <= 0 or extent.height <= 0:
        return False
    overlap = Bbox.intersection(extent, box)
    return overlap is not None and overlap.width > 0 and overlap.height > 0


def _covers(box: Bbox, points: np.ndarray, joined: bool) -> bool:
    """Whether ``box`` holds one of ``points`` or, when ``joined``, crosses a segment between two of them."""
    finite = np.isfinite(points).all(axis=1)
    inside = finite & (points[:, 0] >= box.x0) & (points[:, 0] <= box.x1)
    inside &= (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1)
    if inside.any():
        return True
    if not joined:
        return False
    # Runs of finite points: a NaN breaks the line, as matplotlib draws it.
    breaks = np.flatnonzero(~finite)
    for run in np.split(points, breaks):
        run = run[np.isfinite(run).all(axis=1)]
        if len(run) >= 2 and Path(run).intersects_bbox(box, filled=False):
            return True
    return False


def clear_legend(ax: Axes, *, wide_above: bool = False) -> None:
    """Move ``ax``'s legend to where it covers no line's data at the figure's present layout.

    Tried in order: each place of :data:`_LEGEND_PLACES` inside the axes
    (the first that covers nothing wins), else outside the axes, to the
    right, its entries in one column; with ``wide_above`` (a figure of one
    panel: a panel's legend joins the figure's), above them across the figure
    where that column is wider than the axes (and then breaks a y label taller than the shortened axes:
    :func:`fit_y_labels`).  Call it again once the figure's layout changed (a note under
    it, a shared legend): the data move with the layout.
    """
    legend = ax.get_legend()
    if legend is None:
        return
    legend.set_bbox_to_anchor(None)
    fig = root_figure(ax)
    # A legend wider than its axes (long "same spot as" names) does not go inside them: each layout
    # shrank the axes by what the legend stuck out, until none was left and the figure was written
    # with its axes a vertical line (and no line was under the legend, so it stayed).
    collapsed = _draw_headless(fig)
    renderer = fig._get_renderer()  # type: ignore[attr-defined]  # as in laid_out
    inside = (
        not collapsed and legend.get_window_extent(renderer).width <= ax.get_window_extent(renderer).width
    )
    if inside and place_clear(ax, legend):
        return
    # Beside the axes, one entry under another: a legend laid out in a row to go above the bars
    # (``ncols``) would be wider than the axes there, and squeeze them and their tick labels.
    entries = _legend_entries(ax, legend)
    title = legend.get_title().get_text() or None
    frame = legend.get_frame_on()
    legend.remove()
    with house_style():
        beside = ax.legend(
            list(entries.values()),
            list(entries),
            title=title,
            frameon=frame,
            ncols=1,
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            bbox_transform=ax.transAxes,
        )
    if not wide_above:
        return
    # A layout it collapsed keeps the axes' last place, which the legend might seem to fit beside.
    collapsed = _draw_headless(fig)
    renderer = fig._get_renderer()  # type: ignore[attr-defined]  # as in laid_out
    if not collapsed and beside.get_window_extent(renderer).width <= ax.get_window_extent(renderer).width:
        return
    # Wider than the axes it squeezes (long names, a line per combination of two columns): above
    # them instead, across the figure, in as many columns as its width holds.
    beside.remove()
    _legend_above(fig, entries, title)
    # The legend took height from the axes: a y label now taller than them ran up into its entries.
    fit_y_labels(fig)


def keep_legend_clear(ax: Axes) -> None:
    """Move ``ax``'s legend with :func:`clear_legend` where it covers data; else leave it where it is.

    The public figure functions end with it, so that a figure drawn from Python has its legend clear
    of the data as ``offloadsim plot``'s has: matplotlib's "best" weighs a band by its outline and
    put a legend in one's middle.  A figure's maker that adds notes or panels calls
    :func:`clear_legend` again at its final layout (a legend moved beside the axes here may go
    above them then, or back inside).
    """
    if legend_on_data(ax):
        clear_legend(ax)


def legend_beside(ax: Axes) -> bool:
    """Whether ``ax``'s legend lies outside the axes (moved beside them by :func:`clear_legend`)."""
    legend = ax.get_legend()
    if legend is None:
        return False
    renderer = laid_out(ax)
    box, frame = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
    return bool(box.x0 >= frame.x1 or box.x1 <= frame.x0 or box.y0 >= frame.y1 or box.y1 <= frame.y0)


def place_clear(ax: Axes, legend: Legend, avoid: Sequence[Artist] = ()) -> bool:
    """Put ``legend`` at the first place inside ``ax`` where it covers no data; whether there was one.

    The places of :data:`_LEGEND_PLACES` in order, each clear of ``ax``'s data (:func:`lines_under_box`)
    by :data:`_LEGEND_CLEARANCE_PT` and of the boxes of ``avoid`` (another legend, labels) at the
    figure's present layout.  Where none is, the legend is left at the last place tried.
    """
    for place in _LEGEND_PLACES:
        _move_inside(ax, legend, place)
        renderer = laid_out(ax)
        if lines_under_legend(ax, legend, renderer, _LEGEND_CLEARANCE_PT):
            continue
        box = legend.get_window_extent(renderer)
        if not any(box.overlaps(other.get_window_extent(renderer)) for other in avoid):
            return True
    return False


def _legend_entries(ax: Axes, legend: Legend) -> dict[str, Any]:
    """``legend``'s entries in order, label -> the artist it stands for, or its proxy."""
    title = legend.get_title().get_text()
    handles, labels = ax.get_legend_handles_labels()  # the artists', as the legend shows them
    artists = {shown_label(label, title): handle for handle, label in zip(handles, labels, strict=True)}
    # The artist itself where it has a label (an error bar keeps its bars), else the proxy.
    return {
        text.get_text(): artists.get(text.get_text(), proxy)
        for proxy, text in zip(legend.legend_handles, legend.get_texts(), strict=True)
    }


def patch_legend(
    ax: Axes, colours: dict[str, str], *, extra: Sequence[tuple[Any, str]] = (), **kwargs: Any
) -> None:
    """A legend of coloured patches (stages, categories), above the axes on the right (titles go left).

    ``extra``: further ``(handle, label)`` entries after the patches (a timeline's crash and retries).
    In one row, or as few as fit the axes' width (:func:`_fewest_rows`): the edge-outage timeline
    from 23 s, its four stages, the edge's crash and the retries in one row wider than the figure,
    had its axes squeezed to nothing (constrained layout gave the row the width).
    """
    kwargs.setdefault("loc", "lower right")
    kwargs.setdefault("bbox_to_anchor", (1.0, 1.0))
    kwargs.setdefault("frameon", False)
    handles = [Patch(color=c, label=s) for s, c in colours.items()]
    for handle, label in extra:
        handle.set_label(label)
        handles.append(handle)

    def draw(ncols: int) -> None:
        with house_style():
            ax.legend(handles=handles, **{"ncols": ncols, **kwargs})

    if "ncols" in kwargs or len(handles) <= len(colours):  # no long entries: one row, as ever
        draw(max(1, len(handles)))
    else:
        _fewest_rows(ax, draw, len(handles))


def figure_legend(
    fig: Any, axes: Sequence[Axes], order: Sequence[str] | None = None, heading: str | None = None
) -> bool:
    """Replace the panels' legends (the same series in each) by one above the figure; whether one is drawn.

    ``order`` sorts the entries (others follow, as first met).  ``heading``
    is a line above the legend's title (what the whole figure shows): a
    figure title would sit where the legend goes, and they would overlap.
    """
    handles: dict[str, Any] = {}
    panels: dict[str, list[str]] = {}  # the panels (``(a)``) whose legend has each label
    title = None
    for i, ax in enumerate(axes):
        legend = ax.get_legend()
        if legend is None:
            continue
        title = title or legend.get_title().get_text() or None
        for label, artist in _legend_entries(ax, legend).items():
            handles.setdefault(label, artist)
            panels.setdefault(label, []).append(f"({string.ascii_lowercase[i % 26]})")
        legend.remove()
    handles = _one_entry_a_series(handles, panels if len(axes) > 1 else {})
    if order:
        rank = {shown_label(name, title): i for i, name in enumerate(order)}  # as its entries read
        handles = dict(
            sorted(handles.items(), key=lambda item: rank.get(SAME_AS.sub("", item[0]), len(rank)))
        )
    if not handles:
        return False
    above = _legend_above(fig, handles, "\n".join(t for t in (heading, title) if t) or None)
    above.get_title().set_multialignment("center")
    fit_y_labels(fig)  # the legend took height from the panels: a y label taller than its panel ran into it
    return True


def _legend_above(fig: Figure, handles: Mapping[str, Any], title: str | None) -> Legend:
    """A legend of ``handles`` above the figure's panels, in as many columns (at most 5) as its width holds.

    A row of long names ("dads (same spot as ... in (a); ...)") ran past both edges of the figure;
    where even one column is wider than the figure (``latency, neurosurgeon(objective=latency) (same
    line as energy, neurosurgeon(objective=energy))``), each entry too wide is broken into lines
    (:func:`~offloadsim.plots.style.wrap`). Its size needs no layout to measure.
    """
    for ncols in range(min(len(handles), 5), 0, -1):
        with house_style():
            above = fig.legend(
                list(handles.values()),
                list(handles),
                title=title,
                loc="outside upper center",
                ncols=ncols,
                frameon=False,
            )
            renderer = fig._get_renderer()  # type: ignore[attr-defined]  # as in laid_out
            width = above.get_window_extent(renderer).width
            if width <= fig.bbox.width:
                return above
            if ncols == 1:
                break
        above.remove()
    with house_style():  # measured in the type it is saved in
        texts = above.get_texts()
        widest = max(text.get_window_extent(renderer).width for text in texts)
        room = fig.bbox.width - (width - widest) - 2 * _GAP_PT * fig.dpi / 72
        for text in texts:
            label = text.get_text()
            text.set_text("\n".join(wrap(label, _width_of(text, renderer), room)))
    return above


def _one_entry_a_series(handles: dict[str, Any], panels: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The panels' entries, one a series, saying in which panels (``panels``) it lies on another.

    A panel whose ``neurosurgeon`` lies on ``edge`` names it ``neurosurgeon (same line as edge)``,
    one where it does not ``neurosurgeon``: the figure's legend listed both, one series twice. Its
    plain name alone then hid it where it is drawn under another (``dads`` under one series in
    panel (a), under another in panel (b): invisible in both, said nowhere), so the entry names
    each: ``dads (same spot as x in (a); same spot as y in (b))``.
    """
    labels: dict[str, list[str]] = {}
    for label in handles:
        labels.setdefault(SAME_AS.sub("", label), []).append(label)
    kept: dict[str, Any] = {}
    for label, artist in handles.items():
        series = SAME_AS.sub("", label)
        if len(labels[series]) == 1:
            kept.setdefault(label, artist)
            continue
        under = [
            f"{other.removeprefix(series)[2:-1]} in {', '.join(panels.get(other, ()))}".removesuffix(" in ")
            for other in labels[series]
            if other != series
        ]
        kept.setdefault(f"{series} ({'; '.join(under)})" if under else series, artist)
    return kept


def label_panels(axes: Sequence[Axes], titles: Sequence[str | None] | None = None) -> None:
    """Title each panel ``(a) title``, ``(b) title``..., left-aligned, so a caption can refer to it.

    A title wider than its room (to the next panel on its right, or the figure's edge) is broken
    into lines at spaces: ``(c) phone–server bandwidth = 100 Mbit/s`` ran past the edge of a
    three-panel figure.
    """
    with house_style():
        for i, ax in enumerate(axes):
            title = titles[i] if titles is not None and i < len(titles) else None
            letter = f"({string.ascii_lowercase[i % 26]})"
            ax.set_title(f"{letter} {title}" if title else letter, loc="left")
    if titles is not None and any(titles):
        _fit_titles(axes)


def fit_title(ax: Axes) -> None:
    """Break a lone panel's left title wider than the figure at spaces, as :func:`label_panels` does.

    The values ``--where`` fixed, and the swept keys zipped with them, made a title that widened a
    one-column figure past its column.
    """
    _fit_titles([ax])


def _fit_titles(axes: Sequence[Axes]) -> None:
    """Break each panel's left title that runs into the panel on its right, or off the figure, at spaces.

    The figure is laid out (to measure each panel's room) only when some title is wider than 80 %
    of an even share of the figure's width among its row: a layout run twice places things a
    fraction of a pixel apart, so the figures whose titles fit are drawn exactly as before.
    """
    fig = root_figure(axes[0])
    with house_style():
        renderer = fig._get_renderer()  # type: ignore[attr-defined]  # text widths need no layout
        places = [ax.get_position() for ax in axes]
        wide = False
        for ax, place in zip(axes, places, strict=True):
            row = sum(p.y0 < place.y1 and p.y1 > place.y0 for p in places)
            share = fig.bbox.width / row
            wide |= ax._left_title.get_window_extent(renderer).width > 0.8 * share  # type: ignore[attr-defined]
    if not wide:
        return
    # A title broken into lines can move the panels when the layout runs again (a wider y tick label
    # took 11 px from a lone panel's room): measured again, and broken again where it still runs over.
    for _ in range(3):
        renderer = laid_out(axes[0])
        broken = False
        with house_style():  # measured in the type it is saved in
            frames = [ax.get_window_extent(renderer) for ax in axes]
            gap = 4 * fig.dpi / 72  # points: the least white between one title and the next
            for ax, frame in zip(axes, frames, strict=True):
                title = ax._left_title  # type: ignore[attr-defined]  # the loc="left" title's Text
                right = [f.x0 for f in frames if f.x0 > frame.x1 - 1 and f.y0 < frame.y1 and f.y1 > frame.y0]
                room = min([*right, fig.bbox.x1]) - gap - frame.x0
                if title.get_window_extent(renderer).width <= room:
                    continue
                # Cut where a note under a figure would be (style.wrap): never between a number and its unit.
                text = title.get_text().replace("\n", " ")
                title.set_text("\n".join(wrap(text, _width_of(title, renderer), room)))
                broken = True
        if not broken:
            return


def _width_of(text: Text, renderer: RendererBase) -> Callable[[str], float]:
    """How wide ``text`` is drawn holding a given string (it is left holding the last one measured)."""

    def width(content: str) -> float:
        text.set_text(content)
        return float(text.get_window_extent(renderer).width)

    return width


def from_zero(ax: Axes, which: str) -> None:
    """Start a linear axis of ``ax`` at 0 where it reached below: for a quantity never negative.

    Matplotlib's margin, and room made for a line end's label, took a linear energy axis to
    −370 mJ under markers of 10 mJ and more (``--kind energy``), and a sweep's to −60 mJ.  A
    marker on the axis' edge is drawn whole, not cut in half.
    """
    axis, get, set_ = (ax.xaxis, ax.get_xlim, ax.set_xlim) if which == "x" else (
        ax.yaxis, ax.get_ylim, ax.set_ylim)  # fmt: skip
    low, high = get()
    if axis.get_scale() != "linear" or low >= 0 or high <= 0:
        return
    set_(0.0, high)
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    for line in ax.get_lines():
        xs, ys = (np.asarray(v, dtype=float) for v in line.get_data())
        drawn = np.isfinite(xs) & np.isfinite(ys)  # a sweep's line leaves its overloaded points out (NaN)
        xs, ys = xs[drawn], ys[drawn]
        inside = bool(xs.size) and (x0 <= xs.min() <= xs.max() <= x1) and (y0 <= ys.min() <= ys.max() <= y1)
        if line.get_marker() not in (None, "", "None", " ") and inside:
            # A marker on the edge drawn whole (its half past it was cut); left out of the layout,
            # which an unclipped line's extent had collapsed.
            line.set_clip_on(False)
            line.set_in_layout(False)
