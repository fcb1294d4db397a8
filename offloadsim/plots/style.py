"""The house style of every figure: serif type, the Okabe–Ito palette, paper-sized figures, PDF + PNG.

Nothing here touches pyplot.  Figures are :class:`matplotlib.figure.Figure`
objects made directly, and the style is applied with
:func:`matplotlib.rc_context` only while a figure is being drawn or saved,
so a user's own matplotlib settings are left as they were.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import ScalarFormatter

from offloadsim.analysis.values import grouped  # the figures' notes and ticks write numbers alike

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "MARKERS",
    "LINESTYLES",
    "MAX_SERIES",
    "FIGSIZES",
    "RC",
    "grouped",
    "NOTES_SUFFIX",
    "house_style",
    "most_note_lines",
    "new_axes",
    "rewrap_notes",
    "save_figure",
    "style_map",
]

#: Okabe & Ito (2008), colour-blind safe, by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
#: The order series take their colours in (yellow last: weak on white).
PALETTE = tuple(
    OKABE_ITO[c]
    for c in ("blue", "orange", "bluish green", "vermillion", "reddish purple", "sky blue", "black", "yellow")
)
#: Markers and line styles that go with the colours, so figures also read in grey.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))
#: The most series a figure tells apart: each colour with each marker (see :func:`_style`).
MAX_SERIES = len(PALETTE) * len(MARKERS)

#: Figure sizes in inches: one column (3.5 in) and two columns (7.16 in) of a two-column paper.
FIGSIZES: dict[str, tuple[float, float]] = {
    "one-column": (3.5, 2.45),
    "one-column-tall": (3.5, 3.4),
    "two-column": (7.16, 2.8),
    "two-column-tall": (7.16, 4.4),
}

#: The rcParams of the house style.
RC: dict[str, Any] = {
    "font.family": "serif",
    "font.serif": ["STIXGeneral", "DejaVu Serif"],
    "mathtext.fontset": "stix",
    "font.size": 8.0,
    "axes.titlesize": 8.0,
    "axes.labelsize": 8.0,
    "legend.fontsize": 7.0,
    "legend.title_fontsize": 7.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.35,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.width": 0.4,
    "ytick.minor.width": 0.4,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "errorbar.capsize": 2.0,
    # A white, borderless backing: a legend over a grid line or a reference line stays readable.
    "legend.frameon": True,
    "legend.framealpha": 0.85,
    "legend.edgecolor": "none",
    "legend.fancybox": False,
    "legend.borderpad": 0.3,
    "legend.handlelength": 1.8,
    "patch.linewidth": 0.5,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "svg.hashsalt": "offloadsim",  # the ids of an SVG's clip paths the same each time it is drawn
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "pdf.fonttype": 42,  # TrueType in PDFs: editable text, accepted by publishers
    "ps.fonttype": 42,
    "svg.fonttype": "none",
}


class _GroupedScalarFormatter(ScalarFormatter):
    """Matplotlib's linear-axis labels, numbers :func:`grouped`, never an offset.

    An offset (``1e-10+2.12991999e-1`` over the axis of policies whose energy differed by
    rounding) makes a reader add two numbers to read a tick; every offloadsim axis writes its
    ticks whole.
    """

    def __init__(self) -> None:
        super().__init__(useOffset=False)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return grouped(super().__call__(x, pos))

    def format_ticks(self, values: Any) -> list[str]:
        return [grouped(text) for text in super().format_ticks(values)]


def _group_linear_ticks(ax: Axes) -> None:
    """Label each linear axis of ``ax`` with :func:`grouped` numbers (log_axis sets a log one its own).

    The formatter stays the axis' default, so that data with units of their own (text categories,
    dates) still install theirs when drawn: ``ax.bar(["completed"], ...)`` was labelled ``0``.
    """
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "linear":
            axis.set_major_formatter(_GroupedScalarFormatter())
            axis.isDefault_majfmt = True  # a units converter (categories, dates) may replace it


@contextmanager
def house_style(extra: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Apply the house style (plus ``extra`` rcParams) for the duration of the block, then restore."""
    params: Any = dict(RC)  # rc_context's stubs list every known key; ours are all valid
    params.update(extra or {})
    with matplotlib.rc_context(params):
        yield


#: What matplotlib's own formatters write in their mathtext (``$\\mathdefault{10^{3}}$``): kept as TeX.
_FORMATTER_TEX = ("\\mathdefault", "\\times")


def as_written(fig: Figure) -> None:
    """Draw every text of ``fig`` that has a ``$`` as written: never read as matplotlib's mathtext.

    A name reaches legends, titles, facet titles and tick labels as the user wrote it
    (``fixed(nodes=[$source, edge])``, an application ``cost$1=a$2``): two ``$`` in one text
    made matplotlib parse what lay between as TeX, drawn in italics or ending ``plot`` in a
    ParseException (exit 1). The package writes no TeX of its own; matplotlib's formatters' (a
    log axis' ``10^3``) are kept. Texts without a ``$`` are left alone, so that figures without
    one are drawn byte for byte as before (turning mathtext off for every text moved the testbed
    figure's tick labels). :class:`_Figure` does this before each draw.
    """
    texts: list[Text] = list(fig.findobj(Text))
    for ax in fig.axes:  # tick labels are set from their formatter when drawn: set them now
        for axis in (ax.xaxis, ax.yaxis):
            texts += axis.get_majorticklabels() + axis.get_minorticklabels()
    for text in texts:
        written = text.get_text()
        if "$" in written and not any(tex in written for tex in _FORMATTER_TEX):
            text.set_parse_math(False)


class _Figure(Figure):
    """The house figure: its texts are drawn as written (:func:`as_written`) whenever it is drawn."""

    def draw(self, renderer: Any) -> None:
        as_written(self)
        super().draw(renderer)


def new_axes(
    size: str | tuple[float, float] = "one-column",
    *,
    nrows: int = 1,
    ncols: int = 1,
    sharex: bool = False,
    sharey: bool = False,
    **subplot_kw: Any,
) -> Any:
    """A new :class:`Figure` (constrained layout, house style) and its Axes (an array when several).

    ``size`` is a :data:`FIGSIZES` preset or ``(width, height)`` in inches;
    ``sharex``/``sharey`` give panels one scale.

    >>> fig, ax = new_axes("two-column")
    >>> fig.get_size_inches().tolist()
    [7.16, 2.8]
    """
    if isinstance(size, str) and size not in FIGSIZES:  # checked before the lookup, which raised KeyError
        raise ValueError(f"unknown figure size {size!r}; use one of {', '.join(FIGSIZES)} or (w, h)")
    figsize = FIGSIZES[size] if isinstance(size, str) else size
    with house_style():
        fig = _Figure(figsize=figsize, layout="constrained")
        axes = fig.subplots(
            nrows, ncols, sharex=sharex, sharey=sharey, squeeze=True, subplot_kw=subplot_kw or None
        )
        for ax in fig.axes:
            _group_linear_ticks(ax)
    return fig, axes


def save_figure(
    fig: Figure,
    path: str | Path,
    formats: Iterable[str] = ("pdf", "png"),
    *,
    metadata: Mapping[str, str] | None = None,
) -> list[Path]:
    """Save ``fig`` as PDF and PNG next to each other (``path``'s suffix is replaced), atomically.

    Every format is drawn to a hidden temporary first and moved into place only
    once all were drawn, so a format that fails (a full disk, a figure too large
    for a PNG) leaves no file of the others: the files of an earlier save stay
    as they were, never a new PDF beside an old PNG or none.
    ``metadata`` is stored in the files: as text chunks of the PNG, and as
    ``key=value`` keywords of the PDF (the gallery records there a digest
    of the data a figure was drawn from).  Notes under the axes (:func:`note_under`) longer than a
    third of the figure's height are cut to it in the files, their last line naming ``FIG.notes.txt``,
    written beside them with every note: the axes stay readable, and no note is lost.  Returns the
    files written.
    """
    from offloadsim.outdir import replace_together

    files = figure_files(path, formats)
    if not files:
        return []

    def writer(fmt: str) -> Callable[[Path], None]:
        return lambda tmp: _savefig(fig, tmp, fmt, _file_metadata(fmt, metadata))

    folder = files[0].parent
    folder.mkdir(parents=True, exist_ok=True)
    notes = folder / f"{files[0].stem}{NOTES_SUFFIX}"
    writers = {file.name: writer(file.suffix[1:]) for file in files}
    with house_style(), _notes_capped(fig, notes.name) as full:
        if full is not None:
            writers[notes.name] = _text_writer(full)
        replace_together(folder, writers, files[-1].name)
    if full is None:
        notes.unlink(missing_ok=True)  # an earlier save's notes, of a figure whose notes now fit
        return files
    return [*files, notes]


def _text_writer(text: str) -> Callable[[Path], None]:
    """A writer of ``text`` (and a final newline) to the path it is given, for :func:`replace_together`."""

    def write(path: Path) -> None:
        path.write_text(text + "\n", encoding="utf-8")

    return write


#: The file beside a figure (``FIG.notes.txt``) holding all of its notes where they were cut under it.
NOTES_SUFFIX = ".notes.txt"
#: The share of a figure's height its notes may take; more are cut to it, the rest in the notes file.
_NOTES_SHARE = 1 / 3
#: The fewest note lines a figure keeps under its axes, however short the figure.
_LEAST_NOTE_LINES = 4
#: Each figure's note as given and as wrapped under its axes (:func:`note_under`).
_NOTES: weakref.WeakKeyDictionary[Figure, tuple[str, list[str]]] = weakref.WeakKeyDictionary()


def most_note_lines(fig: Figure, fontsize: float = 6.0) -> int:
    """How many lines of notes ``fig`` shows under its axes: a third of its height, at least four.

    A sweep's figure carried 12 lines under a one-column figure's axes, two-thirds of its height:
    the axes were left a strip.  At 6 pt a line is 0.1 in: a one-column figure (2.45 in) keeps 8.
    """
    line_in = fontsize * 1.2 / 72.0
    return max(_LEAST_NOTE_LINES, int(fig.get_size_inches()[1] * _NOTES_SHARE / line_in))


@contextmanager
def _notes_capped(fig: Figure, notes_name: str) -> Iterator[str | None]:
    """While saving: ``fig``'s note cut to :func:`most_note_lines`, its last line naming ``notes_name``.

    Yields every note (as given) for the notes file, or None where they fit.  The figure's note is
    whole again afterwards, so that the Python object keeps all of it.
    """
    given = _NOTES.get(fig)
    label = fig._supxlabel  # type: ignore[attr-defined]  # set by note_under
    if given is None or label is None:
        yield None
        return
    note = given[0]
    whole = label.get_text()
    # At the figure's width as saved: a figure resized after its notes were wrapped had them run
    # past both edges.  At the width they were wrapped to, these are the same lines.
    lines = _wrapped(fig, label, note)
    most = most_note_lines(fig)
    cut = len(lines) > most
    if cut:
        # The line naming the notes file wraps too (a long figure name ran it past the edges), and
        # the lines it takes are the notes' room.
        tail: list[str] = [""]
        for _ in range(2):  # its count again where it takes two lines
            kept = lines[: max(1, most - len(tail))]
            more = f"… {len(lines) - len(kept)} more lines of notes in {notes_name}, beside this figure"
            tail = _wrapped(fig, label, more)
        lines = [*kept, *tail]
    label.set_text("\n".join(lines))
    try:
        yield note if cut else None
    finally:
        label.set_text(whole)


def _savefig(fig: Figure, file: Path, fmt: str, metadata: dict[str, str | None] | None) -> None:
    """``fig.savefig``, raising the OSError (a full disk) that matplotlib's own clean-up hid.

    matplotlib's PDF writer closes its file after a write failed, and closing a stream that
    never got its place in the file raises ``AttributeError: 'Stream' object has no attribute
    'pos'``: ``offloadsim plot`` on a full disk was an internal error, not "No space left".
    """
    try:
        fig.savefig(file, format=fmt, metadata=metadata)
    except OSError:
        raise
    except Exception as error:
        cause = error.__context__
        while cause is not None and not isinstance(cause, OSError):
            cause = cause.__context__
        if cause is None:
            raise
        raise cause from None


def figure_files(path: str | Path, formats: Iterable[str] = ("pdf", "png")) -> list[Path]:
    """The files :func:`save_figure` writes for ``path``, a file stem (a .pdf, .png or .svg suffix goes).

    Raises :class:`~offloadsim.outdir.ResultsError` when ``path`` is no stem
    to write beside: a directory (or a name ending in ``/``), a device, FIFO
    or socket (``/dev/null`` made ``/dev/null.pdf``), or when a file it would
    write is one of those; and when its folder cannot be made or written: under a
    regular file (``FILE/x``: mkdir said "File exists"), read-only, or a name too
    long.  Call it before drawing to fail fast; :func:`save_figure` calls it, and
    so does ``offloadsim plot --out`` before reading anything.
    """
    import os

    from offloadsim.bounded_read import not_a_file
    from offloadsim.errors import shown_path
    from offloadsim.outdir import ResultsError, check_writable_parent, describe_os_error

    target = Path(path)
    if target.suffix.lower() in (".pdf", ".png", ".svg"):
        target = target.with_suffix("")
    files = [target.parent / f"{target.name}.{fmt}" for fmt in formats]
    stem = "a figure is written to a file stem (FIG writes FIG.pdf and FIG.png)"
    if str(path).endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
        raise ResultsError(f"cannot write a figure to {path}: it names a directory; {stem}")
    # Not there (yet) is no problem here: the write says what else is wrong.  The path as given may
    # not be a directory; the stem without its suffix (figs for figs.pdf) may, as files go beside it.
    for candidate in dict.fromkeys((Path(path), target, *files)):
        problem = not_a_file(candidate)
        if problem is None or (candidate == target != Path(path) and candidate.is_dir()):
            continue
        where = "it" if candidate == Path(path) else str(candidate)
        raise ResultsError(f"cannot write a figure to {path}: {where} {problem}; {stem}")
    cannot = f"cannot write a figure to {shown_path(path)}"
    try:
        if files:
            check_writable_parent(files[0], cannot)
    except OSError as error:  # a name too long
        raise ResultsError(f"{cannot}: {describe_os_error(error)}") from None
    return files


def _file_metadata(fmt: str, metadata: Mapping[str, str] | None) -> dict[str, str | None] | None:
    """``metadata`` as the format takes it: PNG text chunks as they are; PDF and SVG in their keywords.

    PDF and SVG leave out the date matplotlib would stamp, so that the same figure drawn again is
    the same file (a redrawn gallery changes only what its data changed).
    """
    if fmt == "png":
        return dict(metadata) if metadata else None
    if fmt not in ("pdf", "svg"):
        return None
    undated: dict[str, str | None] = {"CreationDate": None} if fmt == "pdf" else {"Date": None}
    if metadata:
        undated["Keywords"] = "; ".join(f"{k}={v}" for k, v in metadata.items())
    return undated


def style_map(names: Iterable[Any]) -> dict[Any, dict[str, Any]]:
    """Colour, marker and line style per series name, in order of first appearance.

    >>> style_map(["local", "edge"])["edge"]["color"]
    '#E69F00'
    """
    return {name: _style(i) for i, name in enumerate(dict.fromkeys(names))}


def _style(i: int) -> dict[str, Any]:
    """The ``i``-th series' colour, marker and line style.

    The colours come round every 8 series, and the markers and line styles
    shift by one each time they do: series 9 is blue with squares, not the
    blue circles of series 1, so up to 64 series differ in colour or marker
    (eight colours, each with eight markers).
    """
    shift = i + i // len(PALETTE)
    return {
        "color": PALETTE[i % len(PALETTE)],
        "marker": MARKERS[shift % len(MARKERS)],
        "linestyle": LINESTYLES[shift % len(LINESTYLES)],
    }


def axes_or_new(ax: Axes | None, size: str | tuple[float, float] = "one-column") -> Axes:
    """``ax`` itself, or the Axes of a new house-style figure."""
    if ax is not None:
        return ax
    _, new = new_axes(size)
    return new


def note_under(fig: Figure, note: str, fontsize: float | str = 6) -> None:
    """Set ``note`` under ``fig``'s axes, each of its lines wrapped at spaces to the figure's width.

    A line wider than the figure ("of completed tasks only; ... in (phone uplink, policy):") was cut
    at both edges of the saved file; wrapped, the layout makes room for the lines it adds. Lines are
    cut where the sense allows (after a ``;``, between a list's items), not inside an item
    (:func:`wrap`).  More lines than :func:`most_note_lines` are cut to it when the figure is saved,
    every note written beside it (:func:`save_figure`).
    """
    with house_style():
        # parse_math off: a note is never TeX, and two entries with a $ each (fixed(nodes=[$source, ...]))
        # made matplotlib parse the text between them and raise (plot ended in exit 1)
        label = fig.supxlabel(note, fontsize=fontsize, parse_math=False)
        lines = _wrapped(fig, label, note)
        label.set_text("\n".join(lines))
        _NOTES[fig] = (note, lines)


def rewrap_notes(fig: Figure) -> None:
    """Wrap ``fig``'s note (:func:`note_under`) again at its present width: it was resized since.

    A plug-in's figure set to ``--size one-column`` after it wrote its notes at its own width had
    them run past both edges.  A figure with no note is left alone.
    """
    given = _NOTES.get(fig)
    label = fig._supxlabel  # type: ignore[attr-defined]  # set by note_under
    if given is None or label is None:
        return
    lines = _wrapped(fig, label, given[0])
    label.set_text("\n".join(lines))
    _NOTES[fig] = (given[0], lines)


def _wrapped(fig: Figure, label: Text, note: str) -> list[str]:
    """``note``'s lines, each wrapped (:func:`wrap`) to ``fig``'s present width in ``label``'s type.

    Leaves ``label``'s text as it found it.
    """
    renderer = fig._get_renderer()  # type: ignore[attr-defined]  # the layout's renderer, any canvas
    room = fig.bbox.width * _NOTE_WIDTH
    shown = label.get_text()

    def width(text: str) -> float:
        label.set_text(text)
        return float(label.get_window_extent(renderer).width)

    with house_style():  # measured in the type it is saved in
        try:
            return [wrapped for line in note.split("\n") for wrapped in wrap(line, width, room)]
        finally:
            label.set_text(shown)


def wrap(line: str, width: Callable[[str], float], room: float) -> list[str]:
    """``line`` in as few pieces as fit ``room`` by ``width``, each cut where the sense allows.

    A line is cut at a space, by preference after a ``;`` or ``:``, then after a comma, then
    between other words outside parentheses, then between the items of a parenthesised list, and
    only when no such space leaves the line at least :data:`_FILL` full, inside an item, between
    a number and its unit or after a clause's label (:func:`is_label`): "(phone uplink, policy)" no
    longer splits as "(phone" / "uplink, policy)", nor "5 Mbit/s" as "5" / "Mbit/s", nor
    "y: sum of" as "y:" / "sum of". A word wider than ``room`` is cut inside (:func:`_cut_word`).
    """
    if width(line) <= room:
        return [line]
    words = line.split(" ")
    ranks = _break_ranks(words)
    pieces: list[str] = []
    first = 0
    while first < len(words):
        rest = " ".join(words[first:])
        if width(rest) <= room:
            pieces.append(rest)
            break
        # Cut after word k (first <= k < last word): each cut that fits, with how full it leaves the line.
        fits = []
        for k in range(first, len(words) - 1):
            used = width(" ".join(words[first : k + 1]))
            if k > first and used > room:
                break
            fits.append((k, used))
        if not fits:  # one word left, wider than the room: cut inside it
            pieces += _cut_word(rest, width, room)
            break
        full = [(k, used) for k, used in fits if used >= _FILL * room] or fits
        cut = min(full, key=lambda c: (ranks[c[0]], -c[0]))[0]
        piece = " ".join(words[first : cut + 1])
        pieces += _cut_word(piece, width, room) if cut == first else [piece]
        first = cut + 1
    return pieces


def _cut_word(word: str, width: Callable[[str], float], room: float) -> list[str]:
    """``word`` in pieces that fit ``room``, cut after one of :data:`_WORD_CUTS` where it can be.

    Cut after such a character where that leaves the piece :data:`_FILL` full, else after the last
    character that fits.

    A word wider than the figure (a long path, a key path with no space) stayed whole, and ran past
    both edges of the saved file.
    """
    pieces: list[str] = []
    while width(word) > room and len(word) > 1:
        end = 1  # the longest prefix that fits (at least one character)
        while end < len(word) and width(word[: end + 1]) <= room:
            end += 1
        marks = [i + 1 for i in range(end) if word[i] in _WORD_CUTS and width(word[: i + 1]) >= _FILL * room]
        end = marks[-1] if marks else end
        pieces.append(word[:end])
        word = word[end:]
    return [*pieces, word]


#: Where a word too wide for its line is cut, by preference (:func:`_cut_word`).
_WORD_CUTS = "/._-="


def is_label(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` ends a clause's label (``y:``, ``not drawn:``): a ``:`` in its first two words.

    A line cut after one leaves the label alone at its end and what it names on the next line (the
    calibration figure's note ended a line with "median); y:"). A clause starts the line or follows
    a ``;``.  A word closing a parenthesis (``(policy, precision):``) ends a heading whose list
    follows on the next lines, not a label.
    """
    if not words[i].endswith(":") or words[i].endswith("):"):
        return False
    start = next((k + 1 for k in range(i - 1, -1, -1) if words[k].endswith(";")), 0)
    return i - start < _LABEL_WORDS


#: The most words a clause's label (the words up to its ``:``) has: ``y:``, ``not drawn:``.
_LABEL_WORDS = 2


def _break_ranks(words: Sequence[str]) -> list[int]:
    """How fit the space after each of ``words`` is for a line break (0 the best; see :func:`wrap`)."""
    ranks = []
    depth = 0
    for i, word in enumerate(words):
        depth = max(0, depth + word.count("(") - word.count(")"))
        following = words[i + 1] if i + 1 < len(words) else ""
        unit = bool(_NUMBER.fullmatch(word)) and (following[:1].isalpha() or following.startswith("%"))
        if unit or (depth and not word.endswith(",")) or is_label(words, i):
            ranks.append(4)  # a number from its unit, inside an item of a parenthesised list, a label
        elif depth:
            ranks.append(3)  # between the items of a parenthesised list
        elif word.endswith((";", ":")):
            ranks.append(0)
        elif word.endswith(","):
            ranks.append(1)
        else:
            ranks.append(2)
    return ranks


#: A number as a note writes one (``5``, ``0.5``, ``-3``, ``1–500``).
_NUMBER = re.compile(r"[-−+]?\d[\d.,]*(?:[–-]\d[\d.,]*)?")

#: How full (a share of the width) a line must be before a better place to cut it is preferred.
_FILL = 0.6


#: The share of the figure's width a line of the note under the axes may take (a margin each side).
_NOTE_WIDTH = 0.96
