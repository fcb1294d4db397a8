"""A plug-in's kind of timed change as offloadsim reads it: wrapped once, each thing it hands over checked.

The registry (:func:`~offloadsim.world.dynamics.registry.register_dynamics`) wraps a kind that is
not offloadsim's in :class:`PluginDynamicsKind` as it registers it, so that everything reading a
kind (the world's build, the scenario checks, the run's changes, a fixed plan's stations table)
reads the plug-in through it.  Its members call the plug-in and check what it gave, as the
engine's adapters (``engine/plugin_adapters.py``) do for the other plug-ins, with the same tests
and the same line (:mod:`offloadsim.plugin_checks`):

* ``parse(entry)``: an exception other than a refusal through ``entry.fail`` is the kind's;
* ``changes(spec, end_s)``, if it has one: ``(key, count)``, the count a number >= 0 (NaN was
  refused as the user's entry changing the world "about nan times", numpy's int as no number);
* ``node_changes(spec)``, if it has one: a :class:`NodeChanges` of :class:`NodeStep` s whose
  times are numbers >= 0, nodes and keys strings, ``up`` True or False (a time given as a string
  was an internal error of the ``servers-down`` check, exit 1; a NaN one was skipped, silently);
* ``timeline(spec, rng)``: each item a ``(time, change)``, the times numbers >= 0 in time order
  (``inf``: never), the change one with ``apply(topology)``, and one of offloadsim's
  (:class:`SetCapacity`, ...) holding values of its fields' types: a link or channel a whole
  number >= 0, a node a string, ``up`` True or False (``SetNodeUp("edge", "no")`` ran with the
  node left up, ``SetLinkUp(-1, False)`` took the last link down: exit 0, a wrong run); and a
  change that fails when applied is the kind's.

What is not is a :class:`KindFailed`: one line naming the kind (its name, its class's dotted
name), the member, what it gave and what was expected, or the plug-in's exception and its line
(chained as its ``__cause__``, for ``--debug`` to show).  It says no key path: its reader knows
the entry and says it there (the world's ``DynamicsError``, the check's ``NodeChangesFailed``,
the run's ``DynamicsFailed``, at the scenario's file), about each of the entry's keys
(:func:`entry_keys`), so that the ``--set`` that gave one of them is named, as a built-in kind's
refusal names the one that gave the key it refuses.  Any other member (``name``,
``quantity_keys``, ``hands_over``, ...) is the plug-in's own.

Built-in kinds are never wrapped: nothing is added to a shipped scenario's path.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.plugin_checks import as_float, describe, number_at_least, refusal, whole
from offloadsim.plugins import dotted_name, said_raised, shipped_module
from offloadsim.scenario.errors import KeyPathError
from offloadsim.strict_yaml import key_path
from offloadsim.suggest import quoted
from offloadsim.world.dynamics.base import (
    NodeChanges,
    NodeStep,
    SetCapacity,
    SetLatency,
    SetLinkUp,
    SetLoss,
    SetNodeUp,
    SpecReader,
    WorldChange,
)

if TYPE_CHECKING:
    from offloadsim.world.topology import Topology

__all__ = ["KindFailed", "PluginDynamicsKind", "entry_keys", "kind_fault", "kind_named", "plugin_of"]


class KindFailed(Exception):
    """A plug-in kind raised, or handed over what it may not: its one line, without the entry's key path."""


def entry_keys(index: int, entry: Any) -> tuple[str, ...]:
    """The key path of each key of ``dynamics[index]``, ``entry`` (``kind`` too): what its kind read.

    A plug-in kind reads its entry as it likes, so what it raised or handed over that it may not
    may come of any value there: a line saying it is about them all (a problem's ``also``), and
    names the ``--set`` that gave one (``dynamics[0].period=0 s``), not only one that gave the
    whole entry or list.

    >>> entry_keys(1, {"kind": "toy", "period": "1 s", "my key": 2})
    ('dynamics[1].kind', 'dynamics[1].period', 'dynamics[1]["my key"]')
    """
    path = f"dynamics[{index}]"
    return tuple(key_path(path, str(key)) for key in entry) if isinstance(entry, Mapping) else ()


def plugin_of(kind: Any) -> Any:
    """The kind a user registered: the plug-in an adapter wraps, or ``kind`` itself (a built-in)."""
    return kind.plugin if isinstance(kind, PluginDynamicsKind) else kind


def kind_named(kind: Any) -> str:
    """``kind of dynamics "NAME" (module.Class)``: how a line saying a kind's own mistake names it."""
    kind = plugin_of(kind)
    return f"kind of dynamics {quoted(getattr(kind, 'name', '?'))} ({dotted_name(type(kind))})"


def kind_fault(kind: Any, error: BaseException, method: str, when: str = "") -> str | None:
    """``kind of dynamics "NAME" (module.Class) raised E in METHOD()WHEN: ... (file.py, line N, in f)``.

    The one line that says an exception raised while offloadsim called a plug-in kind's
    ``method`` (``parse``, ``changes``, ``node_changes``, ``timeline``) is the plug-in's bug, not
    offloadsim's; None for a kind shipped with offloadsim, whose exception is offloadsim's own bug.
    """
    if shipped_module(type(plugin_of(kind)).__module__):
        return None
    return said_raised(kind_named(kind), error, f" in {method}(){when}")


#: What a field of offloadsim's changes holds, by its annotation: (test, conversion, words expected).
_FIELDS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any], str]] = {
    "int": (whole, int, "a whole number >= 0"),
    # Its value is the topology's to refuse (a capacity below 0, a loss above 1), as anyone's.
    "float": (lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool), as_float, "a number"),
    "bool": (lambda v: isinstance(v, bool | np.bool_), bool, "True or False"),
    "str": (lambda v: isinstance(v, str), str, "a string"),
}

#: What a kind declares of its entries' effects (:mod:`~offloadsim.world.dynamics.rates`), checked.
_DECLARATIONS = ("rate_keys", "moved_devices", "placed_nodes")
#: What a kind declares of itself: True or False.
_FLAGS = ("owns_rates", "merges_rates")

#: offloadsim's changes, whose fields a plug-in's timeline may fill with values of any type.
_SHIPPED_CHANGES = (SetCapacity, SetLoss, SetLatency, SetLinkUp, SetNodeUp)


class PluginDynamicsKind:
    """A plug-in's kind of timed change (the ``DynamicsKind`` protocol) as offloadsim reads it: checked.

    ``plugin``: the kind registered; ``name``: its name; ``words``: how a line names it.  ``changes`` and
    ``node_changes`` are found only where the plug-in defines them (readers ask ``getattr(kind,
    "changes", None)``), checked; any other member it does not declare is the plug-in's own.
    """

    __slots__ = ("name", "plugin", "words")

    def __init__(self, plugin: Any):
        self.plugin = plugin
        self.name: str = plugin.name  # the name it is registered by, read once
        self.words = kind_named(plugin)

    def __reduce__(self) -> tuple[type[PluginDynamicsKind], tuple[Any]]:
        """Pickled as the plug-in it wraps (``__getattr__`` must not run on a copy being made)."""
        return PluginDynamicsKind, (self.plugin,)

    def __getattr__(self, name: str) -> Any:
        """A member not declared here: the plug-in's own, ``changes`` and ``node_changes`` checked."""
        if name in PluginDynamicsKind.__slots__:  # not set yet: nothing to ask
            raise AttributeError(name)
        member = getattr(self.plugin, name)
        if name == "changes":
            return self._checked_changes(member)
        if name == "node_changes":
            return self._checked_node_changes(member)
        if name in _DECLARATIONS:
            return self._checked_declaration(name, member)
        if name in _FLAGS and not isinstance(member, bool):
            raise KindFailed(refusal(self.words, f"its {name} is {describe(member)}", "True or False"))
        return member

    def __repr__(self) -> str:
        return f"PluginDynamicsKind({self.plugin!r})"

    def _raised(self, error: Exception, method: str, when: str = "") -> KindFailed:
        said = kind_fault(self.plugin, error, method, when)
        assert said is not None  # a plug-in's, never shipped: the registry wraps no built-in
        return KindFailed(said)

    def parse(self, entry: SpecReader) -> Any:
        """The plug-in's spec of ``entry``: its refusals (``entry.fail``) as they are, else its bug."""
        try:
            return self.plugin.parse(entry)
        except KeyPathError:
            raise
        except Exception as error:
            raise self._raised(error, "parse") from error

    def _checked_changes(
        self, changes: Callable[[Any, float], Any]
    ) -> Callable[[Any, float], tuple[str, float]]:
        """``changes(spec, end_s)``: ``(key, count)``, the count a number >= 0 (``inf`` stands), a float."""

        def checked(spec: Any, end_s: float) -> tuple[str, float]:
            try:
                said = changes(spec, end_s)
            except Exception as error:
                raise self._raised(error, "changes") from error
            if (
                isinstance(said, tuple)
                and len(said) == 2
                and isinstance(said[0], str)
                and number_at_least(said[1], inf=True)
            ):
                return said[0], as_float(said[1])
            raise KindFailed(
                refusal(
                    self.words,
                    f"changes() returned {said!r}",
                    "(the entry's key that sets how often it changes, about how many changes: a number >= 0)",
                )
            )

        return checked

    def _checked_node_changes(self, node_changes: Callable[[Any], Any]) -> Callable[[Any], NodeChanges]:
        """``node_changes(spec)``: a :class:`NodeChanges` whose steps and nodes hold what they declare."""

        def checked(spec: Any) -> NodeChanges:
            try:
                said = node_changes(spec)
            except Exception as error:
                raise self._raised(error, "node_changes") from error
            if not isinstance(said, NodeChanges):
                raise KindFailed(
                    refusal(
                        self.words,
                        f"node_changes() returned {said!r}",
                        "a NodeChanges (LINKS_ONLY for a kind that never takes a node down)",
                    )
                )
            return NodeChanges(self._steps(said.steps), self._random(said.random))

        return checked

    def _checked_declaration(
        self, name: str, declared: Callable[[Any], Any]
    ) -> Callable[[Any], dict[Any, str]]:
        """``rate_keys``, ``moved_devices`` or ``placed_nodes`` (of a spec): a mapping of what to a key.

        ``rate_keys``: directed channels (whole numbers >= 0), the others node names; each to the key
        path of the entry that puts it there.  Whether those name a channel, a node or a key of this
        scenario and entry is :func:`~offloadsim.world.dynamics.rates.check_declared`'s to say.
        """
        channels = name == "rate_keys"
        expected = (
            "a dict of directed channels (whole numbers >= 0: 2 * link for A→B, 2 * link + 1 for B→A) "
            "to the key of the entry that sets each"
            if channels
            else "a dict of node names to the key of the entry that names each"
        )

        def checked(spec: Any) -> dict[Any, str]:
            try:
                said = declared(spec)
            except Exception as error:
                raise self._raised(error, name) from error
            if not isinstance(said, Mapping):
                raise KindFailed(refusal(self.words, f"{name}() returned {describe(said)}", expected))
            for what, key in said.items():
                named = whole(what) if channels else isinstance(what, str)
                if not named or not isinstance(key, str) or not key:
                    item = f"{what!r}: {key!r}"
                    item = item if len(item) <= 60 else f"{item[:57]}..."
                    raise KindFailed(
                        refusal(self.words, f"{name}() returned a mapping holding {item}", expected)
                    )
            return {(int(what) if channels else what): key for what, key in said.items()}

        return checked

    def _steps(self, steps: Any) -> tuple[NodeStep, ...]:
        if not isinstance(steps, tuple | list):
            raise self._node_refused("steps", steps, "a tuple of NodeStep")
        checked = []
        for i, step in enumerate(steps):
            if not isinstance(step, NodeStep):
                raise self._node_refused(f"steps[{i}]", step, "a NodeStep")
            if not number_at_least(step.at, inf=True):
                raise self._node_refused(f"steps[{i}].at", step.at, "a time in seconds, a number >= 0")
            for field in ("node", "key"):
                if not isinstance(getattr(step, field), str):
                    raise self._node_refused(f"steps[{i}].{field}", getattr(step, field), "a string")
            if not isinstance(step.up, bool):
                raise self._node_refused(f"steps[{i}].up", step.up, "True or False")
            checked.append(dataclasses.replace(step, at=as_float(step.at)))
        return tuple(checked)

    def _random(self, nodes: Any) -> tuple[str, ...]:
        if isinstance(nodes, tuple | list) and all(isinstance(node, str) for node in nodes):
            return tuple(nodes)
        raise self._node_refused("random", nodes, "a tuple of node names")

    def _node_refused(self, field: str, value: Any, expected: str) -> KindFailed:
        return KindFailed(
            refusal(
                self.words,
                f"node_changes() returned a NodeChanges whose {field} is {describe(value)}",
                expected,
            )
        )

    def timeline(self, spec: Any, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """The plug-in's timeline of ``spec``, each item checked as it is read (lazily: it may be endless)."""
        # The time a next item is asked for: the run's clock, which applied the item before it then.
        previous = 0.0
        try:
            items = self.plugin.timeline(spec, rng)
        except Exception as error:
            raise self._raised(error, "timeline", " at simulated time 0 s") from error
        if not hasattr(items, "__next__"):
            try:
                items = iter(items)
            except TypeError:
                said = f"its timeline() returned {describe(items)}"
                raise KindFailed(refusal(self.words, said, "an iterator of (time in s, change)")) from None
        while True:
            try:
                item = next(items)
            except StopIteration:
                return
            except Exception as error:
                raise self._raised(error, "timeline", f" at simulated time {previous:.6g} s") from error
            if not (isinstance(item, tuple) and len(item) == 2):
                raise KindFailed(refusal(self.words, f"its timeline yielded {item!r}", "(time in s, change)"))
            at, change = item
            if not number_at_least(at, previous, inf=True):
                after = f"no earlier than the {previous:g} s before it" if previous > 0 else "at least 0"
                raise KindFailed(
                    refusal(
                        self.words,
                        f"its timeline yielded the time {at!r}",
                        f"a number of seconds, {after} (a timeline is in time order)",
                    )
                )
            if not callable(getattr(change, "apply", None)):
                raise KindFailed(
                    refusal(
                        self.words,
                        f"its timeline yielded {change!r} at {at:g} s",
                        "a change with apply(topology) (SetCapacity, SetLatency, SetLinkUp, SetNodeUp, ...)",
                    )
                )
            previous = as_float(at)
            yield previous, _CheckedChange(self._fields(change, previous), self.words, previous)

    def _fields(self, change: Any, at: float) -> Any:
        """``change``, if one of offloadsim's, each field of its annotated type (converted), else refused."""
        if type(change) not in _SHIPPED_CHANGES:
            return change
        values = {}
        for field in dataclasses.fields(change):
            value = getattr(change, field.name)
            test, convert, expected = _FIELDS[getattr(field.type, "__name__", str(field.type))]
            if not test(value):
                said = f"its timeline yielded {change!r} at {at:g} s, whose {field.name} is {describe(value)}"
                raise KindFailed(refusal(self.words, said, expected))
            values[field.name] = convert(value)
        return type(change)(**values)


class _CheckedChange:
    """A plug-in's change: one that fails when applied is the kind's, said with its time."""

    __slots__ = ("at", "change", "words")

    def __init__(self, change: Any, words: str, at: float):
        self.change = change
        self.words = words
        self.at = at

    def __repr__(self) -> str:
        return repr(self.change)

    def apply(self, topology: Topology) -> None:
        """The change's ``apply``; its exception a :class:`KindFailed` naming the kind and the change."""
        try:
            self.change.apply(topology)
        except Exception as error:
            text = str(error).splitlines()[0] if str(error) else ""
            raise KindFailed(
                f"{self.words}: its change {self.change!r} at {self.at:g} s failed: {type(error).__name__}"
                + (f": {text}" if text else "")
            ) from error
