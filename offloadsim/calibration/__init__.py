"""Calibration, an offline tool: time real kernels here, fit a per-layer cost model, write a profile.

The pipeline (``offloadsim calibrate`` runs it):

1. :mod:`offloadsim.world.profiles.fusion`: the distinct units (a layer plus
   the layers the backend fuses into it) of the chosen models
   (:mod:`~offloadsim.calibration.specs`);
2. :mod:`~offloadsim.calibration.kernels` / :mod:`~offloadsim.calibration.timing`:
   each unit built as a real kernel and timed (warm-up, repeats, median and
   spread), cached on disk so an interrupted run resumes;
3. :mod:`~offloadsim.calibration.fit`: a non-negative linear cost model per
   op group (:mod:`offloadsim.world.profiles.cost_model`), with its fit errors;
4. :mod:`~offloadsim.calibration.profile`: the profile file written, with its
   provenance and trust record (:mod:`~offloadsim.calibration.trust`);
5. :mod:`~offloadsim.calibration.report`: whole models timed end to end
   against the sum of per-layer predictions.

The runtime never imports this package: the world reads the profile file
itself (:mod:`offloadsim.world.profiles.calibrated`, whose
``CalibratedProfile.layer_seconds(graph)`` the engine costs layers with).
"""

from __future__ import annotations

from offloadsim.calibration.errors import CalibrationError
from offloadsim.calibration.fit import fit_cost_model, fit_group, nnls
from offloadsim.calibration.pipeline import (
    calibrate,
    default_cache_dir,
    fit_layout_correction,
)
from offloadsim.calibration.profile import save_profile
from offloadsim.calibration.specs import ModelSpec, resolve_models
from offloadsim.calibration.timing import TimingCache, measure, time_units

__all__ = [
    "CalibrationError",
    "ModelSpec",
    "TimingCache",
    "calibrate",
    "default_cache_dir",
    "fit_cost_model",
    "fit_group",
    "fit_layout_correction",
    "measure",
    "nnls",
    "resolve_models",
    "save_profile",
    "time_units",
]
