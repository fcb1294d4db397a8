"""Find policies by name: the shipped ones and third-party plug-ins from entry points.

Shipped policies register themselves with :func:`register_policy`.  Other
distributions add policies through the ``offloadsim.policies`` entry-point
group; those are loaded on first use, cached, and a plug-in that fails to
load is reported as a :class:`PolicyPluginWarning` naming its distribution,
never as a crash.  :func:`make_policy` checks a scenario's ``policy:``
parameters against what the policy accepts before constructing it, so a typo
in a YAML file is an error that says what was meant.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, cast

from offloadsim.errors import LookupMessage
from offloadsim.field_values import FieldValues
from offloadsim.plugins import EntryPointGroup, PluginSkipped, PluginWarning, dotted_name, shipped_module
from offloadsim.policies.base import Policy
from offloadsim.policies.faults import describe_build_failure
from offloadsim.policies.params import ParamKind, is_sequence_origin
from offloadsim.suggest import did_you_mean_key, listed, quoted

__all__ = [
    "ENTRY_POINT_GROUP",
    "REQUIRED",
    "ParamInfo",
    "PolicyInfo",
    "MissingPolicyParams",
    "PolicyBuildError",
    "PolicyParamError",
    "UnknownPolicyError",
    "PolicyPluginWarning",
    "register_policy",
    "registered_here",
    "registered_name",
    "registered_names",
    "unregister_policy",
    "build_info",
    "available_policies",
    "find_policy",
    "params_in_effect",
    "policy_names",
    "describe_policies",
    "make_policy",
    "clear_policy_cache",
]

ENTRY_POINT_GROUP = "offloadsim.policies"
"""The entry-point group third-party distributions declare their policies in."""

# The module registering each shipped policy: looking one up imports only its module (a run of
# `local` imports neither the split policies nor their planners: start-up).
_SHIPPED = {
    "local": "offloadsim.policies.basic",
    "edge": "offloadsim.policies.basic",
    "cloud": "offloadsim.policies.basic",
    "fixed": "offloadsim.policies.basic",
    "random": "offloadsim.policies.balancing",
    "round-robin": "offloadsim.policies.balancing",
    "least-loaded": "offloadsim.policies.balancing",
    "neurosurgeon": "offloadsim.policies.split",
    "multi-tier": "offloadsim.policies.split",
    "dads": "offloadsim.policies.split",
    "model-select": "offloadsim.policies.routing",
    "by-group": "offloadsim.policies.grouped",
}


class _Required:
    """The default of a parameter that has none (it must be given)."""

    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _Required()
"""Stands for "no default" in :attr:`ParamInfo.default`."""


class PolicyParamError(ValueError):
    """A policy was given a parameter it does not accept, or a value of the wrong type.

    ``param`` names the parameter at fault when one is (for the key path
    ``policy.<param>`` in scenario messages); ``path``, when given, the key path under ``policy``
    of a value inside it (``("groups", "old-phone", "name")`` for a composite's inner policy).
    """

    def __init__(self, message: str, param: str | None = None, path: tuple[str, ...] = ()):
        super().__init__(message)
        self.param = param
        self.path = path


class PolicyBuildError(PolicyParamError):
    """A plug-in policy could not be built: its constructor raised, or what it built has no ``decide``.

    Also a factory that takes decide's ``(task, view)``.  The plug-in's bug, said as its own
    (its name, class and line), at the scenario's ``policy`` key: a user error (exit 2), not an
    internal error of offloadsim.
    """


class MissingPolicyParams(PolicyParamError):
    """A policy's required parameter was not given: said at the ``policy`` mapping, where it goes.

    A missing key has no key path of its own; ``policy.name`` (where it was said) is not where to
    add it.  The message names each parameter with its type, its unit and its help.
    """


class UnknownPolicyError(LookupMessage):
    """No policy is registered under the requested name."""


class PolicyPluginWarning(PluginWarning):
    """A third-party policy plug-in could not be loaded and was skipped."""


class ParamInfo(NamedTuple):
    """One constructor parameter of a policy: ``(name, type, default, help)``."""

    name: str
    type: str
    default: Any
    help: str

    @property
    def required(self) -> bool:
        """Whether the parameter has no default."""
        return self.default is REQUIRED


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class PolicyInfo(FieldValues):
    """A registered policy: how to build it and what it accepts.

    ``origin`` is ``"offloadsim"`` for shipped policies and ``"<dist> <version>"``
    for plug-ins.  ``open_params`` is true when the factory takes ``**kwargs``,
    in which case unknown parameters are passed through unchecked.
    """

    name: str
    factory: Callable[..., Policy]
    summary: str
    params: tuple[ParamInfo, ...]
    origin: str = "offloadsim"
    open_params: bool = False
    hints: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def param(self, name: str) -> ParamInfo:
        """The parameter called ``name`` (KeyError if there is none)."""
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)


# Policies registered in this process (the shipped ones, and any a user registers).
_REGISTERED: dict[str, PolicyInfo] = {}
# Policies from entry points (filled by PLUGINS on first look-up).
_PLUGINS: dict[str, PolicyInfo] = {}


def register_policy(name: str) -> Callable[[Any], Any]:
    """Register a policy class (or factory) under ``name``; use as a decorator.

    The factory is called with the scenario's ``policy:`` parameters as
    keyword arguments and must return an object with a ``decide`` method.

    >>> from offloadsim.policies import Plan
    >>> @register_policy("doc-example-always-drop")
    ... class AlwaysDrop:
    ...     '''Drop every task (admission control at its simplest).'''
    ...     def decide(self, task, view):
    ...         return Plan.reject()
    >>> available_policies()["doc-example-always-drop"].summary
    'Drop every task (admission control at its simplest).'
    >>> _ = unregister_policy("doc-example-always-drop")
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"a policy name must be a non-empty string, got {name!r}")

    def decorator(factory: Any) -> Any:
        existing = _REGISTERED.get(name)
        redefined = existing is not None and _defined_as(existing.factory) == _defined_as(factory)
        if existing is not None and existing.factory is not factory and not redefined:
            raise ValueError(
                f"a policy named {name!r} is already registered ({dotted_name(existing.factory)})"
            )
        # The same class defined again (a notebook's cell run again, a module reloaded) replaces the old.
        _REGISTERED[name] = build_info(name, factory)
        return factory

    return decorator


def _defined_as(factory: Any) -> tuple[object, object]:
    """Where ``factory`` was defined, as Python names it: :func:`dotted_name`'s parts, ``__mp_main__`` kept.

    :func:`dotted_name` names a worker's ``__mp_main__`` as ``__main__``, for messages; here they differ.
    """
    return getattr(factory, "__module__", "?"), getattr(factory, "__qualname__", repr(factory))


def unregister_policy(name: str) -> PolicyInfo | None:
    """Remove a policy registered in this process; return its info (None if absent)."""
    return _REGISTERED.pop(name, None)


def registered_here() -> dict[str, Any]:
    """The policies code outside offloadsim registered in this process: name -> factory.

    What a pool of worker processes must be handed, since a policy registered
    under ``if __name__ == "__main__":`` is not registered again when a worker
    imports the script.
    """
    return {
        name: info.factory
        for name, info in _REGISTERED.items()
        if not shipped_module(str(getattr(info.factory, "__module__", "")))
    }


def _registered_as(kind: type) -> list[str]:
    """The names ``kind`` is registered under, here then by plug-ins found."""
    return [name for table in (_REGISTERED, _PLUGINS) for name, info in table.items() if info.factory is kind]


def registered_name(policy: object) -> str | None:
    """The name ``policy``'s class is registered under, here or by a plug-in found; None: none.

    A shipped policy's object was made from its module, which registered it: nothing is imported.
    """
    return next(iter(_registered_as(type(policy))), None)


def registered_names(policy: object) -> tuple[str, ...]:
    """The names ``policy``'s class and the classes it derives from are registered under, its own first.

    A plug-in's ``class MyEdge(EdgePolicy)`` registered as ``my-edge`` is ``("my-edge", "edge")``:
    a note registered for ``edge`` (``register_note(..., policies=...)``) concerns its runs too.
    Its bases were imported with it, so registered already: nothing is imported.
    """
    return tuple(dict.fromkeys(name for kind in type(policy).__mro__ for name in _registered_as(kind)))


def clear_policy_cache() -> None:
    """Forget the plug-ins found so far; the next look-up reads the entry points again."""
    _PLUGINS.clear()
    PLUGINS.forget()


def available_policies() -> dict[str, PolicyInfo]:
    """Every known policy by name: the shipped and registered ones, then plug-ins.

    >>> sorted(available_policies())[:3]
    ['by-group', 'cloud', 'dads']
    """
    _load_builtins()
    PLUGINS.load()
    table = dict(_REGISTERED)
    for name, info in _PLUGINS.items():
        table.setdefault(name, info)
    return table


def find_policy(name: str) -> PolicyInfo | None:
    """The policy known as ``name`` (shipped, registered, or a plug-in), or None.

    What :func:`available_policies` would give for ``name``, importing of
    the shipped policies only the module that defines ``name``.
    """
    _load_shipped(name)
    PLUGINS.load()
    info = _REGISTERED.get(name)
    return info if info is not None else _PLUGINS.get(name)


def params_in_effect(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with each parameter the policy ``name`` declares and they leave out at its default.

    What the policy ran with: ``neurosurgeon`` given nothing ran with ``objective: latency``, as
    ``neurosurgeon(objective=latency)`` did, so a comparison's or sweep's tables record that value
    and not a null.  A parameter the policy does not declare is absent (``local`` has no
    ``objective``); so is one it requires (it was given, or the policy was never built), and every
    one of a policy no longer known.

    >>> params_in_effect("neurosurgeon", {"objective": "energy"})["objective"]
    'energy'
    >>> params_in_effect("neurosurgeon", {})["objective"], "objective" in params_in_effect("local", {})
    ('latency', False)
    """
    info = find_policy(name)
    declared = {} if info is None else {p.name: p.default for p in info.params if not p.required}
    return {**declared, **params}


def policy_names() -> list[str]:
    """The names of all known policies, sorted."""
    return sorted(available_policies())


def describe_policies() -> list[PolicyInfo]:
    """All known policies sorted by name, for listings such as ``offloadsim policies``.

    >>> [p.name for p in describe_policies()][:4]
    ['by-group', 'cloud', 'dads', 'edge']
    """
    return [info for _, info in sorted(available_policies().items())]


def make_policy(name: str, params: Mapping[str, Any] | None = None) -> Policy:
    """Construct the policy ``name`` with ``params``, after checking them.

    Raises :class:`UnknownPolicyError` for an unknown name (suggesting close
    ones) and :class:`PolicyParamError` for an unknown, missing or ill-typed
    parameter.

    >>> make_policy("edge", {"fallback": "drop"})
    EdgePolicy(fallback='drop')
    >>> make_policy("edge", {"fallbak": "drop"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    offloadsim.policies.registry.PolicyParamError: policy "edge" has no parameter "fallbak" ...
    """
    info = find_policy(name)
    if info is None:
        raise UnknownPolicyError(_unknown_name_message(name, available_policies()))
    given = dict(params or {})
    _check_params(info, given)
    try:
        policy = info.factory(**given)
    except PolicyParamError:
        raise
    except ValueError as exc:
        text = str(exc)
        param = next((k for k in given if text.startswith(f"{k} ") or f"{k!r}" in text), None)
        raise PolicyParamError(f"policy {quoted(name)}: {text}", param) from exc
    except (Exception, SystemExit) as exc:  # a plug-in's constructor that raises is its bug, named as its own
        message = describe_build_failure(exc, info.factory, name)
        if message is None:
            raise
        raise PolicyBuildError(message) from exc
    if not callable(getattr(policy, "decide", None)):
        built = f"policy {quoted(name)} ({dotted_name(info.factory)}) built {policy!r}"
        message = f"{built}, which has no decide method"
        if shipped_module(str(getattr(info.factory, "__module__", ""))):
            raise TypeError(message)
        raise PolicyBuildError(message)
    return policy


# --- building PolicyInfo ---------------------------------------------------------------


def build_info(name: str, factory: Any, origin: str = "offloadsim") -> PolicyInfo:
    """Describe ``factory`` (a class or function) as the policy ``name``."""
    if not callable(factory):
        hint = ""
        if callable(getattr(factory, "decide", None)):  # a policy object, not what builds one
            hint = f": it is a policy object; name its class, {type(factory).__qualname__}, which builds one"
        raise TypeError(f"policy {name!r}: {factory!r} is not a class or factory function{hint}")
    doc = _own_doc(factory)
    helps = _parameter_help(doc)
    hints = _type_hints(factory)
    params: list[ParamInfo] = []
    open_params = False
    if isinstance(factory, type) and dataclasses.is_dataclass(factory):
        for f in dataclasses.fields(factory):
            if not f.init or f.name.startswith("_"):
                continue
            if f.default is not dataclasses.MISSING:
                default: Any = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = REQUIRED
            help_text = str(f.metadata.get("help", helps.get(f.name, "")))
            type_name = _type_name(hints[f.name]) if f.name in hints else _annotation_text(f.type)
            params.append(ParamInfo(f.name, type_name, default, help_text))
    else:
        try:
            signature = inspect.signature(factory)
        except (TypeError, ValueError):
            signature = inspect.Signature()
        for p in signature.parameters.values():
            if p.kind is p.VAR_KEYWORD:
                open_params = True
                continue
            if p.kind in (p.VAR_POSITIONAL, p.POSITIONAL_ONLY) or p.name.startswith("_"):
                continue
            default = REQUIRED if p.default is p.empty else p.default
            if p.name in hints:
                type_name = _type_name(hints[p.name])
            elif p.annotation is not p.empty:
                type_name = _annotation_text(p.annotation)
            else:
                type_name = "any"
            params.append(ParamInfo(p.name, type_name, default, helps.get(p.name, "")))
    summary = doc.strip().splitlines()[0].strip() if doc.strip() else ""
    return PolicyInfo(name, factory, summary, tuple(params), origin, open_params, hints)


def _own_doc(factory: Any) -> str:
    """The factory's docstring, ignoring the signature text dataclasses invent."""
    doc = inspect.getdoc(factory) or ""
    if (
        isinstance(factory, type)
        and dataclasses.is_dataclass(factory)
        and doc.startswith(f"{factory.__name__}(")
    ):
        return ""
    return doc


def _parameter_help(doc: str) -> dict[str, str]:
    """Help text per name from a numpydoc ``Parameters`` section of ``doc``.

    >>> _parameter_help('''Summary.
    ...
    ... Parameters
    ... ----------
    ... tiers : list[str]
    ...     Tiers to choose from;
    ...     all if omitted.
    ... seed
    ...     Unused.
    ...
    ... Notes
    ... -----
    ... Ignored.''')
    {'tiers': 'Tiers to choose from; all if omitted.', 'seed': 'Unused.'}
    """
    lines = doc.splitlines()
    helps: dict[str, list[str]] = {}
    inside = False
    current: str | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        underline = i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}
        if underline and not line.startswith(" "):
            inside = stripped in ("Parameters", "Other Parameters")
            current = None
            continue
        if stripped.startswith(">>>"):
            inside = False
        if not inside or set(stripped) == {"-"}:
            continue
        if stripped and not line.startswith((" ", "\t")):
            for name in stripped.split(":", 1)[0].split(","):
                current = name.strip().lstrip("*")
                helps[current] = []
            continue
        if stripped and current is not None:
            helps[current].append(stripped)
    # Plain text for listings: drop reST literal markup and doubled spaces.
    return {name: " ".join(" ".join(text).replace("``", "").split()) for name, text in helps.items()}


def _type_hints(factory: Any) -> dict[str, Any]:
    """Resolved annotations of the factory's parameters; empty where they cannot be resolved."""
    target = (
        cast(Any, factory).__init__
        if isinstance(factory, type) and not dataclasses.is_dataclass(factory)
        else factory
    )
    try:
        hints = typing.get_type_hints(target, include_extras=True)
    except Exception:  # a plug-in's unresolvable annotation only costs us type checking
        return {}
    hints.pop("return", None)
    return hints


def _annotation_text(annotation: Any) -> str:
    return annotation if isinstance(annotation, str) else _type_name(annotation)


def _type_name(hint: Any) -> str:
    """A short, YAML-minded name for a type hint: ``list[str] | None``, ``"local" | "drop"``."""
    if hint is Any:
        return "any"
    if hint is type(None) or hint is None:
        return "None"
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        kind = next((m for m in args[1:] if isinstance(m, ParamKind)), None)
        return kind.name if kind is not None else _type_name(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(_type_name(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(quoted(a) for a in args)
    if origin is not None and is_sequence_origin(origin):
        inner = _type_name(args[0]) if args else "any"
        return f"list[{inner}]"
    if origin is not None and _is_mapping_origin(origin):
        return "mapping"
    return getattr(hint, "__name__", str(hint))


# --- checking parameters ---------------------------------------------------------------


def _check_params(info: PolicyInfo, given: Mapping[str, Any]) -> None:
    accepted = [p.name for p in info.params]
    for key in given:
        if not isinstance(key, str):
            raise PolicyParamError(
                f"policy {quoted(info.name)}: parameter names must be strings, got {quoted(key)}"
            )
        if key not in accepted and not info.open_params:
            hint = did_you_mean_key(key, accepted)
            listing = ", ".join(accepted) if accepted else "no parameters"
            raise PolicyParamError(
                f"policy {quoted(info.name)} has no parameter {quoted(key)}{hint}; it accepts: {listing}", key
            )
    missing = [p.name for p in info.params if p.required and p.name not in given]
    if {"task", "view"} <= set(missing) and not isinstance(info.factory, type):
        # def my_policy(task, view): a decide function registered as the policy's factory
        raise PolicyBuildError(
            f"policy {quoted(info.name)} ({dotted_name(info.factory)}) is registered as a factory, which is "
            "called with the scenario's policy parameters and returns the policy, but it takes decide's "
            "(task, view): register a class with a decide(self, task, view) method instead"
        )
    if missing:
        needed = listed([_needed(info.param(name)) for name in missing])
        raise MissingPolicyParams(
            f"policy {quoted(info.name)} needs {'parameter' if len(missing) == 1 else 'parameters'} {needed}",
            missing[0],
        )
    for key, value in given.items():
        expected = info.hints.get(key)
        if expected is not None and not _matches(value, expected):
            options = [str(option) for option in _literal_options(expected)]
            hint = did_you_mean_key(value, options) if isinstance(value, str) else ""
            hint += _unit_hint(value, expected)
            raise PolicyParamError(
                f"policy {quoted(info.name)}: parameter {quoted(key)} must be {_type_name(expected)}, "
                f"got {_short(value)} ({type(value).__name__}){hint}",
                key,
            )


def _needed(param: ParamInfo) -> str:
    """A required parameter as a message names it: ``"margin_s" (float, in seconds: Slack before ...)``.

    Its type, its unit (seconds for a name ending in ``_s``, as :func:`_unit_hint` says; else the
    unit its help states) and its help, the policy's own words: what to write, not only its name.

    >>> print(_needed(ParamInfo("margin_s", "float", REQUIRED, "Slack before the deadline.")))
    "margin_s" (float, in seconds: Slack before the deadline)
    >>> print(_needed(ParamInfo("count", "int", REQUIRED, "")))
    "count" (int)
    """
    unit = ", in seconds" if param.name.endswith("_s") else ""
    said = f": {param.help.strip().rstrip('.')}" if param.help.strip() else ""
    return f"{quoted(param.name)} ({param.type}{unit}{said})"


#: A number followed by a unit, as the scenario's quantities are written ("10 ms", "2.5 Mbps").
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_WITH_UNIT = r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*[A-Za-z/%µ][\w/%µ ]*\s*"


def _unit_hint(value: Any, expected: Any) -> str:
    """What to write instead of a number with a unit (``"10 ms"``) given to a parameter taking a number.

    A policy's parameters are plain YAML values: unlike the scenario's keys, none reads a unit.
    """
    if not (
        isinstance(value, str)
        and re.fullmatch(_WITH_UNIT, value)
        and (_matches(1.0, expected) or _matches(1, expected))
    ):
        return ""
    return (
        "; a policy's parameters take plain numbers, not a unit: write the number in the unit its "
        "help gives (offloadsim policies), seconds for a name ending in _s"
    )


def _literal_options(hint: Any) -> list[Any]:
    """The values a ``Literal`` (possibly inside a union or annotation) allows."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return list(typing.get_args(hint))
    return [option for arg in typing.get_args(hint) for option in _literal_options(arg)]


def _is_mapping_origin(origin: Any) -> bool:
    import collections.abc as abc

    return origin in (dict, abc.Mapping, abc.MutableMapping)


def _matches(value: Any, hint: Any) -> bool:
    """Whether ``value`` (plain YAML data) fits ``hint``; unknown hints accept anything."""
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return _matches(value, args[0])
    if origin is typing.Union or origin is types.UnionType:
        return any(_matches(value, a) for a in args)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin is not None and is_sequence_origin(origin):
        if not isinstance(value, list | tuple):
            return False
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return all(_matches(v, args[0]) for v in value)
        if origin is tuple and args:
            return len(args) == len(value) and all(_matches(v, a) for v, a in zip(value, args, strict=True))
        return not args or all(_matches(v, args[0]) for v in value)
    if origin is not None and _is_mapping_origin(origin):
        if not isinstance(value, Mapping):
            return False
        if len(args) == 2:
            return all(_matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items())
        return True
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def _short(value: Any, limit: int = 60) -> str:
    """``value`` as a message shows it (text in double quotes), cut to ``limit`` characters.

    A user's value may be huge.
    """
    try:
        text = quoted(value)
    except ValueError:  # an int too long to print
        return f"an integer of about {value.bit_length() * 0.30103:.0f} digits"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unknown_name_message(name: str, table: Mapping[str, PolicyInfo]) -> str:
    known = sorted(table)
    hint = did_you_mean_key(str(name), known, n=3, cutoff=0.5)
    return PLUGINS.refusal(
        name, f"unknown policy {quoted(name)}", f"{hint}; known policies: {', '.join(known)}"
    )


# --- loading ---------------------------------------------------------------------------


def _load_builtins() -> None:
    for module in dict.fromkeys(_SHIPPED.values()):
        importlib.import_module(module)


def _load_shipped(name: str) -> None:
    """Import the shipped module that registers the policy ``name``, if one does."""
    module = _SHIPPED.get(name)
    if module is not None and name not in _REGISTERED:
        importlib.import_module(module)


def _add_plugin(entry: Any, factory: Any, origin: str) -> None:
    """Register one entry point's policy, unless its name is taken."""
    info = build_info(entry.name, factory, origin)
    _load_shipped(entry.name)  # a shipped policy's name is taken even before its module is imported
    registered = _REGISTERED.get(entry.name)
    if registered is not None and registered.factory is factory:
        # The plug-in also registered itself on import: keep that entry, note where it came from.
        _REGISTERED[entry.name] = dataclasses.replace(registered, origin=origin)
        return
    if registered is not None:
        raise PluginSkipped(f"the name is taken by {dotted_name(registered.factory)}")
    if entry.name in _PLUGINS:
        raise PluginSkipped(f"{_PLUGINS[entry.name].origin} already provides a policy of that name")
    _PLUGINS[entry.name] = info


#: Policies other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "policy", _add_plugin, PolicyPluginWarning)
