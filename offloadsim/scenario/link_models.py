"""Link models by name: how a run's transfers share the links (the scenario's ``network.model``).

A link model is a factory ``(env, capacity_bps) -> LinkModel`` (see
:class:`offloadsim.engine.network.LinkModel`): ``env`` is the run's SimPy
environment and ``capacity_bps`` the scenario capacity of every directed
channel.  ``max-min`` (max-min fair sharing, the engine's
:class:`~offloadsim.engine.network.FlowNetwork`) and ``fifo`` (first come,
first served, :mod:`offloadsim.engine.fifo_network`) are built in; a plug-in adds
one with :func:`register_link_model`, or, from another distribution, under
the ``offloadsim.link_models`` entry-point group (each entry names a
factory; read on first look-up in every process).  The world checks the scenario's name
here, so a typo is a scenario error, and the engine builds the model.

A model takes parameters from the scenario (``network: {model: contention, alpha: 0.1}``) by
declaring them as an arrival process declares its keys: its factory's ``parameters`` attribute is
a frozen dataclass whose fields are made with :func:`offloadsim.scenario.keys.key` (YAML name,
type, unit, bounds, default, doc).  The schema validates them under ``network``, and the engine
calls the factory with a third argument, that dataclass holding the scenario's values.  A model
without ``parameters`` takes none and is called with two, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from offloadsim.errors import LookupMessage
from offloadsim.plugins import EntryPointGroup, unclaimed
from offloadsim.scenario.keys import Key, declared_keys
from offloadsim.suggest import did_you_mean_key, quoted

__all__ = [
    "BUILTIN_LINK_MODEL",
    "ENGINE_LINK_MODELS",
    "ENTRY_POINT_GROUP",
    "KEY_PATH",
    "LinkModelFactory",
    "LinkModelInfo",
    "describe_link_models",
    "link_model",
    "link_model_names",
    "link_model_parameters",
    "link_models_version",
    "register_link_model",
    "unregister_link_model",
]

LinkModelFactory = Callable[[Any, Sequence[float]], Any]

#: Where a scenario names its link model: an unknown name, or a plug-in that cannot be built, is said there.
KEY_PATH = "network.model"
#: The default model (a scenario without ``network``).
BUILTIN_LINK_MODEL = "max-min"
#: The engine's own models; their factories are the engine's (None here: the world never imports it).
ENGINE_LINK_MODELS = (BUILTIN_LINK_MODEL, "fifo")

#: The entry-point group other distributions declare link models in (each entry names a factory).
ENTRY_POINT_GROUP = "offloadsim.link_models"

_MODELS: dict[str, LinkModelFactory | None] = dict.fromkeys(ENGINE_LINK_MODELS)
#: The distribution (``"NAME VERSION"``) of each model an entry point gave, for listings.
_ORIGINS: dict[str, str] = {}
#: What the engine's own models do, for listings (their factories live in the engine).
_ENGINE_SUMMARIES = {
    "max-min": "shares each link's capacity max-min fairly among the flows crossing it",
    "fifo": "serves a link's flows one at a time, first come, first served (a deep drop-tail buffer)",
}
#: Bumped whenever a model is registered or forgotten: the scenario schema, which holds the models'
#: parameters, is rebuilt then.
_VERSION = [0]


def _add_plugin(entry: Any, factory: Any, origin: str) -> None:
    """Register one entry point's factory under the entry's name, unless the name is taken."""
    if unclaimed(_MODELS, entry.name, factory, "link model"):
        _MODELS[entry.name] = factory
        _ORIGINS[entry.name] = origin
        _VERSION[0] += 1


#: Link models other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "link model", _add_plugin)


def register_link_model(name: str, factory: LinkModelFactory) -> None:
    """Make ``factory`` the link model a scenario names with ``network: {model: NAME}``."""
    if name in _MODELS:
        raise ValueError(f"a link model named {name!r} is already registered")
    _MODELS[name] = factory
    _VERSION[0] += 1


def unregister_link_model(name: str) -> None:
    """Forget a registered link model (tests and plug-ins that clean up after themselves)."""
    if name in ENGINE_LINK_MODELS:
        raise ValueError(f"{name!r} is built in")
    if _MODELS.pop(name, None) is not None:
        _VERSION[0] += 1


def link_model_names() -> list[str]:
    """Every registered link model's name, sorted."""
    PLUGINS.load()
    return sorted(_MODELS)


def link_model(name: str) -> LinkModelFactory | None:
    """The factory registered as ``name`` (None: one of the engine's own); KeyError names the choices."""
    PLUGINS.load()
    if name not in _MODELS:
        listed = f"{did_you_mean_key(name, _MODELS)}; expected one of {', '.join(link_model_names())}"
        raise LookupMessage(PLUGINS.refusal(name, f"unknown link model {quoted(name)}", listed))
    return _MODELS[name]


def link_model_parameters(name: str) -> type | None:
    """The dataclass of keys model ``name`` takes under ``network`` (None: it takes none)."""
    parameters = getattr(link_model(name), "parameters", None)
    return parameters if isinstance(parameters, type) else None


def link_models_version() -> int:
    """A number that changes whenever a link model is registered (the schema is rebuilt then)."""
    PLUGINS.load()
    return _VERSION[0]


@dataclass(frozen=True)
class LinkModelInfo:
    """One link model as ``offloadsim link-models`` lists it: its keys under ``network`` too."""

    name: str
    summary: str
    origin: str  # "offloadsim", or the plug-in's "<distribution> <version>"
    keys: tuple[Key, ...]


def describe_link_models() -> list[LinkModelInfo]:
    """Every registered link model, sorted by name, with the keys it takes.

    >>> [(info.name, info.origin, info.keys) for info in describe_link_models()][:2]
    [('fifo', 'offloadsim', ()), ('max-min', 'offloadsim', ())]
    """
    infos = []
    for name in link_model_names():
        factory = _MODELS[name]
        parameters = link_model_parameters(name)
        summary = (
            _ENGINE_SUMMARIES.get(name) or (getattr(factory, "__doc__", None) or "").strip().split("\n")[0]
        )
        keys = tuple(declared_keys(parameters)) if parameters is not None else ()
        infos.append(LinkModelInfo(name, summary, _ORIGINS.get(name, "offloadsim"), keys))
    return infos
