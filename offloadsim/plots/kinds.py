"""The figure kinds of ``offloadsim plot``, in a module that imports nothing.

The command line lists them when it builds its parser, which must not pull
in matplotlib for every command.
"""

__all__ = ["KINDS"]

KINDS = ("cdf", "bars", "sweep", "split", "energy", "utilisation", "utilisation-time", "timeline")
