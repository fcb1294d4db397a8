"""A doc's session: a fresh copy of the repository in which its blocks run in order, as a reader's would.

The copy holds the repository's tracked files (as a fresh clone would) and the
code under test is imported from it. ``offloadsim``, ``python`` and ``python3``
on the ``PATH``, and ``.venv/bin/{python,offloadsim,activate}`` inside the copy,
run the interpreter that runs the tests, so "install, then run" means "run in
the environment under test".
"""

from __future__ import annotations

import doctest
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from markdown_blocks import ROOT, Block, Command

COMMAND_TIMEOUT_S = 900
_INSTALL_STEP = re.compile(r"(-m venv|\bpip install)\b")


@dataclass
class Outcome:
    """What one run of a block or command did: ``ok`` and, when not, why."""

    ok: bool
    report: str = ""


def copy_repository(target: Path) -> None:
    """Copy the repository's tracked files to ``target`` (every file, if git cannot list them)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        ignore = shutil.ignore_patterns(".git", ".venv", "results", "__pycache__", "*.egg-info", ".*cache*")
        shutil.copytree(ROOT, target, ignore=ignore)
        return
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _shim(path: Path, command: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    path.chmod(0o755)


class DocSession:
    """The directory, shell environment and Python session in which one doc's blocks run."""

    def __init__(self, doc: str, base: Path):
        self.doc = doc
        self.dir = base / "repo"
        self.dir.mkdir(parents=True)
        copy_repository(self.dir)
        bin_dir = base / "bin"
        python = sys.executable
        for name, command in (
            ("python", python),
            ("python3", python),
            ("offloadsim", f"{python} -m offloadsim"),
        ):
            _shim(bin_dir / name, command)
            if name != "python3":
                _shim(self.dir / ".venv" / "bin" / name, command)
        (self.dir / ".venv" / "bin" / "activate").write_text(
            f'PATH="{self.dir}/.venv/bin:$PATH"; export PATH\n'
        )
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(self.dir),
            "MPLBACKEND": "Agg",
            "XDG_DATA_HOME": str(base / "xdg-data"),  # profiles a doc writes stay in its session
            "XDG_CACHE_HOME": str(base / "xdg-cache"),
            "OFFLOADSIM_DOC_TEST": "1",
        }
        self.env.pop("OFFLOADSIM_PROFILE_PATH", None)
        # The copy has no byte code; with PYTHONDONTWRITEBYTECODE set (as where the suite ran) every
        # command compiled the package anew, about 0.2 s of CPU each: the first now writes it here.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.log = base / "python-session.log"
        self._worker: subprocess.Popen[str] | None = None
        self._replies: int | None = None
        self.done: dict[str, Outcome] = {}

    # --- shell -------------------------------------------------------------------------------

    def shell(self, command: str, prelude: str = "", timeout_s: float = COMMAND_TIMEOUT_S) -> Outcome:
        """Run one command in bash in the session directory; ``ok`` when it exits 0."""
        result = self._bash(command, prelude, timeout_s)
        if result.returncode == 0:
            return Outcome(True)
        return Outcome(False, f"$ {command}\nexit status {result.returncode}\n{result.stdout}")

    def console(self, command: Command, timeout_s: float = COMMAND_TIMEOUT_S) -> Outcome:
        """Run a ``$ command`` of a console block and compare its exit status and output with the doc's."""
        result = self._bash(command.text, "", timeout_s)
        expected = command.expected
        wanted = 2 if expected is not None and re.search(r"^offloadsim: error:", expected, re.M) else 0
        problems = []
        if result.returncode != wanted:
            problems.append(f"exit status {result.returncode}, the doc implies {wanted}")
        if expected is not None:
            checker = doctest.OutputChecker()
            got = "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"
            if not checker.check_output(expected, got, doctest.ELLIPSIS):
                example = doctest.Example(command.text, expected)
                problems.append(checker.output_difference(example, got, doctest.ELLIPSIS))
        if not problems:
            return Outcome(True)
        return Outcome(
            False, f"$ {command.text}\n" + "\n".join(problems) + f"\n--- output ---\n{result.stdout}"
        )

    def _bash(self, command: str, prelude: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
        script = f"{prelude}\n{command}\n" if prelude else command
        try:
            return subprocess.run(
                ["bash", "-c", script],
                cwd=self.dir,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            output = error.stdout.decode(errors="replace") if isinstance(error.stdout, bytes) else ""
            return subprocess.CompletedProcess(command, -9, f"timed out after {timeout_s:.0f} s\n{output}")

    # --- python ------------------------------------------------------------------------------

    def python(self, block: Block, timeout_s: float = COMMAND_TIMEOUT_S) -> Outcome:
        """Run a python block in the doc's interpreter: as a doctest when it has ``>>>``."""
        mode = "doctest" if re.search(r"^\s*>>>", block.text, re.M) else "exec"
        request = {"mode": mode, "code": block.text, "name": block.doc, "line": block.line}
        worker = self._python_worker()
        assert worker.stdin is not None and self._replies is not None
        worker.stdin.write(json.dumps(request) + "\n")
        worker.stdin.flush()
        ready, _, _ = select.select([self._replies], [], [], timeout_s)
        line = self._read_reply() if ready else ""
        if not line:
            self.close()
            return Outcome(False, f"the Python session died or timed out\n{self._log_tail()}")
        reply = json.loads(line)
        return Outcome(bool(reply["ok"]), str(reply["report"]) + ("" if reply["ok"] else self._log_tail()))

    def _python_worker(self) -> subprocess.Popen[str]:
        if self._worker is None or self._worker.poll() is not None:
            read_end, write_end = os.pipe()
            with self.log.open("a") as log:
                self._worker = subprocess.Popen(
                    [sys.executable, str(Path(__file__).with_name("python_worker.py")), str(write_end)],
                    cwd=self.dir,
                    env=self.env,
                    stdin=subprocess.PIPE,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    text=True,
                    pass_fds=(write_end,),
                )
            os.close(write_end)
            self._replies = read_end
            self._buffer = b""
        return self._worker

    def _read_reply(self) -> str:
        assert self._replies is not None
        while b"\n" not in self._buffer:
            chunk = os.read(self._replies, 65536)
            if not chunk:
                return ""
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def _log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        tail = self.log.read_text(errors="replace").splitlines()[-lines:]
        return "\n--- the session's output (last lines) ---\n" + "\n".join(tail) if tail else ""

    def close(self) -> None:
        """Stop the Python session, if one is running."""
        if self._worker is not None:
            if self._worker.stdin is not None:
                self._worker.stdin.close()
            try:
                self._worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._worker.kill()
                self._worker.wait()
            self._worker = None
        if self._replies is not None:
            os.close(self._replies)
            self._replies = None

    # --- files and formats -------------------------------------------------------------------

    def write(self, block: Block) -> Outcome:
        """Write the block to the path its ``write`` marker names, inside the session."""
        target = self.dir / block.markers["write"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text)
        return Outcome(True)

    def yaml(self, block: Block) -> Outcome:
        """Validate a scenario, or a scenario fragment (per line with the ``lines`` marker)."""
        from offloadsim.scenario import ScenarioError

        texts = [
            line for line in block.text.splitlines() if line.strip() and not line.lstrip().startswith("#")
        ]
        problems = []
        for text in texts if "lines" in block.markers else [block.text]:
            try:
                check_scenario_yaml(text, self.dir, block.id)
            except (ScenarioError, ValueError) as error:
                problems.append(f"{text.strip()[:80]}...\n  {error}")
        return Outcome(not problems, "\n".join(problems))

    def toml(self, block: Block) -> Outcome:
        """Parse the block; an entry-points table must use the policy entry-point group."""
        from offloadsim.policies.registry import ENTRY_POINT_GROUP

        try:
            document = tomllib.loads(block.text)
        except tomllib.TOMLDecodeError as error:
            return Outcome(False, f"not valid TOML: {error}")
        groups = document.get("project", {}).get("entry-points", {})
        if groups and ENTRY_POINT_GROUP not in groups:
            return Outcome(False, f"entry points {sorted(groups)} do not include {ENTRY_POINT_GROUP!r}")
        return Outcome(True)

    def usage(self, block: Block) -> Outcome:
        """Every ``--option`` of a synopsis must appear in the ``--help`` of its command."""
        problems = []
        for verb, options in synopsis_options(block.text):
            help_text = self._bash(f"{verb} --help", "", 120)
            if help_text.returncode != 0:
                problems.append(f"`{verb} --help` failed:\n{help_text.stdout}")
                continue
            missing = [
                o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", help_text.stdout)
            ]
            if missing:
                problems.append(f"`{verb} --help` has no {', '.join(missing)}")
        return Outcome(not problems, "\n".join(problems))


def install_free(command: str) -> str:
    """``python3 -m venv .venv && pip install ... && X`` → ``X``: the environment is already installed."""
    steps = [step for step in command.split("&&") if not _INSTALL_STEP.search(step)]
    return " && ".join(step.strip() for step in steps)


def synopsis_options(text: str) -> list[tuple[str, list[str]]]:
    """Each command of a synopsis (``offloadsim run FILE [--seed N] ...``) and the options it shows."""
    commands: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        words = line.split()
        if words and words[0] == "offloadsim":
            verb = []
            for word in words:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                verb.append(word)
            commands.append((" ".join(verb), []))
        if commands:
            commands[-1][1].extend(re.findall(r"(?<![\w-])--[a-z][a-z-]*", line))
    return commands


def check_scenario_yaml(text: str, base_dir: Path, source: str) -> None:
    """Load a whole scenario; check a fragment's sections against the schema and its policy."""
    from pydantic import ValidationError

    from offloadsim.api import check_policy
    from offloadsim.scenario import ScenarioError, load_scenario_text
    from offloadsim.scenario.schema import scenario_doc
    from offloadsim.scenario.translate import problems_from_validation
    from offloadsim.scenario.yamlio import parse_yaml

    document, problems = parse_yaml(text, source)  # the scenario reader: duplicate keys are errors
    if problems:
        raise ScenarioError(problems)
    if not isinstance(document, dict):
        raise ValueError(f"expected a mapping, got {type(document).__name__}")
    if "name" in document and "nodes" in document:
        scenario = load_scenario_text(text, source, base_dir)
        if "dynamics" in document or "network" in document:  # their kinds and models are the world's
            from offloadsim.world import build_world

            build_world(scenario)
        return
    try:
        scenario_doc().model_validate({"name": "fragment", **document}, context={"base_dir": base_dir})
    except ValidationError as error:
        raise ScenarioError(problems_from_validation(error, source)) from None
    if "policy" in document:
        from offloadsim.scenario.model import PolicySpec

        policy = document["policy"]
        name, params = (policy, {}) if isinstance(policy, str) else (policy["name"], dict(policy))
        params.pop("name", None)
        check_policy(PolicySpec(name, params))
