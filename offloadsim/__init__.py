"""offloadsim: where should each piece of an inference run, and what does it cost?

A discrete-event simulator of edge/cloud offloading for AI inference.  The
public entry point is :func:`run`; the command line is ``offloadsim``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
