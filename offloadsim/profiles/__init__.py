"""Device profiles: how fast a named processor runs a stage.

For now every shipped profile is *derived*: an effective FLOP/s figure from
the vendor's published peak and a utilisation factor typical of DNN
inference.  Calibrated, per-layer profiles replace them where measured.
"""

from __future__ import annotations

from offloadsim.profiles.builtin import BUILTIN_PROFILES, Profile, available_profiles, get_profile

__all__ = ["BUILTIN_PROFILES", "Profile", "available_profiles", "get_profile"]
