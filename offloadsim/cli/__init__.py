"""The ``offloadsim`` command line as a package: one module per verb group, thin over the library.

:mod:`~offloadsim.cli.main` holds the parser, the error discipline and the
scenario verbs (run, validate, schema, policies, models);
:mod:`~offloadsim.cli.experiments` compare, sweep and plot;
:mod:`~offloadsim.cli.calibrate` calibrate; :mod:`~offloadsim.cli.profiles`
profiles; :mod:`~offloadsim.cli.types` the argument types they share.
"""

from __future__ import annotations

from offloadsim.cli.main import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    build_parser,
    entry,
    main,
)

__all__ = [
    "main",
    "entry",
    "build_parser",
    "EXIT_OK",
    "EXIT_INTERNAL",
    "EXIT_USAGE",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_BROKEN_PIPE",
]
