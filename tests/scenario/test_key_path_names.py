"""A key path built from a user's name (an application's) reads back as the key it names.

An application may be called ``cls.v2`` or ``my app``; a message's key path must quote such a
name (``applications["cls.v2"].hosts[0]``), so that pasted into ``--set`` it sets that key, not
``applications.cls.v2`` (an application ``cls`` with a key ``v2``).
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from scenario_testkit import small_document

from offloadsim.cli import main
from offloadsim.scenario import parse_path
from offloadsim.scenario.errors import format_path, key_part, key_path
from offloadsim.scenario.overrides import parse_assignment

NAMES = ["cls.v2", "my app", 'say "hi"', "a=b", "x[0]", "it's", "job"]


def _scenario(tmp_path, name: str, **app: object):
    """The small scenario with its one application called ``name`` (and ``app``'s keys added)."""
    document = small_document()
    document["applications"] = {name: {**document["applications"]["job"], **app}}
    document["workload"][0]["app"] = name
    path = tmp_path / "named.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path, document


def _key_path(line: str, path) -> str:
    """The key path of a one-line message ``offloadsim: error: FILE: KEY.PATH: message``."""
    rest = line.removeprefix(f"offloadsim: error: {path}: ")
    assert rest != line, line
    # A key path's quoted keys hold no unescaped '"', so its end is the first ': ' outside them.
    inside, end = False, 0
    while end < len(rest) and (inside or rest[end : end + 2] != ": "):
        inside = inside != (rest[end] == '"' and rest[end - 1 : end] != "\\")
        end += 1
    return rest[:end]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("app", "key", "fix"),
    [
        # Found when the file is read (a host pattern that matches no node) ...
        ({"hosts": ["nosuch"]}, ("hosts", 0), "[phone-*]"),
        ({"hosts": "nosuch"}, ("hosts",), "phone-*"),  # one pattern, as written: no [0] to drop
        # ... and when the world is built (a kind that does not fit the work).
        ({"kind": "llm"}, ("kind",), "synthetic"),
    ],
    ids=["hosts", "one host", "kind"],
)
def test_a_messages_key_path_pasted_into_set_addresses_the_named_key(name, app, key, fix, tmp_path, capsys):
    path, _ = _scenario(tmp_path, name, **app)
    assert main(["validate", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    shown = _key_path(line, path)
    assert parse_path(shown) == ("applications", name, *key), line
    # The key path with its last index dropped (a list is set whole) is the key to fix.
    fixed = shown.rpartition("[")[0] if isinstance(key[-1], int) else shown
    assert main(["validate", str(path), "--set", f"{fixed}={fix}"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", NAMES)
def test_a_set_of_a_quoted_name_is_blamed_when_the_world_refuses_it(name, tmp_path, capsys):
    """The ``--set`` that gave a value the world refuses is named, however its key path quotes the name."""
    path, _ = _scenario(tmp_path, name)
    assignment = f"{key_path('applications', name, 'kind')}=llm"
    assert main(["validate", str(path), "--set", assignment]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert _key_path(line, path) == format_path(("applications", name, "kind")), line
    assert "(set by --set" in line, line


def test_a_quoted_plain_name_is_blamed_as_the_same_key(tmp_path, capsys):
    """``applications["job"].kind`` is ``applications.job.kind``: the problem names the --set behind it."""
    path, _ = _scenario(tmp_path, "job")
    assert main(["validate", str(path), "--set", 'applications["job"].kind=llm']) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert ": applications.job.kind: " in line and line.endswith(
        """(set by --set "applications[\\"job\\"].kind=llm")"""
    )


def test_an_equals_sign_inside_a_quoted_key_is_part_of_the_key():
    assert parse_assignment('applications["a=b"].deadline=1 s') == ('applications["a=b"].deadline', "1 s")
    assert parse_assignment("seed=a=b") == ("seed", "a=b")


def test_a_key_part_quotes_what_is_not_a_plain_name_as_quoted_does():
    assert key_part("phone-3") == ".phone-3"
    assert key_part(4) == "[4]"
    assert key_part("my app") == '["my app"]'
    assert key_path("nodes.edge", "processors", "gpu") == "nodes.edge.processors.gpu"


@given(
    st.lists(st.one_of(st.text(max_size=8), st.integers(min_value=0, max_value=99)), min_size=1, max_size=4)
)
def test_every_key_path_format_path_writes_parses_back_to_its_parts(parts):
    if isinstance(parts[0], int):
        parts[0] = "top"  # a scenario's key path starts with a key
    assert parse_path(format_path(parts)) == tuple(parts)


def _bad_processor_name(tmp_path):
    """The small scenario with its edge's processors given a name the world refuses, ``g.pu``."""
    document = small_document()
    edge = document["nodes"]["edge"]
    edge["processors"] = {"g.pu": edge.pop("processor")}
    path = tmp_path / "bad-name.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_a_bad_name_the_file_wrote_is_not_blamed_on_a_set_inside_it(tmp_path, capsys):
    """``--set processors["g.pu"].cores=3`` changed a value under the name; the name is the file's."""
    path = _bad_processor_name(tmp_path)
    assert main(["validate", str(path), "--set", 'nodes.edge.processors["g.pu"].cores=3']) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert 'processor name "g.pu"' in line and "set by --set" not in line, line


def test_a_bad_name_a_set_made_is_blamed_on_it(tmp_path, capsys):
    """A ``--set`` whose key creates the refused name is the problem's cause, and is named."""
    document = small_document()
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    processor = yaml.safe_dump(document["nodes"]["edge"]["processor"], default_flow_style=True).strip()
    assignment = f'nodes.edge.processors["g.pu"]={processor}'
    assert main(["validate", str(path), "--set", "nodes.edge.processor=null", "--set", assignment]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert 'processor name "g.pu"' in line and "set by --set" in line, line
