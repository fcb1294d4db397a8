"""The user error every layer may raise: a request that cannot be carried out, said in one line.

The command line reports it (and its subclasses) with exit status 2 and no
traceback.  It lives at the bottom of the package so that the layer reading
results (records) and the plots can raise it without importing the runner.
"""

from __future__ import annotations

__all__ = ["MAX_INDEX", "RunError", "LookupMessage", "shown_path"]

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


def shown_path(path: object) -> str:
    """``path`` as a one-line message shows it: whole up to 80 characters, else its first 60 and length."""
    text = str(path)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"
