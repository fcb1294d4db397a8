"""The note that a calibrated profile may have timed another CPU than the one it is set against.

One piece of code for every verb that says it: ``run``/``validate`` (a world's profile notes, against
this machine) and the testbed (against the machine that ran it, whose compute it predicts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SIMULATES", "another_cpu_note"]

#: What a new user must read first: the numbers are that CPU's, whichever machine runs the simulator
#: (read as if the results depended on the machine running them).
SIMULATES = (
    "results simulate that CPU, whatever machine runs the simulator "
    "(run offloadsim calibrate to simulate yours)"
)


def another_cpu_note(
    profile: Any, here: str, *, fingerprint: Mapping[str, Any] | None = None, then: str = SIMULATES
) -> str | None:
    """A line when calibrated ``profile`` may have measured another CPU than the one named ``here``.

    The model names differ; or they are equal (cloud VMs report generic ones,
    ``AMD EPYC``) and the profile's fingerprint (``provenance.cpu``, see
    :func:`offloadsim.host.cpu_fingerprint`) differs from ``fingerprint``
    (None: this machine's), or shares nothing with it to compare (profiles
    calibrated before it was recorded). ``then`` says what follows from it.
    """
    from offloadsim.host import cpu_fingerprint, fingerprint_differences
    from offloadsim.suggest import quoted

    provenance = profile.provenance
    measured_on = provenance.get("cpu_model")
    if not measured_on:
        return None
    date = str(provenance.get("date", "?"))[:10]
    name = quoted(profile.name)
    if measured_on != here:
        on = f"profile {name} was calibrated on {measured_on} ({date}), not on this machine's {here}: "
        return on + then
    there = provenance.get("cpu")
    there = there if isinstance(there, dict) else {}  # a hand-edited file's junk: nothing to compare
    mine = cpu_fingerprint() if fingerprint is None else fingerprint
    differences, compared = fingerprint_differences(there, mine if isinstance(mine, Mapping) else {})
    if differences:
        return (
            f"profile {name} was calibrated on another {measured_on} than this machine's "
            f"({date}; {'; '.join(differences)}): {then}"
        )
    if not compared:
        return f"profile {name} was calibrated on a CPU named {measured_on} ({date}): {then}"
    return None
