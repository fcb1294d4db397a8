"""Calibration: time real kernels on this machine, fit a per-layer cost model, write a device profile.

The pipeline (``offloadsim calibrate`` runs it):

1. :mod:`~offloadsim.calibration.units`: the distinct units (a layer plus the
   layers the backend fuses into it) of the chosen models;
2. :mod:`~offloadsim.calibration.kernels` / :mod:`~offloadsim.calibration.timing`:
   each unit built as a real kernel and timed (warm-up, repeats, median and
   spread), cached on disk so an interrupted run resumes;
3. :mod:`~offloadsim.calibration.fit`: a non-negative linear cost model per
   op group, with its fit errors;
4. :mod:`~offloadsim.calibration.profile`: the :class:`CalibratedProfile`
   (JSON with provenance) whose ``layer_seconds(graph)`` the engine reads;
5. :mod:`~offloadsim.calibration.report`: whole models timed end to end
   against the sum of per-layer predictions.
"""

from __future__ import annotations

from offloadsim.calibration.errors import CalibrationError
from offloadsim.calibration.fit import CostModel, GroupFit, fit_cost_model, fit_group, nnls
from offloadsim.calibration.pipeline import (
    DEFAULT_HOLDOUT,
    DEFAULT_MODELS,
    ModelSpec,
    calibrate,
    default_cache_dir,
    fit_layout_correction,
    resolve_models,
)
from offloadsim.calibration.profile import (
    CalibratedProfile,
    find_profile,
    list_profiles,
    load_profile,
    save_profile,
)
from offloadsim.calibration.timing import Timing, TimingCache, measure, time_units
from offloadsim.calibration.units import NO_FUSION, ORT_FUSION, FusionRules, LayerConfig, Unit, distinct_units

__all__ = [
    "DEFAULT_HOLDOUT",
    "DEFAULT_MODELS",
    "NO_FUSION",
    "ORT_FUSION",
    "CalibratedProfile",
    "CalibrationError",
    "CostModel",
    "FusionRules",
    "GroupFit",
    "LayerConfig",
    "ModelSpec",
    "Timing",
    "TimingCache",
    "Unit",
    "calibrate",
    "default_cache_dir",
    "distinct_units",
    "find_profile",
    "fit_cost_model",
    "fit_group",
    "fit_layout_correction",
    "list_profiles",
    "load_profile",
    "measure",
    "nnls",
    "resolve_models",
    "save_profile",
    "time_units",
]
