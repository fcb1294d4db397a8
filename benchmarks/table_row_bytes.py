"""Bytes a row each CSV reader of a scenario adds beside the file's text (tracemalloc), on tiny rows.

``python benchmarks/table_row_bytes.py N``: files of N rows as small as each table allows; the
text is handed over already read (the reader's buffer of the size bound is a fixed cost), so peak
and held are what reading the rows adds, a row: what ``offloadsim.scenario.size``'s SAMPLE_BYTES,
SERIES_ROW_BYTES and POSITION_ROW_BYTES (and, for a trace, TASK_BYTES + HELD_BYTES) bound.
"""

from __future__ import annotations

import argparse
import tracemalloc
from pathlib import Path

from offloadsim.cli.types import positive
from offloadsim.scenario import csvdata
from offloadsim.scenario.csvdata import read_positions, read_series, read_trace
from offloadsim.scenario.quantities import parse_dist
from offloadsim.world.dynamics.trace import COLUMNS


def main(rows: int) -> dict[str, tuple[float, float, float]]:
    """Print and return each reader's file bytes, peak and held bytes a row for ``rows`` tiny rows."""
    files = {
        "samples": "0\n" * rows,
        "series": "time,bandwidth\n" + "".join(f"{i},0\n" for i in range(rows)),
        "positions": "time,node,x,y\n" + "".join(f"{i},a,0,0\n" for i in range(rows)),
        "trace": "time\n" + "0\n" * rows,
    }
    calls = {
        "samples": lambda: parse_dist({"empirical": "f.csv"}, "work", Path()),
        "series": lambda: read_series(Path("f.csv"), "f.csv", COLUMNS),
        "positions": lambda: read_positions(Path("f.csv"), "f.csv"),
        "trace": lambda: read_trace(Path("f.csv"), "f.csv"),
    }
    read, found = csvdata._read, {}
    try:
        for name, text in files.items():
            csvdata._read = lambda path, shown, text=text: text  # type: ignore[assignment]
            tracemalloc.start()
            kept = calls[name]()
            held, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            del kept
            size, peak, held = found[name] = (len(text) / rows, peak / rows, held / rows)
            print(f"{name}: {size:.1f} file bytes a row; peak {peak:.1f}, held {held:.1f}")
    finally:
        csvdata._read = read
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "rows",
        nargs="?",
        type=positive,
        default=1_000_000,
        metavar="N",
        help="rows a file (default 1,000,000)",
    )
    main(parser.parse_args().rows)
