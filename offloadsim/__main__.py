"""``python -m offloadsim``: the command line."""

from offloadsim.cli import entry

entry()
