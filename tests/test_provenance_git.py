"""A manifest's ``git: {commit, dirty}`` is exactly the checkout's, from one cheap ``git status``.

Each case is a small checkout made here (a package folder beside a file outside it), with
:func:`offloadsim.provenance.git_state` pointed at its package folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from offloadsim import provenance

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

_ENV = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
_ENV.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, env=_ENV, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout of one commit: ``pkg/`` (the package), ``notes.txt`` outside it, ``*.pyc`` ignored."""
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "core.py").write_text("x = 1\n")
    (root / "notes.txt").write_text("notes\n")
    (root / ".gitignore").write_text("*.pyc\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "first")
    monkeypatch.setattr(provenance, "_PACKAGE", root / "pkg")
    return root


def state() -> dict[str, object] | None:
    return provenance.git_state.__wrapped__()  # not the cached answer of this process's checkout


def test_a_clean_checkout_names_its_commit(checkout: Path) -> None:
    assert state() == {"commit": _git(checkout, "rev-parse", "HEAD"), "dirty": False}


@pytest.mark.parametrize(
    "edit",
    ["modified", "staged", "untracked", "deleted"],
)
def test_a_package_file_differing_from_the_commit_is_dirty(checkout: Path, edit: str) -> None:
    core = checkout / "pkg" / "core.py"
    if edit == "modified":
        core.write_text("x = 2\n")
    elif edit == "staged":
        core.write_text("x = 2\n")
        _git(checkout, "add", "pkg/core.py")
    elif edit == "untracked":
        (checkout / "pkg" / "new.py").write_text("")
    else:
        core.unlink()
    assert state() == {"commit": _git(checkout, "rev-parse", "HEAD"), "dirty": True}


def test_ignored_files_and_edits_outside_the_package_leave_it_clean(checkout: Path) -> None:
    (checkout / "pkg" / "core.pyc").write_bytes(b"\0")
    (checkout / "notes.txt").write_text("edited\n")
    (checkout / "scratch.py").write_text("")
    assert state() == {"commit": _git(checkout, "rev-parse", "HEAD"), "dirty": False}


def test_a_detached_head_names_the_commit_checked_out(checkout: Path) -> None:
    first = _git(checkout, "rev-parse", "HEAD")
    (checkout / "pkg" / "core.py").write_text("x = 2\n")
    _git(checkout, "commit", "-q", "-am", "second")
    _git(checkout, "checkout", "-q", "--detach", first)
    assert state() == {"commit": first, "dirty": False}


def test_no_checkout_or_no_commit_yet_gives_no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "installed" / "pkg").mkdir(parents=True)
    monkeypatch.setattr(provenance, "_PACKAGE", tmp_path / "installed" / "pkg")
    assert state() is None
    (tmp_path / "fresh" / "pkg").mkdir(parents=True)
    _git(tmp_path / "fresh", "init", "-q")
    monkeypatch.setattr(provenance, "_PACKAGE", tmp_path / "fresh" / "pkg")
    assert state() is None


def test_a_branch_far_from_its_upstream_is_not_walked(checkout: Path, monkeypatch: pytest.MonkeyPatch):
    """``--branch`` counted the commits between the branch and its upstream (``# branch.ab +0 -30``):
    a walk of all of them, 56M instructions for a clone 2,000 behind its origin; the commit is all
    a manifest needs."""
    tree = _git(checkout, "rev-parse", "HEAD^{tree}")
    tip = _git(checkout, "rev-parse", "HEAD")
    for number in range(30):
        tip = _git(checkout, "commit-tree", tree, "-p", tip, "-m", f"upstream {number}")
    _git(checkout, "update-ref", "refs/remotes/origin/main", tip)
    _git(checkout, "config", "branch.main.remote", "origin")
    _git(checkout, "config", "branch.main.merge", "refs/heads/main")
    _git(checkout, "config", "remote.origin.url", str(checkout))
    _git(checkout, "config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*")
    assert _git(checkout, "status", "-sb").startswith("## main...origin/main [behind 30]")
    head = _git(checkout, "rev-parse", "HEAD")
    answers = []
    run = subprocess.run

    def kept(*args, **kwargs):
        done = run(*args, **kwargs)
        answers.append(done.stdout)
        return done

    monkeypatch.setattr(subprocess, "run", kept)
    assert state() == {"commit": head, "dirty": False}
    assert len(answers) == 1 and "# branch.upstream origin/main" in answers[0]
    assert "# branch.ab +? -?" in answers[0].splitlines()  # not counted (old: "+0 -30")
