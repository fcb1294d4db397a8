"""The note that a testbed run's profile was calibrated on another CPU than the one it measured.

The testbed measures this machine's CPU and predicts with a calibrated profile: the shipped
default (``epyc-ort-1t``) on an Intel host predicted MobileNetV2's compute 20 % off without a
word, though ``offloadsim run`` says the same of the same profile. The words are that note's
(:func:`offloadsim.world.profiles.another_cpu.another_cpu_note`); only what follows differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["MEASURED_HERE", "profile_note"]

#: What follows for a testbed run: its predictions set that CPU's compute against this one's.
MEASURED_HERE = (
    "the testbed measures this machine, so the predicted compute times are that CPU's (calibrate "
    "this one: offloadsim calibrate --threads 1 --name NAME, then --profile NAME)"
)


def profile_note(profile: Any, machine: Mapping[str, Any] | None = None) -> str | None:
    """The line when calibrated ``profile`` may have timed another CPU than ``machine``'s (None: this one).

    ``machine`` is a testbed manifest's (``cpu_model`` and the ``cpu`` fingerprint).
    """
    from offloadsim.host import cpu_model
    from offloadsim.world.profiles.another_cpu import another_cpu_note

    if machine is None:
        return another_cpu_note(profile, cpu_model(), then=MEASURED_HERE)
    fingerprint = machine.get("cpu")
    here = str(machine.get("cpu_model") or "an unnamed CPU")
    return another_cpu_note(
        profile, here, fingerprint=fingerprint if isinstance(fingerprint, Mapping) else {}, then=MEASURED_HERE
    )
