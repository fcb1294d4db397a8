"""What of a scenario document decides its records: what the hashes naming a run and a job cover.

A run's manifest ``scenario_hash`` and a sweep's (or comparison's) job keys hash the validated
document, so that a job is reused only where its records would be the same.  ``skip_checks``
chooses which scenario checks look for warnings before the run; a skipped check warns of
nothing and refuses nothing (the ``policy`` check, which refuses, cannot be skipped), so it
changes no record: adding it to a sweep's base scenario must not rerun the finished jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["NOT_SIMULATED", "simulated_document"]

#: Top-level scenario keys that change no record, left out of a run's and a job's hash.
NOT_SIMULATED: tuple[str, ...] = ("skip_checks",)


def simulated_document(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """``document`` without the keys that change no record (:data:`NOT_SIMULATED`).

    >>> simulated_document({"name": "s", "skip_checks": ["silent-workloads"]})
    {'name': 's'}
    """
    if not any(key in document for key in NOT_SIMULATED):
        return document
    return {key: value for key, value in document.items() if key not in NOT_SIMULATED}
