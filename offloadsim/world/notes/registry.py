"""The note providers: each kind of note on where a run's numbers come from, registered once.

A note says what a number rests on (a profile measured on another CPU, a precision's speed-up
that is a ratio of data-sheet peaks, a plain ``speed:`` the scenario states itself, ...).  Each
kind is a provider: a function of one :class:`NoteContext` returning :class:`Note` objects (their
kind, the facts they rest on as JSON-ready data, and their text).  The world
(:mod:`offloadsim.world.build`) calls every registered provider in registration order; a new kind
of note is one module and one :func:`register_note` (:mod:`offloadsim.world.notes.shipped` has the
shipped ones).  A leaf module: the figures read the notes a manifest keeps without the world.

Other distributions add kinds through the entry-point group ``offloadsim.note_providers``
(:data:`PLUGINS`): each entry names a :class:`NoteProvider` of the entry's kind, or a provider
function (registered as :func:`register_note` would, with its defaults).  A provider that is not
offloadsim's own is called through :func:`provider_notes`: its exception, or a result that is
not notes, is :class:`NoteProviderFailed`, one line naming its kind, its function and where it
came from, not offloadsim's internal error.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from offloadsim.errors import RunError
from offloadsim.field_values import FieldValues
from offloadsim.plugins import EntryPointGroup, PluginSkipped, dotted_name, said_raised, shipped_module
from offloadsim.suggest import listed, quoted

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGINS",
    "Note",
    "NoteContext",
    "NoteLine",
    "NoteProvider",
    "NoteProviderFailed",
    "app_facts",
    "group_sizes",
    "joined_sizes",
    "node_facts",
    "nodes_text",
    "figure_notes",
    "merged",
    "note_providers",
    "provider_notes",
    "register_note",
    "unregister_note",
    "with_nodes_of",
]


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Note(FieldValues):
    """One note: its ``kind`` (its provider's), its ``text``, and the ``facts`` it is made of.

    ``facts``: JSON-ready data (the keys and values it rests on), which a sweep's or comparison's
    manifest keeps beside the text so that several points' notes merge from them, not from their
    wording; ``about``: ``"energy"`` for a note said under energy figures only.
    """

    kind: str
    text: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    about: str = ""

    def line(self) -> NoteLine:
        """The text, as a ``str`` that keeps this note (what the world's notes are)."""
        return NoteLine.of(self)


class NoteLine(str):
    """A note's text that keeps its :class:`Note`: the world's notes are these, read as plain lines.

    What a sweep gathers from its points' worlds, where several lines of one kind merge into one
    (:func:`merged`) from their notes' facts.
    """

    note: Note

    @classmethod
    def of(cls, note: Note) -> NoteLine:
        """``note``'s text, keeping ``note``."""
        line = cls(note.text)
        line.note = note
        return line


# eq=False: a bundle of one run's tables and parts, compared by identity (nothing compares or hashes
# two); the value __eq__ and __hash__ dataclass would write cost start-up (issue 12 e).
@dataclass(frozen=True, eq=False)
class NoteContext:
    """What a provider is called with: the scenario, the runs noted, and the world's parts.

    ``here``: the lines a run says (its times and energy rest on them, and this machine's CPU),
    not only those a check of the file (``validate``) says.  ``policies``: the policy objects or
    PolicySpecs of the run noted (None: the scenario's own).  ``under``: where the runs noted may
    place an application's layers (:data:`offloadsim.world.placed.Under`).  ``apps`` and
    ``processors``: the world's applications (AppTemplates) and every processor (ProcessorModels,
    a node's first first); ``nodes``: NodeSpecs by node name.  ``world``: the built World; None
    where the notes are worked out from the scenario alone, for a sweep's or comparison's manifest
    (then ``apps`` are built only where one sets a precision or codec, else are their specs with no
    layers, and ``processors`` are every one only where an application sets one, else the plain
    speeds): only providers registered with ``needs_world=False`` are called there.
    ``ahead``: said before any run (a dry run's description of the world): ``under`` is where the
    runs would be allowed to compute, which a note words as such, not as where they did.
    """

    scenario: Any
    here: bool
    policies: tuple[Any, ...] | None
    under: Callable[[Any, Any], tuple[str, ...] | None]
    apps: Sequence[Any]
    processors: Sequence[Any]
    nodes: Mapping[str, Any]
    world: Any = None
    ahead: bool = False

    @property
    def groups(self) -> dict[str, str]:
        """Each node's group: the scenario key its processor and power were given under."""
        return {name: node.group for name, node in self.nodes.items()}


def app_facts(texts: Mapping[str, str]) -> dict[str, Any]:
    """A note's facts saying the applications it is about, and its line as of each alone.

    ``texts``: each application the note speaks of, to the note's line had it spoken of that
    one only.  ``apps``: their names, so that a figure of other applications (``plot --where
    app=X``) leaves the note out; ``each_app``, where it names several: what a figure of one of
    them says (:func:`~offloadsim.world.notes.kept.said_under_figure`).
    """
    facts: dict[str, Any] = {"apps": list(texts)}
    return {**facts, "each_app": dict(texts)} if len(texts) > 1 else facts


def node_facts(names: Iterable[str], groups: Mapping[str, str]) -> tuple[list[str], dict[str, int]]:
    """``names`` (nodes) with each ``count:`` group all of whose nodes they name said as the group.

    ``groups``: each node's group (:attr:`NoteContext.groups`).  A note about every phone of a
    group of 500,000 named each (megabytes of manifest); it names ``phone`` as the scenario spells
    it, at its first node's place, and says its size (``phone: 500000``), so that a figure of
    ``phone-7`` keeps it (:func:`~offloadsim.world.notes.kept.said_under_figure`).  A node of no
    ``count`` (named as its group) or a group only some of whose nodes are named: its nodes' names.
    """
    named = list(dict.fromkeys(names))
    of_group = group_sizes({name: groups.get(name, name) for name in named})
    sizes = {g: n for g, n in group_sizes(groups).items() if of_group.get(g) == n}
    said = dict.fromkeys(groups.get(name, name) if groups.get(name) in sizes else name for name in named)
    return list(said), sizes


def group_sizes(groups: Mapping[str, str]) -> dict[str, int]:
    """How many nodes each ``count:`` group made (``groups``: each node's group).

    A node named as its group (no ``count:``) is of none.

    >>> group_sizes({"phone-0": "phone", "phone-1": "phone", "edge": "edge"})
    {'phone': 2}
    """
    sizes: dict[str, int] = {}
    for name, group in groups.items():
        if group != name:
            sizes[group] = sizes.get(group, 0) + 1
    return sizes


def joined_sizes(*facts: Mapping[str, Any]) -> dict[str, int]:
    """The ``node_groups`` of several notes' facts as one: each group's largest size (a swept count's)."""
    sizes: dict[str, int] = {}
    for each in facts:
        for group, size in (each.get("node_groups") or {}).items():
            sizes[group] = max(sizes.get(group, 0), int(size))
    return sizes


def nodes_text(context: NoteContext, names: list[str], most: int = 3) -> str:
    """``phone-*`` for every node of a counted group, else the names (the first ``most``, and a count).

    How a note's text names nodes (the ``edge`` ties, the peers ``random`` spreads tasks over):
    one helper for every note, as :func:`node_facts` is for their facts.

    >>> from types import SimpleNamespace as Node
    >>> nodes = {n: Node(group="phone") for n in ("phone-0", "phone-1")} | {"edge": Node(group="edge")}
    >>> context = NoteContext(None, False, None, lambda app, policy: None, (), (), nodes)
    >>> nodes_text(context, ["phone-0", "phone-1", "edge"]), nodes_text(context, ["phone-1", "edge"])
    ('phone-* and edge', 'phone-1 and edge')
    >>> nodes_text(context, ["phone-0", "phone-1", "edge"], most=1)
    'phone-* and 1 more'
    """
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(context.nodes[name].group, []).append(name)
    said: list[str] = []
    for group, members in groups.items():
        size = sum(node.group == group for node in context.nodes.values())
        said += [f"{group}-*"] if size > 1 and len(members) == size else members
    if len(said) > most:
        return f"{', '.join(said[:most])} and {len(said) - most} more"
    return listed(said)


#: A note's facts on the nodes it is about: their names, the groups named whole, each's line of some.
_NODE_FACTS = ("nodes", "node_groups", "each_node")


def with_nodes_of(note: Note, other: Note) -> Note:
    """``note`` about ``other``'s nodes too (facts ``nodes``): one line said at several points is of them all.

    A sweep of ``nodes.phone.count`` says "energy rests on nodes.phone.power ..." at each point,
    kept once with the first point's phones only: a figure of another point's phone-1 left it
    out.  Where either names none (it is about every node), neither does the result; its lines
    of some nodes (``each_node``) are those of both, each of the nodes either said it of.
    """
    mine, theirs = note.facts.get("nodes"), other.facts.get("nodes")
    if mine == theirs and note.facts.get("node_groups") == other.facts.get("node_groups"):
        return note
    facts = {key: value for key, value in note.facts.items() if key not in _NODE_FACTS}
    if mine and theirs:
        facts["nodes"] = list(dict.fromkeys([*mine, *theirs]))
        sizes = joined_sizes(note.facts, other.facts)
        if sizes:
            facts["node_groups"] = sizes
        lines: dict[str, dict[str, None]] = {}  # line -> its nodes, in order
        for item in (*note.facts.get("each_node", ()), *other.facts.get("each_node", ())):
            lines.setdefault(item["note"], {}).update(dict.fromkeys(item["nodes"]))
        if lines:
            facts["each_node"] = [{"note": line, "nodes": list(nodes)} for line, nodes in lines.items()]
    return replace(note, facts=facts)


#: ``run``: said of each run noted (a comparison's notes say which policies one holds under);
#: ``placed``: said once of every run noted, naming those that may place where it is about.
Scope = Literal["run", "placed"]


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class NoteProvider(FieldValues):
    """A registered kind of note: see :func:`register_note`."""

    kind: str
    notes: Callable[[NoteContext], Iterable[Note]]
    scope: Scope = "run"
    needs_world: bool = True
    merge: Callable[[Sequence[Note]], Note] | None = None
    #: Whether its notes are said under figures (None: where it needs no world, as before this was said).
    figures: bool | None = None
    #: The registered names of the policies it is about (None: every run's): called, and its module's
    #: imports of those policies made, only for runs of one of them (a composite's inner ones count).
    policies: frozenset[str] | None = None

    @property
    def under_figures(self) -> bool:
        """Whether a figure of the runs it notes says its notes (``figures``, else ``not needs_world``)."""
        return not self.needs_world if self.figures is None else self.figures

    def concerns(self, policies: Collection[str]) -> bool:
        """Whether it is about runs of ``policies`` (their names, composites' inner ones included)."""
        return self.policies is None or any(name in self.policies for name in policies)


_PROVIDERS: dict[str, NoteProvider] = {}


def register_note(
    kind: str,
    notes: Callable[[NoteContext], Iterable[Note]],
    *,
    scope: Scope = "run",
    needs_world: bool = True,
    merge: Callable[[Sequence[Note]], Note] | None = None,
    figures: bool | None = None,
    policies: Iterable[str] | None = None,
) -> NoteProvider:
    """Register the provider of notes of ``kind``: said after those registered before it.

    ``scope``: ``"run"`` (default) where ``notes`` speaks of one run (called per policy of a
    comparison), ``"placed"`` where it reads ``context.under`` and names the runs itself;
    ``needs_world=False`` where it can be worked out from the scenario alone (``context.world``
    None): then a sweep's or comparison's manifest keeps it for the figures; ``merge``: several
    worlds' notes of this kind (a sweep's points) as one, from their facts, in its table and under
    its figures alike; ``figures``: whether a figure of the runs says its notes (default: where it
    needs no world), which the results record as they are written (:func:`figure_notes`);
    ``policies``: the names of the policies it is about (``("random", "round-robin")``): it is
    called only for runs one of whose policies, or of a composite's inner ones, has one of those
    names, so that what it imports to read them (a policy family's module) a run of others never
    does (default: every run).  A ValueError for a kind already registered.
    """
    if kind in _PROVIDERS:
        raise ValueError(f"a note provider of kind {kind!r} is registered already")
    about = None if policies is None else frozenset(policies)
    provider = NoteProvider(kind, notes, scope, needs_world, merge, figures, about)
    _PROVIDERS[kind] = provider
    return provider


def unregister_note(kind: str) -> None:
    """Remove the provider of ``kind`` (a test's, or a plug-in's being reloaded); none: nothing."""
    _PROVIDERS.pop(kind, None)
    _ORIGINS.pop(kind, None)


def note_providers() -> tuple[NoteProvider, ...]:
    """Every registered provider, in registration order (the order their notes are said in): plug-ins last."""
    PLUGINS.load()
    return tuple(_PROVIDERS.values())


class NoteProviderFailed(RunError):
    """A note provider that is not offloadsim's raised, or returned what is not notes: its fault, one line."""

    @property
    def show_cause_with_debug(self) -> bool:
        """Whether there is the provider's exception to show with ``--debug`` (not for a wrong result)."""
        return self.__cause__ is not None


def provider_notes(provider: NoteProvider, context: NoteContext) -> list[Note]:
    """``provider``'s notes on ``context``; a plug-in's exception or non-notes: :class:`NoteProviderFailed`.

    A shipped provider is called as it is: its exception is offloadsim's bug.
    """
    if shipped_module(str(getattr(provider.notes, "__module__", ""))):
        return list(provider.notes(context))
    words = _provider_words(provider)
    try:
        notes = list(provider.notes(context))
    except (Exception, SystemExit) as error:  # sys.exit() in a plug-in too: its failure, said
        raise NoteProviderFailed(said_raised(words, error, " as the world's notes were made")) from error
    for index, note in enumerate(notes):
        if not isinstance(note, Note) or not isinstance(note.text, str):
            what = (
                type(note).__name__
                if not isinstance(note, Note)
                else f"Note whose text is a {type(note.text).__name__}"
            )
            raise NoteProviderFailed(
                f"{words} returned a {what} as its note {index}, not an offloadsim.world.notes.registry.Note "
                f"(its kind, its text and its facts)"
            )
    return notes


def _provider_words(provider: NoteProvider) -> str:
    """``note provider "k" (mod.function, from distribution d 1.0)``: a provider, named for its lines."""
    origin = _ORIGINS.get(provider.kind, "")
    where = f", from {origin}" if origin else ""
    return f"note provider {quoted(provider.kind)} ({dotted_name(provider.notes)}{where})"


#: The entry-point group other distributions declare note providers in.
ENTRY_POINT_GROUP = "offloadsim.note_providers"

_ORIGINS: dict[str, str] = {}  # kind -> the distribution whose entry point added it


def _add_plugin(entry: Any, loaded: Any, origin: str) -> None:
    """Register one entry point's provider (a NoteProvider, or a function of the entry's kind)."""
    if isinstance(loaded, NoteProvider):
        provider = loaded
    elif callable(loaded):
        provider = NoteProvider(entry.name, loaded)
    else:
        raise PluginSkipped(f"it names a {type(loaded).__name__}, not a NoteProvider or a provider function")
    if provider.kind != entry.name:
        raise PluginSkipped(f"the note provider it names is of kind {provider.kind!r}, not {entry.name!r}")
    if provider.scope not in ("run", "placed"):
        raise PluginSkipped(f"its scope is {provider.scope!r}, not 'run' or 'placed'")
    registered = _PROVIDERS.get(provider.kind)
    if registered is not None and registered.notes is not provider.notes:
        raise PluginSkipped(f"a note provider of kind {provider.kind!r} is registered already")
    _PROVIDERS.setdefault(provider.kind, provider)
    _ORIGINS[provider.kind] = f"distribution {origin}"


#: Note providers other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "note provider", _add_plugin)


def merged(notes: Iterable[str]) -> dict[str, list[str]]:
    """``notes`` with several of one kind that merges (a GPU line per precision) as one, at the first's place.

    Each line said maps to the notes it stands for (a note to itself): a sweep's dry run says
    which points a merged line is of from them.  A plain ``str`` (a note said under some policies
    only) is kept as it is.
    """
    notes = list(dict.fromkeys(notes))
    kinds: dict[str, list[NoteLine]] = {}
    for note in notes:
        if isinstance(note, NoteLine) and (provider := _PROVIDERS.get(note.note.kind)) and provider.merge:
            kinds.setdefault(note.note.kind, []).append(note)
    out: dict[str, list[str]] = {}
    for note in notes:
        same = kinds.get(note.note.kind, []) if isinstance(note, NoteLine) else []
        if len(same) < 2:
            out[note] = [note]
        elif note is same[0]:
            merge = _PROVIDERS[note.note.kind].merge
            assert merge is not None
            out[merge([each.note for each in same]).line()] = list[str](same)
    return out


#: A kind's rows said under a figure that merge as one where at most this many distinct rows are
#: kept: each set of them a figure may draw is merged as the results are written (2**n - n - 1
#: lines); more are merged all together only, and a figure drawing some of them says each.
FIGURE_MERGE_ROWS = 6


def figure_notes(
    said: Iterable[tuple[str, Collection[int] | None]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The notes a figure of these runs says, and their merges: ``figure_notes``, ``figure_merges``.

    ``said``: each note with the points it holds for (None: every run).  Kept: the notes of each
    provider said under figures (:attr:`NoteProvider.under_figures`), each text once with its
    ``kind``, ``points`` and ``about``, in the providers' order.  Merges: for each kind that
    merges, rows that hold for points (a sweep's) merged by its provider as each set of them a
    figure may draw (``of``: their rows), so that the figures, which read the results and never
    the world nor its providers, say them as one line (a plain ``speed:`` swept, a GPU line per
    precision) from what was recorded when the world existed.  Rows for every run (a
    comparison's, a run's, and a line ``(under cloud only)``) are said as written.
    """
    order = {kind: i for i, kind in enumerate(_PROVIDERS)}
    kept: dict[str, tuple[Note, list[int] | None]] = {}
    for text, points in said:
        note = getattr(text, "note", None)
        provider = _PROVIDERS.get(note.kind) if isinstance(note, Note) else None
        if note is None or provider is None or not provider.under_figures:
            continue
        before, at = kept.get(str(text), (note, []))
        note = with_nodes_of(before, note)  # said at several points: of each one's nodes
        if points is None or at is None:
            kept[str(text)] = (note, None)
        else:
            kept[str(text)] = (note, [*at, *(p for p in points if p not in at)])
    ranked = sorted(kept.items(), key=lambda item: order[item[1][0].kind])  # stable: first said first
    rows = [
        {
            "note": text,
            "kind": note.kind,
            **({"points": sorted(at)} if at is not None else {}),
            **({"about": note.about} if note.about else {}),
            # the policies it holds under, and what a figure of one alone says (said_under_figure)
            # the applications it is about, what a figure of one alone says, its processors' profiles,
            # its nodes and what a figure of some of them says
            **{
                key: note.facts[key]
                for key in ("under", "each", "apps", "each_app", "profiles", *_NODE_FACTS)
                if note.facts.get(key)
            },
        }
        for text, (note, at) in ranked
    ]
    merges: list[dict[str, Any]] = []
    for kind in dict.fromkeys(str(row["kind"]) for row in rows):
        merge = _PROVIDERS[kind].merge
        of = [i for i, row in enumerate(rows) if row["kind"] == kind and "points" in row]
        if merge is None or len(of) < 2:
            continue
        sets = (
            [list(c) for n in range(2, len(of) + 1) for c in itertools.combinations(of, n)]
            if len(of) <= FIGURE_MERGE_ROWS
            else [of]
        )
        for each in sets:
            merged = merge([ranked[i][1][0] for i in each])
            alone = {key: merged.facts[key] for key in ("each_app", "each_node") if merged.facts.get(key)}
            merges.append({"kind": kind, "of": each, "note": merged.text, **alone})
    return rows, merges
