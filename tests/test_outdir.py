"""Output directories: reruns keep earlier results, leftovers of killed writers go, locks die with holders."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from offloadsim import outdir
from offloadsim.outdir import (
    LOCK_FILE,
    DirectoryLockedError,
    ResultsError,
    clean_stale_partials,
    directory_lock,
    holds_non_directory,
    locked_by_another,
    write_directory,
)


def fill_with(label: str, fmt: str = "offloadsim-run/1"):
    """A fill function writing a minimal result (a manifest naming ``label``)."""

    def fill(tmp: Path) -> None:
        (tmp / "manifest.json").write_text(json.dumps({"format": fmt, "label": label}))

    return fill


def label(directory: Path) -> str:
    return json.loads((directory / "manifest.json").read_text())["label"]


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# --------------------------------------------------------------------------- reruns


def test_a_rerun_keeps_the_earlier_result_as_old_n_and_says_so(tmp_path, caplog):
    out = tmp_path / "run"
    caplog.set_level(logging.INFO, logger="offloadsim")
    first = write_directory(out, fill_with("first"))
    assert first.previous is None and caplog.records == []
    second = write_directory(out, fill_with("second"))
    third = write_directory(out, fill_with("third"))
    assert (second.previous, third.previous) == (tmp_path / "run.old-1", tmp_path / "run.old-2")
    assert [label(tmp_path / n) for n in ("run", "run.old-1", "run.old-2")] == ["third", "first", "second"]
    assert names(tmp_path) == ["run", "run.old-1", "run.old-2"]  # nothing hidden left over
    notes = [r.getMessage() for r in caplog.records]
    assert notes == [
        f"the earlier result in {out} was moved to {tmp_path / 'run.old-1'}",
        f"the earlier result in {out} was moved to {tmp_path / 'run.old-2'}",
    ]


def test_numbering_continues_after_the_highest_existing_old_n(tmp_path):
    out = tmp_path / "run"
    write_directory(out, fill_with("a"))
    write_directory(tmp_path / "run.old-7", fill_with("kept by hand"))
    assert write_directory(out, fill_with("b")).previous == tmp_path / "run.old-8"


def test_overwrite_discards_the_earlier_result_once_the_new_one_is_in_place(tmp_path):
    out = tmp_path / "run"
    write_directory(out, fill_with("first"))
    written = write_directory(out, fill_with("second"), overwrite=True)
    assert written.previous is None
    assert label(out) == "second" and names(tmp_path) == ["run"]


#: How a message names the arguments ``out`` and ``overwrite``: Python's keywords, or within the
#: command line (:func:`offloadsim.errors.as_flags`) its flags. Python's caller was told of --out.
WORDINGS = {"python": ("out", "overwrite=True"), "flags": ("--out", "--overwrite")}


def _worded(wording: str):
    from offloadsim.errors import as_flags

    return as_flags() if wording == "flags" else contextlib.nullcontext()


@pytest.mark.parametrize("wording", list(WORDINGS))
@pytest.mark.parametrize("overwrite", [False, True])
def test_a_directory_that_is_not_a_result_is_never_moved_nor_replaced(overwrite, wording, tmp_path):
    """'--out ~/thesis --overwrite' deleted the user's folder: --overwrite replaces only a result."""
    out = tmp_path / "mine"
    out.mkdir()
    for name in ("thesis.tex", "a.bib", "b.png", "figures"):
        (out / name).write_text("precious")
    with pytest.raises(ResultsError) as refused, _worded(wording):
        write_directory(out, fill_with("x"), overwrite=overwrite)
    out_arg, overwrite_arg = WORDINGS[wording]
    replaces = (
        f"{overwrite_arg} replaces only an offloadsim result or an empty directory: " if overwrite else ""
    )
    assert str(refused.value) == (
        f"output directory {out} holds no offloadsim result but a.bib, b.png, figures and 1 more; "
        f"{replaces}remove it yourself or choose another {out_arg}"
    )
    assert names(out) == ["a.bib", "b.png", "figures", "thesis.tex"] and names(tmp_path) == ["mine"]


def test_a_folder_with_a_points_folder_among_others_is_no_sweep_to_replace(tmp_path):
    """Any folder holding a 'points' folder counted as a sweep's: --overwrite deleted a GIS project."""
    out = tmp_path / "gis"
    (out / "points").mkdir(parents=True)
    (out / "roads.shp").write_text("precious")
    with pytest.raises(ResultsError, match=r"holds no offloadsim result but points, roads\.shp;"):
        write_directory(out, fill_with("x"), overwrite=True)
    assert names(out) == ["points", "roads.shp"]
    (out / "roads.shp").unlink()  # a sweep's folder (points/, hidden lock) is still replaced
    (out / LOCK_FILE).write_text("")
    write_directory(out, fill_with("x"), overwrite=True)
    assert label(out) == "x" and names(tmp_path) == ["gis"]


def test_overwrite_replaces_an_empty_directory(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert write_directory(out, fill_with("x"), overwrite=True).previous is None
    assert label(out) == "x" and names(tmp_path) == ["empty"]


@pytest.mark.parametrize("wording", list(WORDINGS))
@pytest.mark.parametrize("given", [".", "..", "absolute"])
def test_overwrite_never_replaces_a_directory_holding_the_current_one(given, wording, tmp_path, monkeypatch):
    """'--out . --overwrite' failed halfway ("Device or resource busy"); the full path deleted it all."""
    mine = tmp_path / "mine"
    (mine / "here").mkdir(parents=True)
    (mine / "thesis.tex").write_text("precious")
    monkeypatch.chdir(mine / "here" if given == ".." else mine)
    out = mine if given == "absolute" else Path(given)
    with pytest.raises(ResultsError) as refused, _worded(wording):
        write_directory(out, fill_with("x"), overwrite=True)
    out_arg, overwrite_arg = WORDINGS[wording]
    assert str(refused.value) == (
        f"output directory {out} holds the current directory, which {overwrite_arg} would delete with it; "
        f"choose another {out_arg}"
    )
    assert names(mine) == ["here", "thesis.tex"] and names(tmp_path) == ["mine"]


@pytest.mark.parametrize("verb", ["run", "compare"])
def test_overwrite_never_replaces_the_folder_of_the_scenario_it_reads(verb, tiny_scenario, tmp_path, capsys):
    """'run s.yaml --out <the scenario's folder> --overwrite' deleted the scenario with its folder."""
    from offloadsim.cli import main

    folder = tiny_scenario.parent
    given = ["--policies", "local,edge", "-n", "1"] if verb == "compare" else []
    code = main([verb, str(tiny_scenario), *given, "--out", str(folder), "--overwrite", "-q"])
    assert code == 2
    assert capsys.readouterr().err == (
        f"offloadsim: error: output directory {folder} holds {tiny_scenario}, which --overwrite would "
        "delete with it; choose another --out\n"
    )
    assert tiny_scenario.read_text().startswith("name: tiny")


@pytest.mark.parametrize("verb", ["run", "compare"])
def test_overwrite_never_replaces_a_result_holding_a_file_the_scenario_reads(
    verb, tmp_path, capsys, tiny_scenario_text
):
    """A trace kept in an earlier result's folder was deleted by '--out that-folder --overwrite'."""
    from offloadsim.cli import main

    folder = tmp_path / "earlier"
    write_directory(folder, fill_with("earlier"))
    trace = folder / "trace.csv"
    trace.write_text("time\n0\n0.5\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(tiny_scenario_text.replace("rate: 5 /s", f"arrivals: trace, trace: {trace}"))
    given = ["--policies", "local,edge", "-n", "1"] if verb == "compare" else []
    code = main([verb, str(scenario), *given, "--out", str(folder), "--overwrite", "-q"])
    assert (code, capsys.readouterr().err) == (
        2,
        f"offloadsim: error: output directory {folder} holds {trace}, which --overwrite would "
        "delete with it; choose another --out\n",
    )
    assert trace.read_text() == "time\n0\n0.5\n" and label(folder) == "earlier"


@pytest.mark.parametrize("round_", range(20))
def test_concurrent_writers_of_one_directory_lose_nothing(tmp_path, round_):
    out = tmp_path / "run"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            write_directory(out, fill_with(f"w{n}"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often: a writer's checks interleave with another's renames
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    kept = [label(tmp_path / n) for n in names(tmp_path)]
    assert sorted(kept) == [f"w{n}" for n in range(8)]  # every result landed somewhere
    assert names(tmp_path) == ["run", *(f"run.old-{i}" for i in range(1, 8))]


def test_a_rerun_never_moves_a_folder_from_under_a_sweep_that_locked_it_meanwhile(tmp_path, monkeypatch):
    """A run found a finished sweep in its folder, saw it was not in use, and a sweep of the folder (a rerun,
    adding points) locked it at that moment.

    The run moved the folder the sweep worked in to NAME.old-1, its own result took the name, and the
    sweep wrote its points into the run's result.  Now the move is made under the folder's lock: the
    run is refused (one line naming the sweep) and leaves nothing; the sweep keeps its folder.
    """
    out = tmp_path / "out"
    (out / "points").mkdir(parents=True)  # a finished sweep
    (out / "points" / "job.parquet").write_bytes(b"PAR1")
    real = outdir._holds_result
    filled: list[bool] = []
    sweep_lock: list = []

    def then_a_sweep_locks(path: Path) -> bool:
        holds = real(path)
        if filled and not sweep_lock:
            sweep_lock.append(directory_lock(out, "sweep more.yaml"))
            sweep_lock[0].__enter__()
        return holds

    def fill(tmp: Path) -> None:
        fill_with("run")(tmp)
        filled.append(True)

    monkeypatch.setattr(outdir, "_holds_result", then_a_sweep_locks)
    try:
        with pytest.raises(
            DirectoryLockedError, match=r"^output directory .* \(sweep more\.yaml, pid \d+ on "
        ):
            write_directory(out, fill)
        assert locked_by_another(out) and (out / "points" / "job.parquet").is_file()
        assert names(tmp_path) == ["out"]  # no partial directory, no out.old-1
    finally:
        for lock in sweep_lock:
            lock.__exit__(None, None, None)
    monkeypatch.undo()
    assert write_directory(out, fill_with("later")).previous == tmp_path / "out.old-1"
    assert names(tmp_path / "out.old-1") == ["points"]  # the sweep moved whole, its lock file gone


@pytest.mark.parametrize("round_", range(10))
def test_reruns_and_a_sweep_locking_one_folder_at_once_never_move_it_from_under_the_sweep(tmp_path, round_):
    """Eight writers of a result folder and a sweep that keeps taking its lock, threads switching often.

    While the sweep holds the lock, the folder it locked stays where it is; a writer is refused
    (one line) or lands, and no result is lost.
    """
    out = tmp_path / "run"
    write_directory(out, fill_with("w-first"))
    moved_under: list[str] = []
    errors: list[BaseException] = []
    refused: list[str] = []
    stop = threading.Event()

    def sweep() -> None:
        while not stop.is_set():
            try:
                with directory_lock(out, "sweep s.yaml"):
                    mine = os.stat(out / LOCK_FILE)
                    for _ in range(20):
                        time.sleep(0)
                        try:
                            now = os.stat(out / LOCK_FILE)
                        except FileNotFoundError:
                            now = None
                        if now is None or (now.st_dev, now.st_ino) != (mine.st_dev, mine.st_ino):
                            moved_under.append("moved")
            except ResultsError:
                time.sleep(0)

    def writer(n: int) -> None:
        try:
            write_directory(out, fill_with(f"w{n}"))
        except DirectoryLockedError:
            refused.append(f"w{n}")
        except BaseException as error:
            errors.append(error)

    sweeper = threading.Thread(target=sweep)
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        sweeper.start()
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
    finally:
        stop.set()
        sweeper.join()
        sys.setswitchinterval(interval)
    assert errors == [] and moved_under == []
    kept = sorted(label(tmp_path / n) for n in names(tmp_path))
    assert kept == sorted(["w-first", *(f"w{n}" for n in range(8) if f"w{n}" not in refused)])
    assert not any((tmp_path / n / LOCK_FILE).exists() for n in names(tmp_path))


def test_a_rerun_in_a_folder_where_no_lock_file_can_be_made_still_moves_the_earlier_result(
    tmp_path, monkeypatch
):
    """A read-only result folder (no lock file can be made there, so no sweep works there) was moved aside
    before the move took the lock; it still is, unless a lock file there is held."""
    out = tmp_path / "run"
    write_directory(out, fill_with("first"))

    def read_only(directory: Path, path: Path, fcntl: object) -> tuple[int, int]:
        raise outdir._LockFileRefused(f"cannot lock {directory}: Permission denied")

    monkeypatch.setattr(outdir, "_lock_file", read_only)
    assert write_directory(out, fill_with("second")).previous == tmp_path / "run.old-1"
    assert label(out) == "second" and label(tmp_path / "run.old-1") == "first"


def test_a_folder_a_failing_writer_removes_under_this_one_is_made_again(tmp_path, monkeypatch):
    """Two runs into one new folder: the other one fails and removes the folder it made (empty then).

    Here that happens after this writer made sure the folder exists and before its partial
    directory is in it: the write failed, 'cannot write results to ...: No such file or directory'.
    """
    out = tmp_path / "batch" / "run"
    real = outdir.clean_stale_partials
    removed: list[Path] = []

    def then_the_other_fails(directory: Path) -> list[Path]:
        cleaned = real(directory)
        if not removed:
            directory.rmdir()  # the other writer's remove_empty, as it fails
            removed.append(directory)
        return cleaned

    monkeypatch.setattr(outdir, "clean_stale_partials", then_the_other_fails)
    write_directory(out, fill_with("mine"))
    assert removed == [tmp_path / "batch"] and label(out) == "mine" and names(out.parent) == ["run"]


def test_a_writer_that_fails_after_making_the_folder_again_removes_it(tmp_path, monkeypatch):
    """The folder this writer had to make again is its own: its failure leaves nothing, as usual."""
    out = tmp_path / "batch" / "run"
    (tmp_path / "batch").mkdir()  # made by the other writer, which then fails and removes it
    real = outdir.clean_stale_partials

    def then_the_other_fails(directory: Path) -> list[Path]:
        cleaned = real(directory)
        if directory.exists():
            directory.rmdir()
        return cleaned

    def full(tmp: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outdir, "clean_stale_partials", then_the_other_fails)
    with pytest.raises(ResultsError, match="No space left on device"):
        write_directory(out, full)
    assert names(tmp_path) == []


def test_a_folder_that_goes_right_after_a_check_saw_it_is_not_called_a_file(tmp_path, monkeypatch):
    """The other writer removes the folder just after this one's 'it exists' and before 'is it a directory'.

    Two checks made a vanished folder look like a file: 'cannot write results to ...: ... is not a
    directory'.  One stat decides now, as for the result directory itself.
    """
    out = tmp_path / "batch" / "run"
    (tmp_path / "batch").mkdir()
    real = Path.exists
    gone: list[Path] = []

    def exists_then_removed(path: Path, *args, **kwargs) -> bool:
        there = real(path, *args, **kwargs)
        if there and not gone and path == out.parent.absolute():
            path.rmdir()  # the other writer, failing, removes the folder it made
            gone.append(path)
        return there

    monkeypatch.setattr(Path, "exists", exists_then_removed)
    write_directory(out, fill_with("mine"))
    monkeypatch.undo()
    assert label(out) == "mine"


def test_what_counts_as_no_directory(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "to-dir").symlink_to(tmp_path / "dir")
    assert not holds_non_directory(tmp_path / "dir")
    assert not holds_non_directory(tmp_path / "to-dir")
    assert not holds_non_directory(tmp_path / "missing")
    assert not holds_non_directory(tmp_path / "file" / "under")  # the parent's check says why
    assert holds_non_directory(tmp_path / "file")
    assert holds_non_directory(tmp_path / "dangling")


# --------------------------------------------------------------------------- leftovers of killed writers


def partial(directory: Path, pid: int, host: str | None = None, name: str = "run") -> Path:
    path = directory / f".{name}.partial-{host or outdir._host()}-{pid}-0123abcd"
    path.mkdir()
    (path / "tasks.parquet").write_bytes(b"PAR1")
    return path


def test_partials_of_dead_writers_are_removed_and_reported(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="offloadsim")
    dead = partial(tmp_path, dead_pid())
    live = partial(tmp_path, os.getppid(), name="other")  # our parent runs
    remote = partial(tmp_path, dead_pid(), host="another-host", name="remote")
    written = write_directory(tmp_path / "run", fill_with("new"))
    assert written.cleaned == (dead,)
    assert not dead.exists() and live.exists() and remote.exists()
    assert any(
        "removed 1 unfinished result directory left by killed runs" in r.getMessage() for r in caplog.records
    )


def test_legacy_partials_are_removed_only_once_old(tmp_path):
    old = tmp_path / ".run.partial-0123456789ab"
    recent = tmp_path / ".other.partial-ba9876543210"
    for path in (old, recent):
        path.mkdir()
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert clean_stale_partials(tmp_path) == [old]
    assert recent.exists()


def test_a_zombie_writer_counts_as_dead(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # exited but not reaped: a zombie
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            break
        time.sleep(0.01)
    try:
        leftover = partial(tmp_path, process.pid)
        assert clean_stale_partials(tmp_path) == [leftover]
    finally:
        process.wait()


# --------------------------------------------------------------------------- locks


def test_a_held_lock_refuses_another_holder_and_names_the_first(tmp_path):
    with directory_lock(tmp_path, "sweep a.yaml"):
        assert locked_by_another(tmp_path)
        with (
            pytest.raises(DirectoryLockedError, match=rf"sweep a\.yaml, pid {os.getpid()} on "),
            directory_lock(tmp_path, "sweep b.yaml"),
        ):
            pass
        with pytest.raises(DirectoryLockedError, match="in use by another offloadsim process"):
            write_directory(tmp_path, fill_with("x"))
    assert not locked_by_another(tmp_path)
    with directory_lock(tmp_path, "sweep b.yaml"):
        pass


def test_a_lock_held_a_moment_by_a_rerun_moving_the_folder_aside_is_waited_for(tmp_path):
    """A sweep that started as a rerun was moving the folder aside was refused ('in use by ... a rerun')."""
    taken = threading.Event()

    def rerun() -> None:
        with directory_lock(tmp_path, outdir.MOVING):
            taken.set()
            time.sleep(0.2)

    thread = threading.Thread(target=rerun)
    thread.start()
    try:
        assert taken.wait(30)
        started = time.monotonic()
        with directory_lock(tmp_path, "sweep a.yaml"):
            assert time.monotonic() - started > 0.1 and "sweep a.yaml" in (tmp_path / LOCK_FILE).read_text()
    finally:
        thread.join()


def test_the_lock_file_is_removed_when_its_holder_ends_however_it_ends(tmp_path):
    """A finished sweep leaves no .offloadsim.lock behind; a refused one leaves the holder's alone."""
    lock = tmp_path / LOCK_FILE
    with directory_lock(tmp_path, "sweep a.yaml"):
        assert lock.is_file()
        with pytest.raises(DirectoryLockedError), directory_lock(tmp_path, "sweep b.yaml"):
            pass
        assert lock.is_file() and locked_by_another(tmp_path)  # still the first holder's
    assert not lock.exists()
    with pytest.raises(KeyboardInterrupt), directory_lock(tmp_path, "sweep c.yaml"):
        raise KeyboardInterrupt
    assert not lock.exists()
    lock.write_text("left by a killed holder\n")  # SIGKILL leaves the file, unlocked: taken and removed
    with directory_lock(tmp_path, "sweep d.yaml"):
        assert "sweep d.yaml" in lock.read_text()
    assert not lock.exists()


def test_a_failing_holder_removes_what_it_made_only_while_no_other_holder_works_there(tmp_path, monkeypatch):
    """A holder that failed removes the empty folders it made as it lets go of the lock.

    Another holder (a sweep of the same new folder, started with it) may lock the moment the lock
    file goes: so the folders inside go before it (points/ the other makes again under its lock
    would otherwise go with them), and the folder itself after, kept by the other's lock file.
    """
    out = tmp_path / "new" / "out"
    created = outdir.missing_directories(out / "points")
    (out / "points").mkdir(parents=True)
    other: list = []
    real_unlink = Path.unlink

    def then_another_locks(self: Path, missing_ok: bool = False) -> None:
        real_unlink(self, missing_ok=missing_ok)
        if self.name == LOCK_FILE and not other:
            other.append(directory_lock(out, "sweep c.yaml", []))
            other[0].__enter__()
            (out / "points").mkdir(exist_ok=True)  # as a sweep does under its lock

    monkeypatch.setattr(Path, "unlink", then_another_locks)
    with pytest.raises(KeyboardInterrupt), directory_lock(out, "sweep a.yaml", created) as held:
        held.remove_created()
        raise KeyboardInterrupt
    monkeypatch.undo()
    try:
        assert len(other) == 1 and (out / "points").is_dir() and locked_by_another(out)
    finally:
        other[0].__exit__(None, None, None)


def test_a_holder_makes_its_folder_again_if_an_earlier_holder_removed_it(tmp_path):
    """Given the list of folders it made, the lock step makes a missing folder and adds it to the list."""
    out = tmp_path / "new" / "out"
    with (
        pytest.raises(ResultsError, match=r"cannot lock .*: No such file or directory"),
        directory_lock(out, "sweep a.yaml"),
    ):
        pass
    created: list[Path] = []
    with directory_lock(out, "sweep c.yaml", created) as held:
        assert locked_by_another(out)
        held.remove_created()
    assert created == [out, tmp_path / "new"] and not (tmp_path / "new").exists()


def test_a_holder_that_locked_a_lock_file_just_removed_takes_the_one_in_the_directory(tmp_path, monkeypatch):
    """Removing the file is safe only because a holder checks it locked the file the path names.

    Here the first file this holder opens and locks is removed by the previous holder in between
    (as it ends): holding it would hide this holder from every other process, which opens the path.
    """
    real = outdir._lock_file
    opened: list[int] = []

    def removed_after_opening(directory: Path, path: Path, fcntl: object) -> tuple[int, int]:
        fd, folder_fd = real(directory, path, fcntl)
        if not opened:
            path.unlink()  # the previous holder, ending, removes the file this one opened
        opened.append(fd)
        return fd, folder_fd

    monkeypatch.setattr(outdir, "_lock_file", removed_after_opening)
    with directory_lock(tmp_path, "sweep a.yaml"):
        assert len(opened) == 2  # it let go of the removed file and locked the new one
        assert locked_by_another(tmp_path)  # so another process sees it
        with pytest.raises(DirectoryLockedError), directory_lock(tmp_path, "sweep b.yaml"):
            pass


def test_a_lock_file_made_in_a_folder_just_moved_aside_is_removed_from_it(tmp_path, monkeypatch):
    """A holder found the folder, then a rerun moved it aside and removed its own lock file there.

    The file this holder then made (and locked) sits in the moved result, which the path no longer
    names: it takes the path's own file, and removes the stray one (a CI run once found it left).
    """
    out = tmp_path / "run"
    out.mkdir()
    real = outdir._lock_file
    opened: list[int] = []

    def moved_meanwhile(directory: Path, path: Path, fcntl: object) -> tuple[int, int]:
        fd, folder_fd = real(directory, path, fcntl)
        if not opened:
            os.rename(out, tmp_path / "run.old-1")  # the rerun moves the folder aside
            out.mkdir()  # and lands its own result
        opened.append(fd)
        return fd, folder_fd

    monkeypatch.setattr(outdir, "_lock_file", moved_meanwhile)
    with directory_lock(out, "sweep a.yaml"):
        assert len(opened) == 2
        assert not (tmp_path / "run.old-1" / LOCK_FILE).exists()
        assert locked_by_another(out)
    assert names(tmp_path) == ["run", "run.old-1"]
    assert not (out / LOCK_FILE).exists()


def test_holders_taking_and_removing_the_lock_in_a_loop_never_overlap(tmp_path):
    """Four threads (each its own open file, so flock sets them against each other) take turns."""
    inside = tmp_path / "inside"
    overlaps: list[str] = []
    taken = [0] * 4

    def contend(who: int) -> None:
        while taken[who] < 150:
            try:
                with directory_lock(tmp_path, f"holder {who}"):
                    try:
                        os.close(os.open(inside, os.O_CREAT | os.O_EXCL))
                    except FileExistsError:
                        overlaps.append(f"holder {who}")
                        continue
                    time.sleep(0)
                    inside.unlink()
                    taken[who] += 1
            except DirectoryLockedError:
                time.sleep(0)

    threads = [threading.Thread(target=contend, args=(who,)) for who in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert taken == [150] * 4 and not overlaps
    assert not (tmp_path / LOCK_FILE).exists()


HOLD_LOCK = """
import sys, time
from pathlib import Path
from offloadsim.outdir import directory_lock
with directory_lock(Path(sys.argv[1]), "holder"):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_the_lock_of_a_killed_holder_is_free(tmp_path):
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            assert locked_by_another(tmp_path)
        finally:
            holder.kill()
    assert not locked_by_another(tmp_path)
    with directory_lock(tmp_path, "next"):
        pass


# --------------------------------------------------------------------------- errors


def test_an_os_error_while_writing_is_one_line_and_leaves_nothing(tmp_path):
    def full(tmp: Path) -> None:
        (tmp / "tasks.parquet").write_bytes(b"PAR1")
        raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")

    with pytest.raises(ResultsError) as caught:
        write_directory(tmp_path / "deep" / "run", full)
    assert (
        str(caught.value) == f"cannot write results to {tmp_path / 'deep' / 'run'}: No space left on device"
    )
    assert names(tmp_path) == []


def test_an_out_path_with_a_nul_is_one_line():
    """``offloadsim.run(..., out="a\\0b")`` ended in os's ValueError (embedded null byte), exit 1."""
    with pytest.raises(ResultsError, match="out: a path cannot hold a NUL character"):
        outdir.check_out_dir("a\0b")


@pytest.mark.parametrize("verb", ["run", "compare"])
def test_a_file_system_with_no_storage_is_said_so_not_that_0_b_is_free(verb, tiny_scenario, capsys):
    """'--out /proc/foo' said "only 0 B is free" (as root, who may write anywhere): nothing can be written."""
    from offloadsim.cli import main

    if not hasattr(os, "statvfs") or not os.path.isdir("/proc") or os.statvfs("/proc").f_blocks != 0:
        pytest.skip("no /proc file system here")
    given = ["--policies", "local,edge", "-n", "1"] if verb == "compare" else []
    assert main([verb, str(tiny_scenario), *given, "--out", "/proc/offloadsim-out", "-q"]) == 2
    assert capsys.readouterr().err == (
        "offloadsim: error: cannot write results to /proc/offloadsim-out: /proc is on a file system with "
        "no storage (as /proc and /sys are): nothing can be written there\n"
    )


@pytest.mark.parametrize("verb", ["run", "compare", "sweep-dry-run", "plot", "validate-name"])
def test_a_name_too_long_for_the_file_system_is_one_line(verb, tiny_scenario, tmp_path, capsys):
    """A 300-character --out or results directory (ENAMETOOLONG, which is_dir() raises) was exit 1.

    ``validate`` of a scenario whose name made its default directory longer than PATH_MAX too:
    the room check's search for the folder above it raised.
    """
    from offloadsim.cli import main

    scenarios = Path(__file__).parents[1] / "scenarios"
    (tmp_path / "out").mkdir()
    long = tmp_path / "out" / ("y" * 300)
    shown = f"{str(long)[:60]}... ({len(str(long)):,} characters): File name too long"
    if verb == "validate-name":
        assert main(["validate", str(tiny_scenario), "--set", "name=" + "x" * 5000]) == 0
        assert capsys.readouterr().out.startswith("ok: ")
        return
    if verb == "plot":
        assert main(["plot", str(long)]) == 2
        assert capsys.readouterr().err == f"offloadsim: error: cannot read results at {shown}\n"
        return
    given = {
        "run": ["run", str(tiny_scenario), "-q"],
        "compare": ["compare", str(tiny_scenario), "--policies", "local,edge", "-n", "1", "-q"],
        "sweep-dry-run": ["sweep", str(scenarios / "sweep-split.yaml"), "--dry-run"],
    }[verb]
    assert main([*given, "--out", str(long)]) == 2
    assert capsys.readouterr().err == f"offloadsim: error: cannot write results to {shown}\n"
    assert names(tmp_path / "out") == []


@pytest.mark.parametrize("verb", ["run", "compare"])
def test_an_out_that_is_a_link_to_a_directory_gets_the_result_there_and_stays_a_link(
    verb, tiny_scenario, tmp_path, capsys
):
    """``--out LINK`` to a directory failed "cannot write results to LINK: Not a directory" after the
    whole run (the result was renamed onto the link); a sweep wrote through it. Now the target gets the
    result (an earlier one there moved aside, as always), and the link is left as it was."""
    from offloadsim.cli import main

    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    given = ["--policies", "local,edge", "-n", "1"] if verb == "compare" else []
    for _ in range(2):
        assert main([verb, str(tiny_scenario), *given, "--out", str(tmp_path / "link"), "-q"]) == 0
    assert (tmp_path / "link").is_symlink() and os.readlink(tmp_path / "link") == "real"
    assert (tmp_path / "real" / "manifest.json").is_file()
    assert (tmp_path / "real.old-1" / "manifest.json").is_file()
    assert "moved to" in capsys.readouterr().err


def test_an_out_that_is_a_loop_of_links_is_refused_before_the_run(
    tiny_scenario, tmp_path, capsys, monkeypatch
):
    from offloadsim import api
    from offloadsim.cli import main

    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    monkeypatch.setattr(api, "run", lambda *a, **k: pytest.fail("ran before refusing its --out"))
    assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "a"), "-q"]) == 2
    assert (
        capsys.readouterr().err
        == f"offloadsim: error: output path {tmp_path / 'a'} is a loop of symbolic links\n"
    )
