"""Device profiles: how fast a named processor runs a stage.

Two kinds: *derived* profiles (:data:`BUILTIN_PROFILES`: a vendor's published
peaks scaled by a utilisation factor typical of DNN inference) and
*calibrated* ones (:mod:`offloadsim.calibration`: per-layer costs fitted to
kernels timed on one machine), found by name along
:func:`profile_search_path`.
"""

from __future__ import annotations

from offloadsim.world.profiles.builtin import (
    BUILTIN_PROFILES,
    Profile,
    UnknownProfileError,
    available_profiles,
    get_profile,
    profile_file,
    unknown_profile_message,
)
from offloadsim.world.profiles.search import (
    PROFILE_PATH_ENV,
    SHIPPED_PROFILE_DIR,
    describe_search,
    profile_search_path,
    user_profile_dir,
)

__all__ = [
    "BUILTIN_PROFILES",
    "PROFILE_PATH_ENV",
    "SHIPPED_PROFILE_DIR",
    "Profile",
    "UnknownProfileError",
    "available_profiles",
    "describe_search",
    "get_profile",
    "profile_file",
    "profile_search_path",
    "unknown_profile_message",
    "user_profile_dir",
]
