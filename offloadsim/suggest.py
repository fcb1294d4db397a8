"""Did-you-mean suggestions for misspelt names and units: case-only differences first, then close spellings.

``difflib`` alone misses short names that differ only by case (``T4`` for
``t4``: similarity 0.5), and those are the commonest slip, so every
suggestion in offloadsim comes from :func:`close_matches`.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "SCOPE_SECTION",
    "close_matches",
    "counted",
    "did_you_mean_key",
    "did_you_mean_name",
    "did_you_mean_file",
    "listed",
    "offered",
    "out_of_scope",
    "out_of_scope_first",
    "quoted",
    "quoted_listing",
    "scope_words",
    "short_listing",
    "with_words",
]


def quoted(name: object, *, whole: bool = False) -> str:
    r"""A user's name or word in a message, in double quotes: ``"edge"``, as values are shown.

    JSON's quotes, as ``scenario.errors.describe`` gives a value, so that a message quotes
    everything one way and what it quotes can be pasted into YAML or a ``--set``.  What is
    not text (a number a YAML key or value read as) is shown as Python writes it.

    Every control and format character (Unicode categories Cc and Cf: NUL, ESC, a right-to-left
    override U+202E, an isolate U+2066, a zero-width space) and a line or paragraph separator is
    escaped as JSON escapes NUL (``\u202e``, :mod:`offloadsim.unseen`), so that a name cannot
    reorder, hide or colour the rest of the line a terminal shows, and still reads back as JSON.

    >>> print(quoted("phone-3x"), quoted("my phone"), quoted(5))
    "phone-3x" "my phone" 5
    >>> print(quoted("ed\u202ege"), quoted("a\x00b"), quoted("\u2066x\x7f"))
    "ed\u202ege" "a\u0000b" "\u2066x\u007f"

    A name longer than :data:`offloadsim.unseen.SHOWN_MAX` characters is cut, as every user's text
    a message echoes (:func:`offloadsim.unseen.shown_text`): an unknown profile of 5,000 characters
    made a line of 5,400.  ``whole``: not cut (a path suggested, to be pasted back).

    >>> print(quoted("x" * 5000)[-30:])
    xxxxxxx"... (5,000 characters)
    """
    if not isinstance(name, str):
        return repr(name)
    import json

    from offloadsim.unseen import SHOWN_HEAD, SHOWN_MAX, escape_unseen

    if len(name) > SHOWN_MAX and not whole:
        return f"{quoted(name[:SHOWN_HEAD])}... ({len(name):,} characters)"
    return escape_unseen(json.dumps(name, ensure_ascii=False))


def quoted_listing(names: Iterable[object], limit: int = 3) -> str:
    """The first ``limit`` names quoted, and how many more (:func:`short_listing` of :func:`quoted`).

    >>> print(quoted_listing(["a", "b", "c", "d", "e"]))
    "a", "b", "c" and 2 more
    """
    return short_listing(names, limit, quoted)


def short_listing(names: Iterable[object], limit: int = 3, each: Callable[[object], str] = str) -> str:
    """The first ``limit`` names, each written by ``each``, and how many more: messages quote them, notes not.

    >>> print(short_listing(["old", "new", "lte"], 2))
    old, new and 1 more
    """
    names = list(names)
    shown = ", ".join(each(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def listed(words: Sequence[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``: the one way a message or a note lists things in words.

    Notes name the policies they hold under, the nodes and points; tables the models a row is for.
    Nothing is ``""``.  ``conjunction``: ``or`` for the values one key has at some points.

    >>> listed(["0"]), listed(["0", "2"]), listed(["0", "2", "4-6"]), listed([]), listed(["1", "2"], "or")
    ('0', '0 and 2', '0, 2 and 4-6', '', '1 or 2')
    """
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}" if len(words) > 1 else "".join(words)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and its ``noun``, plural unless one: ``1 point``, ``2 points``, ``0 jobs``.

    ``plural``: the noun's plural where it is not ``noun + "s"`` (``entries``, ``policies``).
    Every message that counts reads it, so that none says "links has 1 entries".

    >>> counted(1, "entry", "entries"), counted(2, "entry", "entries"), counted(0, "job")
    ('1 entry', '2 entries', '0 jobs')
    """
    return f"{count} " + (noun if count == 1 else plural or f"{noun}s")


#: A word shorter than this suggests no name merely for holding it (``s`` is in every ``_s`` name).
_MIN_PART = 3


def close_matches(
    word: str, candidates: Iterable[str], n: int = 1, cutoff: float = 0.6, *, within: float | None = None
) -> list[str]:
    """Up to ``n`` candidates close to ``word``: those equal to it but for case first.

    Among case-only matches, fewer changed characters come first, so ``mbps``
    suggests ``Mbps`` (megabits) before ``MBps`` (megabytes).  Then close spellings, then
    candidates holding ``word`` (of 3 characters or more) at the start of one of their parts:
    ``p95`` is no close spelling of ``latency_p95_s`` (difflib: 0.375), yet plainly part of it.

    >>> close_matches("T4", ["a100", "t4", "jetson-orin"])
    ['t4']
    >>> close_matches("mbps", ["Mbps", "MBps", "Gbps"], n=2)
    ['Mbps', 'MBps']
    >>> close_matches("resnet5", ["resnet50", "resnet18"])
    ['resnet50']
    >>> close_matches("p95", ["latency_mean_s", "latency_p95_s", "wait_p95_s"], n=3)
    ['latency_p95_s', 'wait_p95_s']

    With ``within``, only the close spellings about as close as the closest (their difflib
    similarity at most ``within`` below its, or below 1 after a case-only match) are kept, in
    the candidates' order: a word several names are equally near names them all, a plain typo
    of one name names that one.

    >>> names = ["latency_mean_s", "latency_p50_s", "latency_p95_s", "latency_p99_s", "wait_mean_s"]
    >>> close_matches("latency", names, n=4, within=0.05)
    ['latency_mean_s', 'latency_p50_s', 'latency_p95_s', 'latency_p99_s']
    >>> close_matches("latncy_p95_s", names, n=4, within=0.05)
    ['latency_p95_s']
    """
    import difflib  # here: every error message module imports this one, and few messages need it

    choices = list(dict.fromkeys(candidates))
    folded = word.casefold()
    by_case = sorted(
        (c for c in choices if c != word and c.casefold() == folded),
        key=lambda c: sum(a != b for a, b in zip(c, word, strict=False)),
    )
    if within is None:
        spelt = [
            c
            for c in difflib.get_close_matches(word, choices, n=max(1, len(choices)), cutoff=cutoff)
            if _near(word, c)
        ][:n]
    else:
        scored = sorted(
            ((difflib.SequenceMatcher(None, word, c).ratio(), i) for i, c in enumerate(choices)),
            key=lambda pair: (-pair[0], pair[1]),
        )
        best = 1.0 if by_case else (scored[0][0] if scored else 0.0)
        near = [i for ratio, i in scored if ratio >= max(cutoff, best - within) and _near(word, choices[i])][
            :n
        ]
        spelt = [choices[i] for i in sorted(near)]
    meant = [c for c in _MEANT.get(re.sub(r"[ -]", "_", folded), ()) if c in choices]
    found = list(dict.fromkeys([*by_case, *meant, *spelt]))
    if len(found) < n and len(word) >= _MIN_PART:
        found += [c for c in choices if c != word and c not in found and _holds(c, folded)]
    if len(found) < n:
        found += [c for c in choices if c not in found and _begins(folded, c)]
    return found[: max(n, len(meant))]  # every name a word means: "pipeline" is two policies


#: At most this share of a word's characters may be unmatched in a close spelling suggested for it.
_MAX_UNMATCHED = 1 / 3

#: Words that mean a key or name spelt otherwise: ``codec`` is ``compression`` (an activation codec);
#: ``pipeline`` a model's layers over a chain of stations, which ``multi-tier`` searches the cuts of
#: (device, edge, cloud) and ``fixed`` runs as given (any stations).
_MEANT: dict[str, tuple[str, ...]] = {
    "codec": ("compression",),
    "pipeline": ("multi-tier", "fixed"),
    # an LLM API's names for a request's lengths: max_tokens caps the output, not the prompt it is
    # spelt nearer (it suggested prompt_tokens)
    "max_tokens": ("output_tokens",),
    "max_new_tokens": ("output_tokens",),
    "input_tokens": ("prompt_tokens",),
}


def _near(word: str, candidate: str) -> bool:
    """Whether ``candidate`` keeps all but a third of ``word``'s characters, in order.

    difflib's similarity 0.6 let words with little in common through: ``fedavg`` suggested
    ``edge`` (only ``e``, ``d``, ``g`` shared) and ``codec`` ``model`` (``o``, ``d``, ``e``).  A typo
    of one letter in three, or a word a longer name holds whole, keeps well within this.

    >>> _near("fedavg", "edge"), _near("codec", "model")
    (False, False)
    >>> _near("egde", "edge"), _near("latency", "latency_p95_s")
    (True, True)
    """
    import difflib

    kept = sum(block.size for block in difflib.SequenceMatcher(None, word, candidate).get_matching_blocks())
    return len(word) - kept <= _MAX_UNMATCHED * len(word)


def _begins(folded: str, name: str) -> bool:
    """Whether ``folded`` is ``name`` (3 characters or more) with a part after it: a unit, mostly.

    A link's ``bandwidth_mbps`` is no close spelling of ``bandwidth`` (difflib: 0.78, but ``_near``
    finds a third of it unmatched), yet plainly that key with its unit in the name.

    >>> _begins("bandwidth_mbps", "bandwidth"), _begins("tail-ms", "tail"), _begins("bandwidths", "bandwidth")
    (True, True, False)
    """
    name = name.casefold()
    after = folded[len(name) : len(name) + 1]
    return len(name) >= _MIN_PART and folded.startswith(name) and after in ("_", "-")


def _holds(name: str, folded: str) -> bool:
    """Whether ``name`` holds ``folded`` (case-folded) from a part's start (after ``_ . - [`` or a space).

    >>> _holds("latency_p95_s", "p95"), _holds("latency_p95_s", "95"), _holds("utilisation_edge", "util")
    (True, False, True)
    """
    name = name.casefold()
    start = name.find(folded)
    while start >= 0:
        if start == 0 or name[start - 1] in "_.-[ ":
            return True
        start = name.find(folded, start + 1)
    return False


def did_you_mean_key(
    word: str, candidates: Iterable[str], n: int = 1, cutoff: float = 0.6, *, within: float | None = None
) -> str:
    """``' (did you mean "x"?)'`` for a KEY: a word of offloadsim's vocabulary (a key, kind, model, metric).

    As :func:`did_you_mean_name`, and a word for what is not modelled is pointed at README's scope
    list (:func:`out_of_scope_first`): ``encryption`` is not a misspelt ``description``.  Such a word
    that begins a candidate may mean either, and is told both (a processor's ``memory``:
    ``memory_bandwidth``, or the capacity nothing models).

    >>> print(did_you_mean_key("Edge", ["edge", "cloud"]))
     (did you mean "edge"?)
    >>> print(did_you_mean_key("latency", ["latency_mean_s", "latency_p50_s"], n=3, within=0.05))
     (did you mean "latency_mean_s" or "latency_p50_s"?)
    >>> print(did_you_mean_key("memory", ["memory_bandwidth", "speed"]))  # doctest: +ELLIPSIS
     (did you mean "memory_bandwidth"? offloadsim does not model memory capacity (...): see README.md, ...)
    """
    candidates = list(candidates)
    if pointer := out_of_scope_first(word, candidates):  # "encryption": no misspelt "description"
        return pointer
    said = did_you_mean_name(word, candidates, n, cutoff, within=within)
    return with_words(said, scope_words(word)) if said else said  # "offloadsim does not model ..."


def did_you_mean_name(
    word: str, candidates: Iterable[str], n: int = 1, cutoff: float = 0.6, *, within: float | None = None
) -> str:
    """``' (did you mean "x"?)'`` (or ``"x" or "y"``, ``"x", "y" or "z"``) for a NAME the user gives a thing.

    ``""`` when none is close; ``n``, ``cutoff`` and ``within`` as :func:`close_matches` takes them.
    A name (a node's, an application's, a group's) says nothing of what is modelled: a node named
    ``cache`` is an unknown node, not a request for caching (a link's ``between: [cache, ap]``), so
    no scope pointer, unlike :func:`did_you_mean_key`.  Every message's did-you-mean is one of the two.

    >>> did_you_mean_name("cache", ["phone", "ap"]), did_you_mean_name("memroy", ["memory"])
    ('', ' (did you mean "memory"?)')
    """
    return offered(close_matches(word, candidates, n, cutoff, within=within))


def offered(names: Sequence[str]) -> str:
    """``' (did you mean "x" or "y"?)'`` naming ``names`` (``"x", "y" or "z"`` for three); ``""`` for none.

    >>> offered(["multi-tier", "fixed"]), offered([])
    (' (did you mean "multi-tier" or "fixed"?)', '')
    """
    close = [quoted(name) for name in names]
    if not close:
        return ""
    return f" (did you mean {' or '.join([', '.join(close[:-1]), close[-1]] if len(close) > 2 else close)}?)"


#: Words for what offloadsim does not model, each with what it is: a name given for one of them is
#: pointed at README's list of what is out of scope rather than at a name merely spelt alike.
_OUT_OF_SCOPE = {
    **dict.fromkeys(
        ("fedavg", "fedprox", "federated", "federated-learning", "fl", "rounds", "aggregation", "aggregator"),
        "federated learning",
    ),
    **dict.fromkeys(
        ("top-k", "topk", "update-compression", "sparsification"),
        "federated learning's update compression (top-k, int8 updates)",
    ),
    **dict.fromkeys(("training", "train", "backprop", "backward"), "training"),
    **dict.fromkeys(("encrypt", "encryption", "tls", "ssl", "https", "crypto"), "encryption or TLS"),
    **dict.fromkeys(
        ("transport", "quic", "tcp", "http3", "0-rtt", "handshake", "congestion-control", "bbr", "cubic"),
        "transport protocols (TCP or QUIC set-up round trips; a link's loss does not slow a transfer)",
    ),
    **dict.fromkeys(
        ("cache", "caching", "result-cache", "model-cache", "lru", "lfu"),
        "caching at the edge (every request computes in full)",
    ),
    **dict.fromkeys(
        ("jpeg", "jpg", "webp", "png", "avif"), "input codecs (give the compressed size as input)"
    ),
    **dict.fromkeys(
        ("zstd", "lz4", "gzip", "zlib", "deflate", "brotli"),
        "lossless tensor codecs (compression offers fp16 and int8 for a cut's activations)",
    ),
    **dict.fromkeys(
        (
            "batch",
            "batching",
            "batch-size",
            "max-batch-size",
            "max-batch",
            "continuous-batching",
            "max-num-seqs",  # vLLM's cap on the requests one step serves
        ),
        "batching at servers",
    ),
    **dict.fromkeys(
        (
            "memory",
            "memory-capacity",
            "memory-size",
            "vram",
            "dram",
            "hbm",
            "gpu-memory",
            "kv-cache",  # an LLM server's: how many requests' caches fit
            "kv-cache-size",
            "kv-cache-memory",
            "kvcache",
        ),
        "memory capacity (nothing checks that a model's weights and KV cache fit)",
    ),
    **dict.fromkeys(
        (
            "edgeshard",
            "tensor-parallel",
            "tensor-parallelism",
            "pipeline-parallel",
            "micro-batch",
            "microbatch",
            "micro-batches",
            "microbatches",
        ),
        "tensor parallelism, micro-batches, or a search of a pipeline's stations and cuts"
        " (policy fixed runs the pipeline you give)",
    ),
    **dict.fromkeys(
        (
            "priority",
            "priorities",
            "priority-class",
            "qos",
            "qos-class",
            "preemption",
            "preemptive",
            "preempt",
            "edf",
            "earliest-deadline-first",
        ),
        "priorities between applications (every processor serves its stages first come, first served)",
    ),
    **dict.fromkeys(
        (
            "ttft",
            "ttft-deadline",
            "ttft-target",
            "ttft-slo",
            "time-to-first-token",
            "first-token-deadline",
        ),
        "a time-to-first-token deadline (deadline is met at an LLM's last token; each request's ttft"
        " is in tasks.parquet)",
    ),
    **dict.fromkeys(("accuracy", "accuracy-floor", "min-accuracy", "top1", "top-1"), "accuracy"),
    **dict.fromkeys(
        ("pruning", "pruned", "prune", "distillation", "distilled", "distill", "sparsity", "sparse"),
        "pruning, distillation or sparse kernels as options of a model (a pruned or distilled"
        " network is another model: an ONNX file or a smaller zoo model)",
    ),
    **dict.fromkeys(
        ("variant", "variants"),
        "a model's variants as one key (its precision is params.precision; a pruned or distilled"
        " network is another application, which model-select's alternatives may serve)",
    ),
    **dict.fromkeys(
        ("early-exit", "early-exits", "exit-layer", "exits", "branchynet", "edgent"),
        "early exit (each request runs its model to the last layer)",
    ),
    **dict.fromkeys(
        ("ops", "supported-ops", "unsupported-ops", "op-support", "operators", "delegate"),
        "which operators a processor runs (every processor runs every layer; an NPU delegate's"
        " fallback to the CPU is not modelled)",
    ),
    **dict.fromkeys(
        ("efficiency",),
        "an efficiency of your own (a built-in profile's is fixed, 0.35 of its peak on CPUs"
        " and 0.40 on GPUs; give a processor that sustains another share a plain speed)",
    ),
    **dict.fromkeys(
        (
            "privacy",
            "dp",
            "differential-privacy",
            "secure-aggregation",
            "secagg",
        ),
        "privacy mechanisms (differential privacy, secure aggregation)",
    ),
    **dict.fromkeys(
        ("homomorphic", "homomorphic-encryption", "ckks", "bfv", "paillier"),
        "homomorphic encryption",
    ),
    **dict.fromkeys(
        (
            "dvfs",
            "governor",
            "thermal",
            "throttling",
            "throttle",
            "thermal-throttling",
            "temperature",
        ),
        "DVFS or thermal throttling",
    ),
    **dict.fromkeys(
        ("rrc", "promotion", "promotion-delay", "drx"),
        "a cellular radio's states (promotion delay, DRX)",
    ),
    **dict.fromkeys(
        ("peukert", "voltage", "state-of-health"),
        "a battery's chemistry (rate, voltage, ageing)",
    ),
    **dict.fromkeys(
        (
            "correlated",
            "correlated-failures",
            "common-cause",
            "failure-domain",
            "failure-group",
        ),
        "correlated failures (each node and link of kind: failures fails on its own;"
        " a node-schedule of several nodes takes them down together at stated times)",
    ),
}

#: Where the scope is written down, as a message points at it.
SCOPE_SECTION = 'README.md, "What offloadsim does not model (yet)"'


def out_of_scope(word: str) -> str:
    """``' (offloadsim does not model federated learning: README.md, ...)'`` for such a word, else ``""``.

    ``policy: fedavg`` suggested ``edge``, a name spelt alike: a user asking for what the tool
    does not do is told so, once, instead.

    >>> print(out_of_scope("FedAvg"))
     (offloadsim does not model federated learning: see README.md, "What offloadsim does not model (yet)")
    >>> out_of_scope("edge")
    ''
    """
    words = scope_words(word)
    return f" ({words})" if words else ""


def scope_words(word: str) -> str:
    """:func:`out_of_scope`'s words, unbracketed, to join to another hint (:func:`with_words`)."""
    what = _OUT_OF_SCOPE.get(re.sub(r"[ _]", "-", word.casefold()))
    return f"offloadsim does not model {what}: see {SCOPE_SECTION}" if what else ""


def with_words(hint: str, words: str) -> str:
    """``hint`` (``' (did you mean "x"?)'``) with ``words`` inside its brackets; alone, ``' (words)'``.

    >>> with_words(' (did you mean "x"?)', "or y"), with_words("", "y"), with_words(" (z)", "")
    (' (did you mean "x"? or y)', ' (y)', ' (z)')
    """
    if not words:
        return hint
    return f"{hint[:-1]} {words})" if hint else f" ({words})"


def out_of_scope_first(word: str, candidates: list[str]) -> str:
    """:func:`out_of_scope` of ``word``, unless a candidate begins with it (then it may be meant).

    ``encryption`` at a scenario's top level suggested ``description``, a name spelt alike.

    >>> out_of_scope_first("encryption", ["description", "name"]) == out_of_scope("encryption")
    True
    >>> out_of_scope_first("batch", ["batch_size"])
    ''
    """
    folded = word.casefold()
    if any(str(c).casefold().startswith(folded) for c in candidates):
        return ""
    return out_of_scope(word)


#: At most this many entries of a directory are read for a file name to suggest (a huge one is not listed).
_MAX_LISTED = 10_000


def did_you_mean_file(
    path: str | os.PathLike[str], *looked_for: str | os.PathLike[str], directory: bool = False
) -> str:
    r"""``' (did you mean "scenarios/quickstart.yaml"?)'`` for a missing file with a near name, else ``""``.

    The suggestion is the path as given with its last part replaced, so that it can be pasted back
    where it was given (the command, or a scenario's key).  ``looked_for``: where ``path`` was
    looked for, in order (a scenario's ``file: rate.csv`` in the scenario's folder; a profile in
    each folder searched), the first folder with a near name suggesting it; default: ``path``
    itself.  Only files are candidates, or only directories with ``directory`` (a results
    directory), the first in sorted order among equally near ones; a folder that cannot be
    read suggests nothing.  A path with ``\`` on a system whose folders are separated by ``/``
    (``scenarios\quickstart.yaml``, copied from Windows) is told so, with the path it names there.
    """
    given = os.fspath(path)
    if os.sep == "/" and "\\" in given:  # a Windows path on Linux or macOS: one name, backslashes and all
        # looked for where it was (beside the scenario), not from the current directory; a doubled
        # backslash ("traces\\radio.csv", a string's escape) is one separator, not "traces//radio.csv"
        exists = os.path.isdir if directory else os.path.isfile
        said = "folders are separated by / here, not \\"
        if any(exists(_slashed(os.fspath(where))) for where in looked_for or (given,)):
            return f" (did you mean {quoted(_slashed(given), whole=True)}? {said})"
        return f" ({said})"
    head, name = os.path.split(given)
    if not name:
        return ""
    for where in looked_for or (given,):
        close = _near_name(name, _entries(os.path.dirname(os.fspath(where)), directory))
        if close:
            return f" (did you mean {quoted(os.path.join(head, close), whole=True)}?)"
    return ""


def _slashed(path: str) -> str:
    r"""``path`` with each run of backslashes one ``/``, a doubled one too (``traces\\radio.csv``)."""
    return re.sub(r"\\+", "/", path)


def _near_name(name: str, names: list[str]) -> str | None:
    """The name in ``names`` nearest ``name``: by stem among those of its extension, else whole.

    A shared ``.yaml`` made any short name near: ``nothere.yaml`` suggested ``t.yaml``.

    >>> _near_name("quickstar.yaml", ["quickstart.yaml", "t.yaml"]), _near_name("nothere.yaml", ["t.yaml"])
    ('quickstart.yaml', None)
    >>> _near_name("quickstart.yml", ["quickstart.yaml"])
    'quickstart.yaml'
    """
    stem, extension = os.path.splitext(name)
    stems = {os.path.splitext(n)[0]: n for n in names if os.path.splitext(n)[1] == extension}
    close = close_matches(stem, stems)
    if close:
        return stems[close[0]]
    close = close_matches(name, [n for n in names if os.path.splitext(n)[1] != extension])
    return close[0] if close else None


def _entries(folder: str, directories: bool) -> list[str]:
    """The names of the files (or directories) in ``folder``, the first :data:`_MAX_LISTED`; [] if unread."""
    names: list[str] = []
    try:
        with os.scandir(folder or ".") as entries:
            for entry in itertools.islice(entries, _MAX_LISTED):
                with contextlib.suppress(OSError):
                    if entry.is_dir() if directories else entry.is_file():
                        names.append(entry.name)
    except (OSError, ValueError):  # no such directory, no permission, a NUL byte
        return []
    return sorted(names)  # the directory's order (a hash order) must not choose
