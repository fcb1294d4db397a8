"""What a note calls the configurations of a comparison or sweep that share what it says of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["shared_labels"]


def shared_labels(
    configs: list[tuple[Any, ...]], present: list[str], runs_of: Mapping[tuple[Any, ...], int]
) -> list[str]:
    """What to call ``configs``, which share something said of them: all at once where they can be.

    All the configurations (``each links[2].bandwidth and policy.name``), or all of those with
    some keys' values (``policy.name=edge (each links[2].bandwidth)``); else all those of one
    key's value at once and the others likewise (``local`` at every bandwidth and
    ``least-loaded`` at one); else each by its values.
    ``present`` names a configuration's keys and ``runs_of`` holds every configuration.
    """
    from offloadsim.analysis.values import value_text  # a swept value as the table shows it

    def label(keys: list[int], config: tuple[Any, ...]) -> str:
        return ", ".join(f"{present[i]}={value_text(config[i])}" for i in keys)

    fixed = [i for i in range(len(present)) if len({config[i] for config in configs}) == 1]
    varied = [present[i] for i in range(len(present)) if i not in fixed]
    matching = [c for c in runs_of if all(c[i] == configs[0][i] for i in fixed)]
    if len(configs) > 1 and varied and len(matching) == len(configs):
        each = f"each {' and '.join(varied)}"
        return [f"{label(fixed, configs[0])} ({each})" if fixed else each]
    if len(configs) > 1 and len(varied) == 1 and fixed:  # one key's values listed, not each config
        i = present.index(varied[0])
        values = ", ".join(value_text(config[i]) for config in configs)
        return [f"{label(fixed, configs[0])} (each of {varied[0]}={values})"]
    for i in range(len(present)):  # those of one key's value, all of them, said at once
        for value in dict.fromkeys(config[i] for config in configs):
            some = [config for config in configs if config[i] == value]
            if 1 < len(some) < len(configs) and len(some) == sum(c[i] == value for c in runs_of):
                rest = [config for config in configs if config[i] != value]
                return shared_labels(some, present, runs_of) + shared_labels(rest, present, runs_of)
    return [label(list(range(len(present))), config) for config in configs]
