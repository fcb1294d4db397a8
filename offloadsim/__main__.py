"""``python -m offloadsim``: the command line.

The cycle collector is held from the first line, not only from :func:`~offloadsim.cli.entry`:
importing the command line's modules ran it about twenty times over objects that are
not garbage (start-up, issue 12 e). ``entry`` keeps it held for ``run`` and ``validate``
and lets it run again at once for every other command (:mod:`offloadsim.startup`).
"""

from offloadsim.startup import hold_collector

hold_collector()

from offloadsim.cli import entry  # noqa: E402 - after the collector is held

entry()
