"""Writing a calibrated profile: the file the world reads (:mod:`offloadsim.world.profiles.calibrated`).

The offline tool is the only writer; the format, loading and prediction live
with the world, which never imports calibration.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from offloadsim.outdir import write_text
from offloadsim.world.profiles.calibrated import CalibratedProfile, Timing
from offloadsim.world.profiles.cost_model import group_chain

__all__ = ["group_spreads", "save_profile"]


def group_spreads(timings: Iterable[Timing]) -> dict[str, float]:
    """Median relative spread of the timings in each cost-model group."""
    by_group: dict[str, list[float]] = {}
    for t in timings:
        for g in group_chain(t.unit):
            by_group.setdefault(g, []).append(t.spread)
    return {g: float(np.median(v)) for g, v in by_group.items()}


def save_profile(profile: CalibratedProfile, path: str | os.PathLike[str]) -> Path:
    """Write ``profile`` as JSON (or YAML for a ``.yaml``/``.yml`` path), atomically."""
    path = Path(path)
    data = profile.to_dict()
    if path.suffix in (".yaml", ".yml"):  # as load_profile reads it back: a name "1e9" stays text
        from offloadsim.strict_yaml import dump_yaml

        text = dump_yaml(data, sort_keys=False)
    else:
        text = json.dumps(data, indent=1) + "\n"
    return write_text(text, path)
