"""A table a scenario reads, its columns separated by ';', a tab or '|': the line says so, for every reader.

Only a link trace's header said it (``unknown column "time;bandwidth" (columns are separated by
commas, not ';')``); an arrival trace, a mobility's positions and empirical samples said what they
expected and the one cell they got, without why, and a row of a trace or positions separated so
said "got 1" column.  One helper (``csvdata.separator_hint``) gives every reader the hint.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main
from offloadsim.scenario.csvdata import separator_hint

BASE = """\
name: separators
duration: 5 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {count: 2, tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, ap-*], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [ap-*, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {work: @WORK@, input: 10 KB}
workload:
  - @LOAD@
policy: edge
@DYNAMICS@"""

MOBILITY = """\
dynamics:
  - kind: mobility
    devices: phone
    access_points:
      - {node: ap-0, position: [100 m, 100 m], radius: 150 m}
      - {node: ap-1, position: [350 m, 100 m], radius: 150 m}
    file: t.csv
    update: 1 s
"""

#: Each reader: what the scenario says, the key naming the file, and tables separated by ';' with
#: the line each is refused at: its header, or a row under a sound header.  Empirical samples are
#: one column, the header optional: a row is what there is.
READERS = {
    "arrival trace": (
        {"@LOAD@": "{app: job, sources: phone, arrivals: trace, trace: t.csv}"},
        "workload[0].trace",
        {"time;source\n0.5;phone\n": 1, "time,source\n0.5;phone\n": 2},
    ),
    "link trace": (
        {"@DYNAMICS@": "dynamics: [{kind: link-trace, link: [ap-0, edge], file: t.csv}]\n"},
        "dynamics[0].file",
        {"time;bandwidth\n0;8 Mbps\n": 1, "time,bandwidth\n0;8 Mbps\n": 2},
    ),
    "positions": (
        {"@DYNAMICS@": MOBILITY},
        "dynamics[0].file",
        {"time;node;x;y\n0;phone;1;1\n": 1, "time,node,x,y\n0;phone;1;1\n": 2},
    ),
    "empirical samples": (
        {"@WORK@": "{empirical: t.csv}"},
        "applications.job.work.empirical",
        {"work\n1e9;2e9\n": 2, "1e9;2e9\n": 1},
    ),
}


def _scenario(tmp_path, reader, table):
    fills = READERS[reader][0]
    text = BASE
    for key, default in {"@WORK@": "1 GFLOP", "@LOAD@": "{app: job, sources: phone, rate: 2 /s}"}.items():
        text = text.replace(key, fills.get(key, default))
    text = text.replace("@DYNAMICS@", fills.get("@DYNAMICS@", ""))
    (tmp_path / "t.csv").write_text(table)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(
    ("reader", "table"), [(reader, table) for reader, (_, _, tables) in READERS.items() for table in tables]
)
def test_a_table_separated_by_semicolons_says_columns_are_separated_by_commas(
    tmp_path, capsys, reader, table, verb
):
    _, key, tables = READERS[reader]
    path = _scenario(tmp_path, reader, table)
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: {path}: {key}: t.csv, line {tables[table]}: "), line
    assert " (columns are separated by commas, not ';')" in line, line
    assert not out.exists()


@pytest.mark.parametrize("reader", ["arrival trace", "link trace", "positions"])
def test_the_same_table_with_commas_is_read(tmp_path, capsys, reader):
    """The tables, their ';' made commas, are sound: the separator is what the line is about."""
    table = next(iter(READERS[reader][2]))
    assert main(["validate", str(_scenario(tmp_path, reader, table.replace(";", ",")))]) == 0, (
        capsys.readouterr()
    )


@pytest.mark.parametrize(
    ("row", "hint"),
    [
        (["time;source"], " (columns are separated by commas, not ';')"),
        (["time\tbandwidth"], " (columns are separated by commas, not '\\t')"),
        (["time|node|x|y"], " (columns are separated by commas, not '|')"),
        (["time", "x;y"], ""),  # commas there are: another problem
        (["5 ms"], ""),
    ],
)
def test_the_hint_is_given_where_one_cell_holds_another_separator(row, hint):
    assert separator_hint(row) == hint


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize("table", ["time,bandwidth,\n0,8 Mbps,\n", "time,,bandwidth\n0,,8 Mbps\n"])
def test_a_link_traces_empty_column_name_says_where_it_comes_from(tmp_path, capsys, table, verb):
    """A spreadsheet's export with a comma after the last column was refused as ``unknown column ""``."""
    path = _scenario(tmp_path, "link trace", table)
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f'offloadsim: error: {path}: dynamics[0].file: t.csv, line 1: unknown column "" (a comma ends the '
        'header line, or two stand together); expected a header row with a "time" column and some of '
        "bandwidth, reverse_bandwidth, latency, loss"
    )
    assert not out.exists()
