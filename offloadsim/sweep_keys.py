"""The sections a sweep file may have: one list for the sweep reader and the command line's help.

It lives in a module of its own, importing nothing, so that ``offloadsim sweep --help`` can list
the sections the reader (:mod:`offloadsim.experiments.sweep_spec`) accepts without importing it (and
pandas with it), and the two cannot drift apart.
"""

from __future__ import annotations

__all__ = ["SWEEP_KEYS"]

#: Keys a sweep file may have, in the order the documentation and the help list them.
SWEEP_KEYS = ("name", "description", "base", "set", "grid", "zip", "policies", "replications", "labels")
