"""Decoder-only LLMs whose hyper-parameters are data: prefill graphs and decode costs.

Prefill runs one forward pass over the prompt (compute-bound); each decode step
runs one token against the KV cache (memory-bound). Attention is causal: a
query scores only the keys up to its own position, so the prefill of ``T``
tokens costs exactly as much attention as ``T`` decode steps. Logits are
computed for the last token only, as serving engines do.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from offloadsim.models.builder import GraphBuilder
from offloadsim.models.graph import LayerGraph
from offloadsim.models.ops import Op
from offloadsim.models.precision import BYTES, WEIGHT_ONLY, WEIGHT_ONLY_COMPUTE, precision_for_bytes
from offloadsim.models.zoo.transformer import attention, mlp

__all__ = [
    "GPT2",
    "LLAMA_3_1_8B",
    "LLAMA_3_2_1B",
    "LLM_CONFIGS",
    "LLMConfig",
    "decode_bytes",
    "decode_flops",
    "decode_weight_bytes",
    "kv_cache_bytes_per_token",
    "prefill_flops",
    "prefill_graph",
]

TOKEN_ID_BYTES = 8  # int64 token ids


@dataclass(frozen=True, slots=True)
class LLMConfig:
    """Hyper-parameters of a decoder-only transformer.

    ``head_dim`` 0 means ``d_model // heads``. ``norm`` is ``rmsnorm`` or
    ``layernorm``, ``mlp`` is ``swiglu`` or ``gelu``, ``positional`` is ``rope``
    or ``learned`` (a ``max_context x d_model`` table). ``dtype_bytes`` applies
    to the activations and the KV cache; ``precision`` names the arithmetic
    (``bf16``, ``fp16``, ...; empty: the one ``dtype_bytes`` stands for, see
    :mod:`offloadsim.models.precision`) and selects the processor's peak rate;
    ``weights`` names the precision the weights are stored in (empty: ``precision``).
    They differ for weight-only quantisation: int4 weights with fp16
    activations, KV cache and arithmetic (W4A16, :meth:`with_precision`).

    >>> LLAMA_3_2_1B.params
    1235814400
    >>> LLAMA_3_2_1B.kv_bytes_per_token  # 2 (K,V) x 16 layers x 8 heads x 64 x 2 bytes
    32768
    """

    name: str
    layers: int
    d_model: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int
    tied_embeddings: bool
    dtype_bytes: float = 2
    max_context: int = 2048
    head_dim: int = 0
    norm: str = "rmsnorm"
    mlp: str = "swiglu"
    bias: bool = False
    positional: str = "rope"
    source: str = ""
    precision: str = ""
    weights: str = ""

    def __post_init__(self) -> None:
        if self.head_dim == 0:
            object.__setattr__(self, "head_dim", self.d_model // self.heads)
        if not self.precision:
            object.__setattr__(self, "precision", precision_for_bytes(self.dtype_bytes))
        elif BYTES.get(self.precision) != self.dtype_bytes:
            raise ValueError(
                f"{self.name}: precision {self.precision!r} does not take "
                f"{self.dtype_bytes} bytes per element"
            )
        if self.precision in WEIGHT_ONLY:
            raise ValueError(
                f"{self.name}: {self.precision} quantises the weights alone: give weights={self.precision!r} "
                "with 16-bit activations (with_precision does)"
            )
        if not self.weights:
            object.__setattr__(self, "weights", self.precision)
        elif self.weights not in BYTES:
            raise ValueError(f"{self.name}: weights must be one of {', '.join(BYTES)}, got {self.weights!r}")
        if self.heads % self.kv_heads:
            raise ValueError(f"{self.name}: heads ({self.heads}) must be a multiple of kv_heads")
        if self.norm not in ("rmsnorm", "layernorm") or self.mlp not in ("swiglu", "gelu"):
            raise ValueError(f"{self.name}: unknown norm {self.norm!r} or mlp {self.mlp!r}")
        if self.positional not in ("rope", "learned"):
            raise ValueError(f"{self.name}: positional must be 'rope' or 'learned'")

    def replace(self, **changes: object) -> LLMConfig:
        """Return a copy with some fields changed (e.g. ``n_layers=2`` for a toy model)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def with_precision(self, precision: str) -> LLMConfig:
        """The same model in ``precision`` (``int4``, ``int8``, ``bf16``, ...).

        ``int4`` is weight-only (W4A16), as GPTQ and AWQ deploy it: 4-bit
        weights, dequantised in kernels that compute in fp16, so the
        activations, the KV cache and the arithmetic are fp16 (a bf16
        checkpoint's bytes, at the fp16 peak).  Any other precision applies to
        every tensor and the arithmetic (``int8`` is W8A8, as SmoothQuant runs it).

        >>> int4 = LLAMA_3_2_1B.with_precision("int4")
        >>> int4.weights, int4.precision, int4.kv_bytes_per_token == LLAMA_3_2_1B.kv_bytes_per_token
        ('int4', 'fp16', True)
        """
        compute = WEIGHT_ONLY_COMPUTE if precision in WEIGHT_ONLY else precision
        return dataclasses.replace(self, precision=compute, dtype_bytes=BYTES[compute], weights=precision)

    @property
    def weight_bytes(self) -> float:
        """Bytes one weight takes (0.5 for int4), whatever the activations take."""
        return BYTES[self.weights]

    @property
    def kv_bytes_per_token(self) -> float:
        """KV-cache bytes one token adds: K and V for every layer and KV head."""
        return 2 * self.layers * self.kv_heads * self.head_dim * self.dtype_bytes

    @property
    def params(self) -> int:
        """Parameter count in closed form (tied embeddings counted once)."""
        d, kv = self.d_model, self.kv_heads * self.head_dim
        q = self.heads * self.head_dim
        attn = d * q + 2 * d * kv + q * d
        mlp_params = (3 if self.mlp == "swiglu" else 2) * d * self.ffn
        bias = (q + 2 * kv + d + (2 if self.mlp == "swiglu" else 1) * self.ffn + d) if self.bias else 0
        norms = 2 * d * (2 if self.norm == "layernorm" else 1)
        block = attn + mlp_params + bias + norms
        final_norm = d * (2 if self.norm == "layernorm" else 1)
        embed = self.vocab * d * (1 if self.tied_embeddings else 2)
        pos = self.max_context * d if self.positional == "learned" else 0
        return self.layers * block + final_norm + embed + pos


# Sources: Hugging Face config.json of each checkpoint.
GPT2 = LLMConfig(
    "gpt2",
    layers=12,
    d_model=768,
    heads=12,
    kv_heads=12,
    ffn=3072,
    vocab=50257,
    tied_embeddings=True,
    dtype_bytes=4,
    precision="fp32",
    max_context=1024,
    norm="layernorm",
    mlp="gelu",
    bias=True,
    positional="learned",
    source="openai-community/gpt2 config.json (fp32)",
)
LLAMA_3_2_1B = LLMConfig(
    "llama-3.2-1b",
    layers=16,
    d_model=2048,
    heads=32,
    kv_heads=8,
    ffn=8192,
    vocab=128256,
    tied_embeddings=True,
    dtype_bytes=2,
    precision="bf16",
    max_context=131072,
    source="meta-llama/Llama-3.2-1B config.json (bf16)",
)
LLAMA_3_1_8B = LLMConfig(
    "llama-3.1-8b",
    layers=32,
    d_model=4096,
    heads=32,
    kv_heads=8,
    ffn=14336,
    vocab=128256,
    tied_embeddings=False,
    dtype_bytes=2,
    precision="bf16",
    max_context=131072,
    source="meta-llama/Llama-3.1-8B config.json (bf16)",
)
#: Built-in configurations by registry name.
LLM_CONFIGS: MappingProxyType[str, LLMConfig] = MappingProxyType(
    {c.name: c for c in (GPT2, LLAMA_3_2_1B, LLAMA_3_1_8B)}
)


def prefill_graph(cfg: LLMConfig, tokens: int = 128, past_tokens: int = 0) -> LayerGraph:
    """Layer graph of one forward pass over ``tokens`` new tokens.

    ``past_tokens`` already sit in the KV cache (0 for a prompt prefill; a
    decode step is ``tokens=1``). The input is the token ids (int64); the
    output is the last token's logits. A tied LM head has no parameters of its
    own: it reads the embedding table.

    >>> g = prefill_graph(GPT2, tokens=16)
    >>> g.params == GPT2.params, g.output_bytes == GPT2.vocab * 4
    (True, True)
    """
    if tokens < 1 or past_tokens < 0 or tokens + past_tokens > cfg.max_context:
        raise ValueError(
            f"{cfg.name}: need 1 <= tokens and tokens + past_tokens <= {cfg.max_context}, "
            f"got tokens={tokens}, past_tokens={past_tokens}"
        )
    d = cfg.d_model
    b = GraphBuilder(
        cfg.name,
        (1, tokens),
        dtype_bytes=cfg.dtype_bytes,
        weight_bytes=cfg.weight_bytes,
        input_bytes=tokens * TOKEN_ID_BYTES,
        meta={
            "family": "llm",
            "tokens": tokens,
            "past_tokens": past_tokens,
            "source": cfg.source,
            "precision": cfg.precision,
            "weights": cfg.weights,
        },
    )
    x = b.embedding(b.input, cfg.vocab, d, name="embed_tokens")
    if cfg.positional == "learned":
        pos = b.embedding(b.input, cfg.max_context, d, name="embed_positions")
        x = b.add(x, pos, name="embed_add")
    kv_len = past_tokens + tokens
    for i in range(cfg.layers):
        name = f"layers.{i}"
        h = b.norm(x, cfg.norm, name=f"{name}.attn_norm")
        h = attention(
            b,
            h,
            heads=cfg.heads,
            kv_heads=cfg.kv_heads,
            head_dim=cfg.head_dim,
            kv_len=kv_len,
            causal=True,
            bias=cfg.bias,
            rope=cfg.positional == "rope",
            name=f"{name}.attn",
        )
        x = b.add(x, h, name=f"{name}.attn_add")
        h = b.norm(x, cfg.norm, name=f"{name}.mlp_norm")
        h = mlp(b, h, ffn=cfg.ffn, kind=cfg.mlp, bias=cfg.bias, name=f"{name}.mlp")
        x = b.add(x, h, name=f"{name}.mlp_add")
    x = b.norm(x, cfg.norm, name="final_norm")
    macs = d * cfg.vocab  # last token only
    b.layer(
        Op.LINEAR,
        [x],
        (1, 1, cfg.vocab),
        name="lm_head",
        flops=2 * macs,
        macs=macs,
        params=0 if cfg.tied_embeddings else macs,
        in_features=d,
        out_features=cfg.vocab,
        bias=False,
        tied_to="embed_tokens" if cfg.tied_embeddings else None,
    )
    return b.build()


@functools.lru_cache(maxsize=64)
def _flop_coefficients(cfg: LLMConfig) -> tuple[float, float, float]:
    """(per-token FLOPs, FLOPs per attended (query, key) pair, LM-head FLOPs)."""
    one = prefill_graph(cfg, tokens=1, past_tokens=0)
    two = prefill_graph(cfg, tokens=1, past_tokens=1)
    per_pair = float(two.flops - one.flops)
    lm_head = float(one["lm_head"].flops)
    return float(one.flops) - per_pair - lm_head, per_pair, lm_head


def prefill_flops(cfg: LLMConfig, tokens: int | npt.ArrayLike) -> float | np.ndarray:
    """FLOPs of prefilling ``tokens`` prompt tokens (closed form of :func:`prefill_graph`).

    >>> prefill_flops(GPT2, 64) == prefill_graph(GPT2, 64).flops
    True
    """
    per_token, per_pair, lm_head = _flop_coefficients(cfg)
    t = np.asarray(tokens, dtype=np.float64)
    out = per_token * t + per_pair * t * (t + 1) / 2 + lm_head
    return float(out) if out.ndim == 0 else out


def decode_flops(cfg: LLMConfig, context: int | npt.ArrayLike) -> float | np.ndarray:
    """FLOPs to generate one token when ``context`` tokens are in the KV cache.

    Affine in ``context``: the new token attends ``context + 1`` keys.

    >>> decode_flops(LLAMA_3_2_1B, 0) == prefill_graph(LLAMA_3_2_1B, 1).flops
    True
    """
    per_token, per_pair, lm_head = _flop_coefficients(cfg)
    c = np.asarray(context, dtype=np.float64)
    out = per_token + per_pair * (c + 1) + lm_head
    return float(out) if out.ndim == 0 else out


def kv_cache_bytes_per_token(cfg: LLMConfig) -> float:
    """Bytes of KV cache each token adds (all layers, K and V)."""
    return cfg.kv_bytes_per_token


def decode_weight_bytes(cfg: LLMConfig) -> float:
    """Weight bytes one decode step reads.

    That is every matrix and norm and the full LM-head matrix (tied or not),
    but only one row of each embedding table.

    >>> decode_weight_bytes(LLAMA_3_1_8B) / 1e9
    15.009857536
    """
    d = cfg.d_model
    tables = cfg.vocab * d * (1 if cfg.tied_embeddings else 2)
    if cfg.positional == "learned":
        tables += cfg.max_context * d
    rows = d * (2 if cfg.positional == "learned" else 1)
    read = cfg.params - tables + cfg.vocab * d + rows
    return read * cfg.weight_bytes


def decode_bytes(cfg: LLMConfig, context: int | npt.ArrayLike) -> float | np.ndarray:
    """Memory traffic of one decode step: weights read plus the KV cache of ``context`` tokens.

    Activations and the one-token KV write are not counted (both are tiny).

    >>> decode_bytes(LLAMA_3_2_1B, 1000) - decode_bytes(LLAMA_3_2_1B, 0)
    32768000.0
    """
    c = np.asarray(context, dtype=np.float64)
    out = decode_weight_bytes(cfg) + c * cfg.kv_bytes_per_token
    return float(out) if out.ndim == 0 else out
