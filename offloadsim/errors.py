"""The user error every layer may raise: a request that cannot be carried out, said in one line.

The command line reports it (and its subclasses) with exit status 2 and no
traceback.  It lives at the bottom of the package so that the layer reading
results (records) and the plots can raise it without importing the runner.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from contextvars import ContextVar

from offloadsim.unseen import SHOWN_HEAD, SHOWN_MAX, escape_unseen, shown_text

__all__ = [
    "MAX_INDEX",
    "SHOWN_HEAD",
    "SHOWN_MAX",
    "RunError",
    "LookupMessage",
    "argument",
    "as_flags",
    "naming_flags",
    "message_lines",
    "shown_path",
    "shown_text",
    "user_errors",
]

# Seeds and replication indices are stored as 64-bit signed integers (records; the scenario schema's
# seed has the same bound): the command line and the Python entry points check them against it.
MAX_INDEX = 2**63 - 1


class RunError(ValueError):
    """A run request that cannot be carried out (missing file, unknown policy); message is one line."""


class LookupMessage(KeyError):
    """A ``KeyError`` whose ``str()`` is its message: a name looked up and not found, said in one line.

    A plain ``KeyError``'s ``str()`` is the repr of its argument, so a message read
    ``'"a10" is not a known profile ...'``, quotes and escapes and all.  A subclass of ``KeyError``,
    so ``except KeyError`` still catches it.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


#: Whether the arguments a message names are the command line's flags (``--out``), set by :func:`as_flags`;
#: else Python's keyword arguments (``out``), as a caller of :func:`offloadsim.run` wrote them.
_FLAGS: ContextVar[bool] = ContextVar("offloadsim_flags", default=False)


def argument(name: str, value: object = None, *, flag: str | None = None, unit: str = "") -> str:
    """The argument ``name`` (a Python keyword) as the user gave it, for a message about it.

    The command line's flag within :func:`as_flags` (``--out``, ``--out DIR``, ``--overwrite`` for
    ``True``), else the keyword (``out``, ``out=DIR``, ``overwrite=True``): a Python caller was told
    to "choose another --out".  One place decides the wording, so a check says it once for both.
    ``flag``: the flag's name where it is not the keyword's (``from`` for ``from_s``); ``unit``: said
    after a value on the command line only, whose flags take quantities with units, where the
    keyword's name says its unit (``bin_s=0.5``, ``--bin 0.5 s``).

    >>> argument("out"), argument("overwrite", True), argument("from_s", 2.5, flag="from", unit="s")
    ('out', 'overwrite=True', 'from_s=2.5')
    >>> with as_flags():
    ...     argument("out", "DIR"), argument("from_s", 2.5, flag="from", unit="s")
    ('--out DIR', '--from 2.5 s')
    """
    shown = None if value is None or value is True else shown_text(str(value))
    if not _FLAGS.get():
        return name if value is None else f"{name}={shown or value}"
    option = "--" + (flag or name).replace("_", "-")
    if shown is None:
        return option
    return f"{option} {shown} {unit}" if unit else f"{option} {shown}"


def naming_flags() -> bool:
    """Whether messages now name arguments as the command line's flags (within :func:`as_flags`).

    A command's jobs run in other processes, where the flag context is not: they ask it here and
    run within :func:`as_flags` there too (``offloadsim.experiments.executors``).
    """
    return _FLAGS.get()


@contextlib.contextmanager
def as_flags() -> Iterator[None]:
    """Within it, messages name arguments as the command line's flags (:func:`argument`).

    The command line runs each verb in it; a Python call outside it is told of its keyword arguments.
    """
    token = _FLAGS.set(True)
    try:
        yield
    finally:
        _FLAGS.reset(token)


def shown_path(path: object) -> str:
    """``path`` as a one-line message shows it: whole up to 80 characters, else its first 60 and length."""
    return shown_text(str(path))


def message_lines(error: BaseException) -> list[str]:
    r"""The lines saying ``error`` after ``offloadsim: error:``: one per problem it lists, else one.

    An error is one line (a scenario's lists one problem a line, ``problems``), but the user's text
    it echoes may hold a newline (``--where $'policy=lo\ncal'``), which split one message into two
    ``offloadsim: error:`` lines, the second read as a message of its own; or an escape or a
    right-to-left override, which the terminal acts on.  Each line has them escaped
    (:func:`offloadsim.unseen.escape_unseen`): the command line's one place printing errors.

    >>> message_lines(ValueError("--where policy=lo\ncal: no rows have that value"))
    ['--where policy=lo\\ncal: no rows have that value']
    """
    problems = getattr(error, "problems", None)  # a ScenarioError's (the scenario layer sits above)
    if isinstance(problems, list) and problems:
        texts = [str(problem) for problem in problems]
    else:
        texts = [str(error) or type(error).__name__]
    return [escape_unseen(text) for text in texts]


def user_errors() -> tuple[type[BaseException], ...]:
    """Exception types that mean the user asked for something wrong (exit 2, no traceback).

    The command line's reading, and a sweep's: ``failures.log`` holds a failed job's one line
    for one of these (a bad trace at a grid point), a traceback for a bug.

    Only modules already imported are consulted: an exception can only come
    from a loaded module, and importing more here would slow every error.
    """
    found: list[type[BaseException]] = []
    for module, name in (
        ("offloadsim.errors", "RunError"),
        ("offloadsim.outdir", "ResultsError"),
        ("offloadsim.scenario.errors", "ScenarioError"),
        ("offloadsim.world", "WorldError"),
        ("offloadsim.cli.worlds", "WorldRefused"),
        ("offloadsim.world.profiles.calibrated", "ProfileError"),
        ("offloadsim.calibration.errors", "CalibrationError"),
        (
            "offloadsim.engine.errors",
            "EngineError",
        ),  # where it is defined: a worker's, unpickled, imports that
        ("offloadsim.policies.registry", "UnknownPolicyError"),
        ("offloadsim.policies.registry", "PolicyParamError"),
        ("offloadsim.models.registry", "UnknownModelError"),
    ):
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            found.append(cls)
    return tuple(found)
