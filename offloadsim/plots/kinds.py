"""The figure kinds of ``offloadsim plot``, in a module that imports nothing.

The command line lists them when it builds its parser, which must not pull
in matplotlib for every command.
"""

__all__ = ["KINDS", "QUANTITY_AXES"]

KINDS = (
    "cdf",
    "bars",
    "sweep",
    "split",
    "energy",
    "utilisation",
    "utilisation-time",
    "timeline",
    "latency-time",
)

#: The axes of each kind that measure a quantity (and so carry a unit, and one range on every panel
#: of a faceted figure); the others are categories (policies, nodes, a timeline's task rows).
QUANTITY_AXES = {
    "cdf": "xy",
    "bars": "y",
    "sweep": "xy",
    "split": "xy",
    "energy": "xy",
    "utilisation": "y",
    "utilisation-time": "xy",
    "timeline": "x",
    "latency-time": "xy",
}
