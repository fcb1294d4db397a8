"""Look up zoo models by name (with aliases) and summarise them as tables."""

from __future__ import annotations

import difflib
import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from offloadsim.errors import LookupMessage
from offloadsim.models import zoo
from offloadsim.models.graph import LayerGraph, as_chain
from offloadsim.models.precision import parse_precision, with_precision
from offloadsim.shapes import describe
from offloadsim.suggest import did_you_mean_key, listed, quoted

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "UnknownModelError",
    "canonical_name",
    "get_model",
    "list_models",
    "parameter_problems",
    "layers_table",
    "sized_label",
    "sized_model",
    "sized_name",
    "models_table",
    "unbuildable",
    "table_notes",
]


def _llm(name: str) -> Callable[..., LayerGraph]:
    def build(
        *,
        tokens: int = 128,
        past_tokens: int = 0,
        dtype_bytes: float | None = None,
        precision: str | None = None,
    ) -> LayerGraph:
        cfg = zoo.LLM_CONFIGS[name]
        chosen = parse_precision({"dtype_bytes": dtype_bytes, "precision": precision})
        if chosen is not None:
            cfg = cfg.with_precision(chosen[0])
        return zoo.prefill_graph(cfg, tokens=tokens, past_tokens=past_tokens)

    build.__doc__ = f"Prefill graph of {name} over ``tokens`` prompt tokens."
    return build


_BUILDERS: MappingProxyType[str, Callable[..., LayerGraph]] = MappingProxyType(
    {
        "alexnet": zoo.alexnet,
        "vgg16": zoo.vgg16,
        "resnet18": zoo.resnet18,
        "resnet50": zoo.resnet50,
        "mobilenet_v2": zoo.mobilenet_v2,
        "efficientnet_b0": zoo.efficientnet_b0,
        "squeezenet1_1": zoo.squeezenet1_1,
        "vit_b_16": zoo.vit_b_16,
        "bert-base": zoo.bert_base,
        "gpt2": _llm("gpt2"),
        "llama-3.2-1b": _llm("llama-3.2-1b"),
        "llama-3.1-8b": _llm("llama-3.1-8b"),
    }
)

# Extra spellings beyond those that differ only in case and punctuation.
_EXTRA_ALIASES = MappingProxyType(
    {
        "vgg": "vgg16",
        "mobilenet": "mobilenet_v2",
        "efficientnet": "efficientnet_b0",
        "squeezenet": "squeezenet1_1",
        "vit": "vit_b_16",
        "vitbase": "vit_b_16",
        "vitbase16": "vit_b_16",
        "bert": "bert-base",
        "bertbaseuncased": "bert-base",
        "gpt2small": "gpt2",
        "gpt2124m": "gpt2",
        "llama321b": "llama-3.2-1b",
        "llama32-1b": "llama-3.2-1b",
        "llama1b": "llama-3.2-1b",
        "llama318b": "llama-3.1-8b",
        "llama8b": "llama-3.1-8b",
    }
)


def _key(name: str) -> str:
    """Case- and punctuation-insensitive form: ``ResNet-50`` -> ``resnet50``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


#: How a model name may be spelt: ASCII letters and digits, parted by single separators as names are
#: written (``ResNet-50``, ``mobilenet_v2``, ``Llama 3.2 1B``, ``ViT-B/16``).  ``_key`` drops the
#: separators, and used to drop every other character too: ``resnet50@`` and ``resnet50!`` were read
#: as ``resnet50``, a slip (a size after the ``@`` forgotten) accepted without a word.
_SPELLING = re.compile(r"[A-Za-z0-9]+(?:[-_. /][A-Za-z0-9]+)*")


_ALIASES = MappingProxyType(
    {
        **{_key(n): n for n in _BUILDERS},
        **{_key(alias): target for alias, target in _EXTRA_ALIASES.items()},
    }
)


class UnknownModelError(LookupMessage):
    """No built-in model by that name; the message suggests the closest names."""


def canonical_name(name: str) -> str:
    """Resolve ``name`` (or an alias of it) to its registry name.

    Letters and digits are read without case and the separators ``-``, ``_``,
    ``.``, ``/`` and space between them are ignored; any other character, or a
    separator at either end, makes the name unknown (``resnet50@`` is refused,
    with ``resnet50`` suggested).

    >>> canonical_name("ResNet-50"), canonical_name("mobilenetv2"), canonical_name("Llama 3.2 1B")
    ('resnet50', 'mobilenet_v2', 'llama-3.2-1b')
    """
    if not isinstance(name, str):  # None or a number: an AttributeError from name.lower()
        raise UnknownModelError(
            f"model name: expected text like 'resnet50', got {type(name).__name__} {name!r:.40}. "
            f"Built-in models: {', '.join(_BUILDERS)}"
        )
    meant = _ALIASES.get(_key(name))
    if meant is not None and _SPELLING.fullmatch(name):
        return meant
    choices = {**{n: n for n in _BUILDERS}, **{a: t for a, t in _EXTRA_ALIASES.items()}}
    close = difflib.get_close_matches(name.lower(), list(choices), n=3, cutoff=0.5)
    suggestions = list(dict.fromkeys([*([meant] if meant else []), *(choices[c] for c in close)]))
    hint = f" (did you mean {', '.join(map(quoted, suggestions))}?)" if suggestions else ""
    raise UnknownModelError(
        f"unknown model {quoted(name)}{hint}. Built-in models: {', '.join(_BUILDERS)}"
    ) from None


def list_models() -> list[str]:
    """Registry names of the built-in models.

    >>> list_models()[:3]
    ['alexnet', 'vgg16', 'resnet18']
    """
    return list(_BUILDERS)


_PRECISION_KEYS = ("precision", "dtype_bytes")  # every model takes them; parse_precision checks them
#: The least value of a builder's whole-number parameters: 1 (a size, a count of classes or tokens)
#: unless named here.  ``num_classes: 0`` built a classifier with no output and was accepted.
_LEAST = {"past_tokens": 0}
#: The largest image a model takes (``image_size``, or NAME@SIZE): its layer table's counts stay whole
#: numbers a table holds exactly (``vgg16@16384`` is 1.7e14 FLOPs; ``resnet18@1000000000`` overflowed
#: to a negative count, and ``params: {image_size: 1000000000}`` ran ResNet-50 at 8e22 MACs).
MOST_PIXELS = 16_384
#: The most classes an image model's head, or words BERT's vocabulary, may have: a billion, past any
#: classifier's (extreme classification reaches millions).  Unbounded, ``num_classes: 10**30`` built
#: ResNet-50 at 4e33 FLOPs, past the 1e30 a synthetic ``work`` may be, and ran at exit 0 with no task
#: completed.
MOST_CLASSES = 1_000_000_000
#: The greatest value of a builder's whole-number parameters, where one is bounded.
_MOST = {"image_size": MOST_PIXELS, "num_classes": MOST_CLASSES, "vocab": MOST_CLASSES}
_TYPE_WORDS = {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}


def parameter_problems(
    name: str, params: Mapping[str, Any], least: Mapping[str, int] | None = None
) -> list[tuple[str, str]]:
    """``(key, message)`` for each of ``params`` that model ``name``'s builder does not take as given.

    The builder's signature says what it takes (``image_size: int``): an
    unknown key, a value of another type (a list for a whole number), or a
    whole number below its least (``num_classes: 0``) or above its greatest (``image_size`` past
    :data:`MOST_PIXELS`, ``num_classes`` past :data:`MOST_CLASSES`) is a problem.  ``least`` raises
    the least value of some keys for a caller that needs more than the builder does (``calibrate``
    times images of at least 16 pixels).
    ``precision`` and ``dtype_bytes`` are left to
    :func:`~offloadsim.models.precision.parse_precision`.  Raises
    :class:`UnknownModelError` for an unknown model.

    >>> for key, message in parameter_problems("resnet50", {"image_size": [224], "num_clases": 10}):
    ...     print(f"{key}: {message}")
    image_size: expected a whole number, got a list
    num_clases: model "resnet50" has no parameter "num_clases" (did you mean "num_classes"?); it takes ...
    """
    canonical = canonical_name(name)
    builder = _BUILDERS[canonical]
    taken = [p for p in inspect.signature(builder).parameters if not p.startswith("_")]
    hints = typing.get_type_hints(builder)
    problems: list[tuple[str, str]] = []
    for key, value in params.items():
        if key in _PRECISION_KEYS:
            continue
        if key not in taken:
            accepted = [*(p for p in taken if p not in _PRECISION_KEYS), *_PRECISION_KEYS]
            problems.append(
                (
                    str(key),
                    f"model {quoted(canonical)} has no parameter "
                    f"{quoted(key)}{did_you_mean_key(str(key), accepted)}; "
                    f"it takes {', '.join(accepted)}",
                )
            )
            continue
        expected = hints.get(key)
        if expected in _TYPE_WORDS and not _fits(value, expected):
            problems.append((key, f"expected {_TYPE_WORDS[expected]}, got {describe(value)}"))
        elif expected is int and value < (lowest := {**_LEAST, **(least or {})}.get(key, 1)):
            problems.append((key, f"expected a whole number at least {lowest}, got {describe(value)}"))
        elif expected is int and value > (most := _MOST.get(key, value)):
            problems.append((key, _above(most, describe(value))))
    return problems


def _above(most: int, shown: str) -> str:
    """The one wording of a whole number above its greatest, ``shown`` as the message shows it."""
    return f"expected a whole number at most {most:,}, got {shown}"


def unbuildable(name: str, params: Mapping[str, Any], error: Exception) -> str:
    """Why model ``name`` cannot be built with ``params``: the one wording of the scenario and the CLI.

    Where one parameter shapes the model (precision aside), the message names it and its value,
    ``model "alexnet" cannot be built with image_size 32: window 3 ...``; otherwise it is the
    builder's own ``error``.
    """
    shaping = [key for key in params if key not in _PRECISION_KEYS]
    if len(shaping) != 1:
        return str(error)
    return f"model {quoted(name)} cannot be built with {shaping[0]} {params[shaping[0]]}: {error}"


def _fits(value: Any, expected: type) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) if expected is float else isinstance(value, expected)


#: What a problem of NAME@SIZE's size is about, before the problem.
_AT_SIZE = "NAME@SIZE sets an image model's image_size"


def sized_name(label: str) -> tuple[str, dict[str, int]]:
    """``NAME@SIZE``, a zoo image model at another input size, as a name and its ``params``.

    The one reading of the label ``calibrate --models``, ``testbed --model`` and ``models show``
    take (a scenario writes ``params: {image_size: SIZE}``).  SIZE is ASCII digits (``str.isdigit``
    passes ``²`` and ``١٦٠``).  Raises ValueError, saying what was expected, for an ``@`` without
    such a size after it; whether the model takes an image size, and one that small or that large
    (at most :data:`MOST_PIXELS`), is :func:`parameter_problems`'s to say; only a size of more
    than 100 digits, past what a message shows, is refused here, in the same words.

    >>> sized_name("resnet18@160"), sized_name("resnet18")
    (('resnet18', {'image_size': 160}), ('resnet18', {}))
    """
    base, at, size = label.partition("@")
    if not at:
        return base, {}
    if not (size.isascii() and size.isdigit()):
        raise ValueError("expected NAME@IMAGE_SIZE, e.g. resnet18@160")
    if len(size) > 100:  # Python reads no more than 4,300 digits, and describe() shows no more
        raise ValueError(f"{_AT_SIZE}; {_above(MOST_PIXELS, f'{size[:6]}... ({len(size)} digits)')}")
    return base, {"image_size": int(size)}


def sized_model(label: str, least: Mapping[str, int] | None = None) -> tuple[str, dict[str, int]]:
    """``NAME@SIZE`` read (:func:`sized_name`) and its size checked (:func:`parameter_problems`).

    The one check of the label ``models show`` and ``calibrate --models`` take, with ``least`` as
    :func:`parameter_problems` takes it.  Raises ValueError saying what was expected (a size the
    model does not take, or too small), :class:`UnknownModelError` for an unknown NAME.

    >>> sized_model("resnet18@160")
    ('resnet18', {'image_size': 160})
    >>> sized_model("resnet18@10", least={"image_size": 16})
    Traceback (most recent call last):
    ValueError: NAME@SIZE sets an image model's image_size; expected a whole number at least 16, got 10
    """
    name, params = sized_name(label)
    problems = parameter_problems(name, params, least)
    if problems:
        raise ValueError(f"{_AT_SIZE}; {problems[0][1]}")
    return name, params


def sized_label(label: str) -> str:
    """``NAME@SIZE`` as its model and every image size written out: one spelling for one model.

    ``resnet18``, ``ResNet-18`` and ``resnet18@224`` (its default size) each read
    ``resnet18@224``, so a list of labels can say two of them are the same model
    (``calibrate --models resnet18,resnet18@224`` timed it once and recorded it twice).
    A model that takes no image size is its registry name.  Raises
    :class:`UnknownModelError` for an unknown NAME and ValueError for an ``@`` without a size.

    >>> sized_label("ResNet-18"), sized_label("resnet18@224"), sized_label("bert-base")
    ('resnet18@224', 'resnet18@224', 'bert-base')
    """
    base, params = sized_name(label)
    name = canonical_name(base)
    taken = inspect.signature(_BUILDERS[name]).parameters
    if "image_size" not in taken:
        return name if not params else f"{name}@{params['image_size']}"
    return f"{name}@{params.get('image_size', taken['image_size'].default)}"


class ParameterError(TypeError, ValueError):
    """A model parameter its builder does not take as given; the message names it.

    Both a TypeError, as Python's own for a keyword a function does not take (what ``get_model``
    raised before it checked), and a ValueError, as a builder's for a value out of its range.
    """


def get_model(name: str, **params: Any) -> LayerGraph:
    """Return the built-in model ``name`` (aliases accepted) as a cached :class:`LayerGraph`.

    ``params`` go to the family's builder: ``image_size``/``num_classes`` for
    image models, ``seq_len`` for BERT, ``tokens``/``past_tokens`` for LLMs;
    ``precision`` (or ``dtype_bytes``) stores and computes any model in that
    precision (an LLM's ``int4`` its weights alone, see :mod:`offloadsim.models.precision`). Raises
    :class:`UnknownModelError` (a ``KeyError``) with suggestions for an
    unknown name, and :class:`ParameterError` naming the parameter for one the builder does not take as
    given (:func:`parameter_problems`: ``image_size="224"`` ended in the builder's own TypeError,
    ``precision=["fp16"]`` in the cache's).

    >>> g = get_model("resnet-50")
    >>> g.name, round(g.macs / 1e9, 3), g.params
    ('resnet50', 4.089, 25557032)
    >>> get_model("resnet50") is g
    True
    """
    canonical = canonical_name(name)
    if params:
        if problems := parameter_problems(canonical, params):
            key, message = problems[0]
            raise ParameterError(f"{key}: {message}")
        parse_precision(params, packed=canonical in zoo.LLM_CONFIGS)  # a PrecisionError, before the cache
    return _build(canonical, tuple(sorted(params.items())))


@functools.lru_cache(maxsize=128)
def _build(name: str, params: tuple[tuple[str, Any], ...]) -> LayerGraph:
    kwargs = dict(params)
    if name in zoo.LLM_CONFIGS:
        return _BUILDERS[name](**kwargs)
    chosen = parse_precision(kwargs)
    kwargs.pop("precision", None)
    kwargs.pop("dtype_bytes", None)
    graph = _BUILDERS[name](**kwargs)
    return graph if chosen is None else with_precision(graph, chosen[0])


def models_table() -> pd.DataFrame:
    """One row per built-in model at default parameters: size and cost at a glance."""
    import pandas as pd

    rows = []
    for name in _BUILDERS:
        g = get_model(name)
        rows.append(
            {
                "name": name,
                "layers": len(g),
                "GFLOPs": g.flops / 1e9,
                "GMACs": g.macs / 1e9,
                "parameters": g.params,
                "input_bytes": g.input_bytes,
                "output_bytes": g.output_bytes,
            }
        )
    return pd.DataFrame(rows)


def layers_table(name: str | LayerGraph, **params: Any) -> pd.DataFrame:
    """One row per layer of ``get_model(name, **params)`` (or of a graph given) in topological order.

    ``cut_bytes`` is what crosses a cut placed right after the layer (all
    tensors, so it exceeds ``output_bytes`` inside a residual block).
    """
    import pandas as pd

    g = name if isinstance(name, LayerGraph) else get_model(name, **params)
    chain = as_chain(g)
    return pd.DataFrame(
        {
            "name": chain.names,
            "op": chain.ops,
            "output_shape": [layer.output_shape for layer in g],
            "FLOPs": [layer.flops for layer in g],
            "MACs": [layer.macs for layer in g],
            "params": [layer.params for layer in g],
            "output_bytes": [layer.output_bytes for layer in g],
            "cut_bytes": chain.cut_bytes[1:].astype("int64"),
            "cumulative_FLOPs": chain.cum_flops[1:].round().astype("int64"),  # whole, as FLOPs are
        }
    )


def _tokens(name: str) -> int | None:
    """How many tokens a sequence model's table is of at its defaults (None for an image model)."""
    defaults = inspect.signature(_BUILDERS[name]).parameters
    for key in ("tokens", "seq_len"):
        if key in defaults:
            return int(defaults[key].default)
    return None


def table_notes(name: str | None = None) -> list[str]:
    """What the tables of the sequence models are of, which their rows do not say: ``note:`` lines.

    The zoo table's (``name`` None), or those of one model's layers.  An LLM's row is a
    128-token prefill, while a scenario prices each request's own prompt, then its decode steps,
    and cuts its transformer blocks, not the layers listed.

    >>> table_notes("resnet50")
    []
    >>> print(table_notes("llama-3.2-1b")[0])  # doctest: +ELLIPSIS
    note: these are the 275 layers of llama-3.2-1b's prefill of 128 tokens; ...
    """
    llms = [model for model in _BUILDERS if model in zoo.LLM_CONFIGS]
    if name is None:
        said: dict[str, list[str]] = {}  # how a group of rows is costed -> the models it holds
        for model in _BUILDERS:
            tokens = _tokens(model)
            if tokens is not None:
                what = f"a prefill of {tokens} tokens" if model in llms else f"{tokens} tokens"
                said.setdefault(what, []).append(model)
        parts = [
            f"{listed(models)} {'is' if len(models) == 1 else 'are'} for {what}"
            for what, models in said.items()
        ]
        return (
            [
                f"note: {listed(parts)} (input_bytes: 8 bytes a token); a scenario prices each LLM "
                "request's own prompt_tokens, then a decode step per output token (docs/models.md)"
            ]
            if parts
            else []
        )
    model = canonical_name(name)
    tokens = _tokens(model)
    if tokens is None:
        return []
    if model not in llms:
        return [
            f"note: these are the layers of {model} over {tokens} tokens "
            "(a scenario sets them: params: {seq_len: N})"
        ]
    layers = len(get_model(model))
    return [
        f"note: these are the {layers} layers of {model}'s prefill of {tokens} tokens; a scenario "
        "prices each request's own prompt_tokens, then a decode step per output token, and cuts "
        f"(policy.cuts) count its {zoo.LLM_CONFIGS[model].layers} transformer blocks, not these "
        f"layers (docs/policies.md)"
    ]
