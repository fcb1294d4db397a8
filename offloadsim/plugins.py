"""Plug-ins from other distributions: every registry's entry-point group, loaded once, lazily, the same way.

A registry (policies, arrival processes, record columns, link models,
kinds of timed change, processor models, kinds of work, run metrics) keeps the entries
registered in this process and declares one :class:`EntryPointGroup` for
what other distributions provide.  The group is read on the registry's
first look-up, in every process that looks (pool workers of ``compare``
and ``sweep --workers N`` start fresh and see only entry points, not
registrations made in the parent).  A plug-in that fails to load, or whose
name is taken, is a warning naming the plug-in and its distribution, and
is skipped: one broken package must not stop every run.
:data:`GROUPS` lists the groups of the registries imported so far.
"""

from __future__ import annotations

import os
import sys
import types
import warnings
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from importlib import metadata
from typing import Any, Generic, TypeVar

from offloadsim.provenance import plugin_fingerprint

__all__ = [
    "GROUPS",
    "EntryPointGroup",
    "NamedPlugins",
    "PluginSkipped",
    "PluginWarning",
    "dotted_name",
    "blame",
    "first_line",
    "instance",
    "method_codes",
    "plugin_codes",
    "named_object",
    "origin_of",
    "plugin_line",
    "provenance",
    "said_elsewhere",
    "said_raised",
    "same_plugin",
    "shipped_module",
    "traceback_frames",
    "unclaimed",
]

#: Every entry-point group offloadsim reads, by group name, as registries declare them.
GROUPS: dict[str, EntryPointGroup] = {}

# Groups whose warnings the process that started this one has said (a pool worker's parent).
_SAID_ELSEWHERE: set[str] = set()


def said_elsewhere(groups: Iterable[str]) -> None:
    """The warnings of ``groups`` (skipped plug-ins) were said by the process that started this one.

    A pool worker of ``compare`` and ``sweep`` reads the same entry points as its parent, which
    read them all before starting it and said each skipped plug-in once, on one line; the worker
    loads them for itself, silently, instead of saying each again, once per worker, in Python's
    two-line format with a source line (its warnings are not the command line's).
    """
    _SAID_ELSEWHERE.update(groups)


def shipped_module(module: str) -> bool:
    """Whether code defined in ``module`` (a ``__module__``) is offloadsim's own, not a plug-in's or a user's.

    The one test for "shipped": a policy registered by other code is handed to pool workers
    (:func:`~offloadsim.policies.registry.registered_here`), and an exception raised in a
    policy that is not shipped is the policy's, not offloadsim's bug (:mod:`offloadsim.policies.faults`).

    >>> [shipped_module(name) for name in ("offloadsim", "offloadsim.policies.basic", "offloadsim_x")]
    [True, True, False]
    """
    return module == "offloadsim" or module.startswith("offloadsim.")


def dotted_name(obj: Any) -> str:
    """``module.Qualified.name`` of a class or function a user registered, for messages naming it.

    >>> dotted_name(shipped_module)
    'offloadsim.plugins.shipped_module'

    A worker process imports the script that started Python as ``__mp_main__``: its classes are
    named as the script's own, ``__main__``, so that a message says the same on any number of workers.
    """
    module = getattr(obj, "__module__", "?")
    return f"{'__main__' if module == '__mp_main__' else module}.{getattr(obj, '__qualname__', repr(obj))}"


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def traceback_frames(error: BaseException) -> list[tuple[types.FrameType, int]]:
    """Each frame of ``error``'s traceback, outermost first, with the line it was at."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def method_codes(cls: type, *, shipped: bool = True) -> dict[types.CodeType, str]:
    """The code of every function defined on ``cls`` and its bases (but object), each with its method's name.

    A function nested in a method (a callback it schedules, which runs later from the event loop,
    outside the method) counts as that method's code: an exception raised there is the class's.
    ``shipped=False`` leaves out the code of offloadsim's own classes (a plug-in's base class).
    """
    codes: dict[types.CodeType, str] = {}
    for klass in cls.__mro__[:-1]:
        if not shipped and shipped_module(klass.__module__):
            continue
        for name, value in vars(klass).items():
            function = value.__func__ if isinstance(value, classmethod | staticmethod) else value
            function = getattr(function, "fget", function)  # a property's getter
            code = getattr(function, "__code__", None)
            if isinstance(code, types.CodeType):
                for one in _with_nested(code):
                    codes.setdefault(one, name)
    return codes


def _with_nested(code: types.CodeType) -> list[types.CodeType]:
    """``code`` and the code of every function defined inside it, at any depth."""
    found, nested = [], [code]
    while nested:
        one = nested.pop()
        found.append(one)
        nested.extend(const for const in one.co_consts if isinstance(const, types.CodeType))
    return found


def plugin_line(error: BaseException) -> str:
    """`` (FILE, line N, in FUNCTION)`` for the innermost frame of ``error`` outside offloadsim, or ``""``.

    Where in a plug-in's (or a user's) code an exception it caused was raised, for the one line
    that says it is the plug-in's: the file's base name, as a traceback's last line would show it.
    """
    for frame, line in reversed(traceback_frames(error)):
        path = os.path.abspath(frame.f_code.co_filename)
        if not path.startswith(_PACKAGE_DIR + os.sep):
            return f" ({os.path.basename(path)}, line {line}, in {frame.f_code.co_name})"
    return ""


def said_raised(what: str, error: BaseException, when: str = "") -> str:
    """``WHAT raised TYPE WHEN: first line of its message (file.py, line N, in f)``: a plug-in's exception."""
    text = first_line(error)
    return f"{what} raised {type(error).__name__}{when}" + (f": {text}" if text else "") + plugin_line(error)


def first_line(error: BaseException) -> str:
    """The first line of a plug-in's exception's message ("" for none), whatever its ``__str__`` does.

    A plug-in's exception class whose ``__str__`` raises (or returns no str) turned the one line
    naming the plug-in into offloadsim's internal error (exit 1); it is said as such instead.
    """
    try:
        text = str(error)
    except Exception as failed:  # the plug-in's __str__ is its code too
        return f"(its message could not be read: its __str__ raised {type(failed).__name__})"
    return text.splitlines()[0] if text else ""


def plugin_codes(plugin: object) -> dict[types.CodeType, str]:
    """The code of ``plugin`` (not offloadsim's), each with its method's name; nothing for a shipped one.

    A class's methods (its bases' too, but offloadsim's), an instance's class's, or a function's
    own code; a function nested in one (a callback it returns or schedules) counts as its.
    """
    if isinstance(plugin, type):
        return method_codes(plugin, shipped=False)
    code = getattr(plugin, "__code__", None)
    if isinstance(code, types.CodeType):
        if shipped_module(str(getattr(plugin, "__module__", ""))):
            return {}
        return dict.fromkeys(_with_nested(code), code.co_name)
    return method_codes(type(plugin), shipped=False)


def blame(
    error: BaseException,
    plugins: Sequence[tuple[object, str]],
    when: str = "",
    defer_to: Container[types.CodeType] = (),
) -> str | None:
    """One line saying which of ``plugins`` raised ``error``, or None if none of their code did.

    ``plugins``: each plug-in object (an instance, a class or a function) with the words naming it
    (``processor model "m" (mod.Class) of processor "cpu" at "edge"``).  The plug-in blamed is the one
    whose code ``error`` passed through last (innermost: a processor's ``submit`` a kind of work
    called is the processor's); the method named is the outermost of its frames, the one offloadsim
    called, then ``when``.  Where several objects share that code, the one the frame's ``self`` is;
    else all of them.  None too when code in ``defer_to`` (a plug-in policy's) ran deeper still.
    SimPy's copy of a process's exception is read as the original, its cause.
    """
    cause = error.__cause__
    if type(cause) is type(error) and cause.args == error.args:  # SimPy's copy of a process's exception
        error = cause
    frames = traceback_frames(error)
    owners = [(plugin, what, plugin_codes(plugin)) for plugin, what in plugins]
    deepest, blamed = -1, None
    for i, (frame, _) in enumerate(frames):
        for _, _, codes in owners:
            if frame.f_code in codes:
                deepest, blamed = i, codes
    if blamed is None or any(frame.f_code in defer_to for frame, _ in frames[deepest + 1 :]):
        return None
    frame = next(frame for frame, _ in frames if frame.f_code in blamed)
    sharing = [(plugin, what) for plugin, what, codes in owners if codes is blamed or frame.f_code in codes]
    this = [what for plugin, what in sharing if plugin is frame.f_locals.get("self")]
    names = this or list(dict.fromkeys(what for _, what in sharing))
    return said_raised(" or ".join(names), error, f" in {blamed[frame.f_code]}(){when}")


class PluginWarning(UserWarning):
    """A plug-in could not be loaded, or was ignored, and is skipped."""


class PluginSkipped(Exception):
    """Raised by a registry's ``add`` to skip a loaded plug-in with a reason (e.g. its name is taken)."""


# One scan of the installed distributions serves every group: a scan reads every distribution's
# metadata, and a run looks up about nine groups (the scans were a tenth of a short run's start-up).
# Made again when sys.path changes (a distribution put on it) or a group is forgotten.
_SCAN: tuple[tuple[str, ...], Any] | None = None

#: How every offloadsim entry-point group's name begins, as a section of ``entry_points.txt`` opens.
_SECTION = "[offloadsim"


def entry_points(group: str) -> Any:
    """The installed entry points of ``group``, one of offloadsim's (a seam tests can replace)."""
    global _SCAN
    path = tuple(sys.path)
    if _SCAN is None or _SCAN[0] != path:
        _SCAN = (path, metadata.entry_points() if _any_declared() else metadata.EntryPoints(()))
    return _SCAN[1].select(group=group)


def _any_declared() -> bool:
    """Whether any installed distribution's ``entry_points.txt`` has a section of an offloadsim group.

    Read as text: without one (most installations: no plug-ins) the scan that parses every
    distribution's entry points, console scripts and all, into objects would find nothing of
    offloadsim's, and it took about 2 ms of each run's start-up (issue 12 e).
    """
    return any(_SECTION in (dist.read_text("entry_points.txt") or "") for dist in metadata.distributions())


def origin_of(entry: Any) -> str:
    """``"<distribution> <version>"`` of an entry point, as listings and warnings name it."""
    dist = getattr(entry, "dist", None)
    return f"{dist.name} {dist.version}" if dist is not None else "an unknown distribution"


#: ``add(entry, loaded, origin)``: register what one entry point named; raise to skip it.
Add = Callable[[Any, Any, str], None]


class EntryPointGroup:
    """One entry-point group of one registry: read once, on first use, each entry handed to ``add``.

    ``what`` names a plug-in of the group in messages (``"link model"``).
    ``add`` registers the loaded object; it raises :class:`PluginSkipped`
    to leave it out with a reason, and any other exception counts as a
    failure to load.
    """

    def __init__(self, group: str, what: str, add: Add, warning: type[Warning] = PluginWarning):
        if not group.startswith(_SECTION[1:]):
            raise ValueError(f"an entry-point group of offloadsim's is named offloadsim.*, not {group!r}")
        self.group = group
        self.what = what
        self._add = add
        self.warning = warning
        self.loaded = False
        self.failed: dict[str, str] = {}  # name -> why the entry point of that name could not be loaded
        self.provided: list[tuple[Any, Any]] = []  # (entry point, what it loaded) of each plug-in added
        GROUPS[group] = self

    def load(self) -> None:
        """Read the group's entry points unless done already in this process."""
        if self.loaded:
            return
        self.loaded = True  # first, so that a plug-in looking itself up while loading does not recurse
        self.failed = {}
        self.provided = []
        for entry in entry_points(self.group):
            where = _where(self.what, entry)
            malformed = _malformed(self.group, entry)
            if malformed is not None:  # importlib's load() said "AttributeError: 'NoneType' object ..."
                self.failed[entry.name] = f"{where} could not be loaded: {malformed}"
                self._warn(f"could not load {where}; it is skipped: {malformed}")
                continue
            try:
                loaded = entry.load()
            # A broken plug-in must not take the simulator down; nor one whose module ends the
            # process as it is imported (sys.exit("install torch first")), which ended every
            # command, `offloadsim policies` included, without a word, with the module's status.
            except (Exception, SystemExit) as error:
                self._failed(entry.name, where, error)
                continue
            try:
                self._add(entry, loaded, origin_of(entry))
            except PluginSkipped as reason:
                # Kept as a failure too: a scenario naming the entry (a kind named otherwise) is
                # refused with this reason, not as an unknown name beside the warning.
                self.failed.setdefault(entry.name, f"{where} is ignored: {reason}")
                self._warn(f"{where} is ignored: {reason}")
            except Exception as error:
                self._failed(entry.name, where, error)
            else:
                self.provided.append((entry, loaded))

    def failure(self, name: str) -> str | None:
        """Why the plug-in ``name`` of this group could not be loaded (None: no entry point of it failed).

        For the one line that refuses a scenario naming it: not just "unknown", when the user
        installed it and its import (or its registration) failed.
        """
        return self.failed.get(name)

    def refusal(self, name: object, unknown: str, listed: str) -> str:
        """``unknown`` (``unknown link model "x"``) and why plug-in ``name`` did not load; else ``+ listed``.

        The one way each registry refuses a name: a plug-in the user installed whose import failed,
        or that was skipped (misnamed, name taken), is refused with that reason, not as an unknown
        name beside the warning; any other name gets ``listed`` (a did-you-mean, the known names).
        """
        failed = self.failure(name) if isinstance(name, str) else None
        return f"{unknown}: the {failed}" if failed is not None else unknown + listed

    def _failed(self, name: str, where: str, error: BaseException) -> None:
        text = first_line(error)
        reason = f"{type(error).__name__}: {text}" if text else type(error).__name__
        self.failed[name] = f"{where} could not be loaded: {reason}"
        self._warn(f"could not load {where}; it is skipped: {reason}")

    def forget(self) -> None:
        """The next look-up reads the entry points again (tests, and after installing a plug-in)."""
        global _SCAN
        self.loaded = False
        _SCAN = None

    def _warn(self, message: str) -> None:
        if self.group in _SAID_ELSEWHERE:
            return
        warnings.warn(f"offloadsim: {message}", self.warning, stacklevel=4)


def _malformed(group: str, entry: Any) -> str | None:
    """Why ``entry``'s value is no ``module`` or ``module:attribute`` (``pmod:``), or None where it is one.

    Named by group, name and value: importlib's own ``load()`` fails on it with ``'NoneType' object
    has no attribute 'group'``, which names none of them.
    """
    value = getattr(entry, "value", None)
    if not isinstance(value, str) or metadata.EntryPoint.pattern.match(value) is not None:
        return None
    return (
        f"entry point {entry.name!r} of group {group} has a malformed value {value!r}: expected "
        "'module' or 'module:attribute' (its package's entry_points)"
    )


def _where(what: str, entry: Any) -> str:
    """``link model plug-in 'x' (pkg.mod:obj) from distribution pkg 0.1``: a plug-in, named for messages."""
    value = getattr(entry, "value", None)
    target = f" ({value})" if value else ""
    dist = "from distribution " if getattr(entry, "dist", None) is not None else "from "
    return f"{what} plug-in {entry.name!r}{target} {dist}{origin_of(entry)}"


def instance(loaded: Any) -> Any:
    """What an entry point names, as an object: a class is instantiated without arguments."""
    return loaded() if isinstance(loaded, type) else loaded


def same_plugin(registered: Any, loaded: Any) -> bool:
    """Whether ``loaded`` is what is registered already (the plug-in registered itself on import)."""
    return registered is loaded or (
        not isinstance(loaded, type) and not callable(registered) and type(registered) is type(loaded)
    )


def unclaimed(table: Mapping[str, Any], name: str, loaded: Any, what: str) -> bool:
    """Whether ``loaded`` should be registered as ``name`` in ``table``.

    False when it is there already (it registered itself on import); raises
    :class:`PluginSkipped` when another ``what`` holds the name.
    """
    if name not in table:
        return True
    if same_plugin(table[name], loaded):
        return False
    raise PluginSkipped(f"a {what} named {name!r} is already registered")


def named_object(entry: Any, loaded: Any, table: Mapping[str, Any], what: str) -> Any | None:
    """The named object (a kind) an entry point gives, to register; None if it is registered already.

    A class is instantiated; the object's ``name`` must be the entry's.
    """
    obj = instance(loaded)
    if obj.name != entry.name:
        raise PluginSkipped(f"the {what} it names is called {obj.name!r}, not {entry.name!r}")
    return obj if unclaimed(table, obj.name, obj, what) else None


def register_entry(
    entry: Any, loaded: Any, expected: type, what: str, add: Callable[[Any], None], present: bool
) -> None:
    """Register what one entry point named, as a registry's ``add`` does: skip what is not ``expected``.

    ``loaded`` must be an ``expected`` (a ``SummaryMetric``, a ``WarningKind``) named as ``entry``;
    ``present``: it registered itself on import (nothing to do).  A clash ``add`` refuses (a
    ``ValueError``: its name is another's) skips it, said as the plug-in's (:class:`PluginSkipped`).
    """
    if not isinstance(loaded, expected):
        raise PluginSkipped(f"it names a {type(loaded).__name__}, not a {expected.__name__}")
    name = getattr(loaded, "name", None)
    if name != entry.name:
        raise PluginSkipped(f"the {what} it names is called {name!r}, not {entry.name!r}")
    if present:
        return
    try:
        add(loaded)
    except ValueError as taken:
        raise PluginSkipped(str(taken)) from None


#: What a :class:`NamedPlugins` registry holds: an object with a ``name`` (a ``WarningKind``, ...).
Named = TypeVar("Named")


class NamedPlugins(Generic[Named]):
    """The front end of a registry of named objects that reads one entry-point group as it is looked at.

    Each entry point names one ``expected`` object named as the entry (a ``WarningKind``, a
    ``SummaryMetric``, a ``FigureKind``); it is registered with ``register`` unless it registered
    itself on import (it is among ``registered()`` already), and one of another type, misnamed or
    whose name is taken is skipped, said as the plug-in's (:func:`register_entry`).  Every look-up
    (:meth:`all`, :meth:`named`) reads the group first, once per process, pool workers included.
    ``what`` names an entry in messages (``warning kind``); ``named``: the registry's look-up by name
    (by default, the first of ``registered()`` of that ``name``).
    """

    def __init__(
        self,
        group: str,
        what: str,
        expected: type[Named],
        register: Callable[[Named], None],
        registered: Callable[[], tuple[Named, ...]],
        named: Callable[[str], Named | None] | None = None,
    ) -> None:
        self.expected = expected
        self._register = register
        self._registered = registered
        self._named = named
        self.group = EntryPointGroup(group, what, self._add)

    def _add(self, entry: Any, loaded: Any, origin: str) -> None:
        """Register one entry point's object, unless it registered itself on import; skip one that clashes."""
        present = any(loaded is other for other in self._registered())
        register_entry(entry, loaded, self.expected, self.group.what, self._register, present)

    def all(self) -> tuple[Named, ...]:
        """Every registered object, offloadsim's first, in the order registered (entry points read once)."""
        self.group.load()
        return self._registered()

    def named(self, name: str) -> Named | None:
        """The registered object called ``name`` (entry points read once); None where none is."""
        self.group.load()
        if self._named is not None:
            return self._named(name)
        return next((item for item in self._registered() if getattr(item, "name", None) == name), None)

    def used(
        self, shipped: Callable[[Named], bool], module: Callable[[Named], str | None]
    ) -> list[dict[str, Any]]:
        """The registered objects not ``shipped``, as a run's manifest's ``plugins`` lists what it used.

        Each :func:`provenance`'s, its ``module`` (that of its code) said where no distribution
        declared it (a script's, a test's); none where only offloadsim's are registered, so a run or
        job of those keeps its manifest's ``plugins`` and its key.
        """
        return [
            provenance(self.group, str(getattr(item, "name", "")), item, module(item))
            for item in self.all()
            if not shipped(item)
        ]


def provenance(group: EntryPointGroup, name: str, plugin: Any, module: str | None = None) -> dict[str, Any]:
    """What a run's manifest records of the plug-in ``plugin`` of ``group`` that it used as ``name``.

    ``{"group", "name", "distribution", "version", "code"}`` when an entry point of ``group`` loaded
    it (``plugin`` is what it named, or an instance of the class it named): the same hash, seed,
    versions and code then give the same records.  ``code`` is the plug-in's package's files'
    fingerprint (:func:`~offloadsim.provenance.plugin_fingerprint`), so that an edit made without
    raising the version still changes a sweep's job keys.  A plug-in registered in this process (by a script's
    ``__main__``, a test) has no distribution: ``"distribution": None`` and the ``module`` it was
    defined in (``module``, default ``plugin``'s; ``""``: not known) and its ``code``, which name its
    code but not a version.
    """
    group.load()
    used = {"group": group.group, "name": name}
    for entry, loaded in group.provided:
        if plugin is loaded or (isinstance(loaded, type) and type(plugin) is loaded):
            dist = getattr(entry, "dist", None)
            if dist is not None:
                return {
                    **used,
                    "distribution": dist.name,
                    "version": str(dist.version),
                    **_code(entry.module),
                }
    if module is None:
        module = str(getattr(plugin, "__module__", ""))
    return {**used, "distribution": None, "module": module or None, **_code(module)}


def _code(module: str) -> dict[str, str]:
    """``{"code": digits}`` naming the files of the plug-in's package (``{}`` where none were read)."""
    digits = plugin_fingerprint(module) if module else None
    return {"code": digits} if digits else {}
