"""Transformer pieces shared by ViT, BERT and the decoder-only LLMs: attention and MLP."""

from __future__ import annotations

from offloadsim.models.builder import GraphBuilder, Tensor

__all__ = ["attention", "mlp"]


def attention(
    b: GraphBuilder,
    x: Tensor,
    *,
    heads: int,
    kv_heads: int,
    head_dim: int,
    kv_len: int,
    causal: bool,
    bias: bool,
    rope: bool = False,
    name: str,
) -> Tensor:
    """Multi-head (or grouped-query) self-attention ending with the output projection.

    ``kv_len`` keys are attended: the ``x`` tokens plus any cached past tokens.
    With a causal mask each query only scores the keys up to its own position.
    """
    q_len = x.shape[1]
    q = b.linear(x, heads * head_dim, bias=bias, name=f"{name}.q_proj")
    k = b.linear(x, kv_heads * head_dim, bias=bias, name=f"{name}.k_proj")
    v = b.linear(x, kv_heads * head_dim, bias=bias, name=f"{name}.v_proj")
    if rope:
        q = b.elementwise([q], "rope", name=f"{name}.q_rope")
        k = b.elementwise([k], "rope", name=f"{name}.k_rope")
    s = b.attention_scores(q, k, heads, head_dim, q_len, kv_len, causal, name=f"{name}.scores")
    p = b.attention_softmax(s, heads, q_len, kv_len, causal, name=f"{name}.softmax")
    o = b.attention_values(p, v, heads, head_dim, q_len, kv_len, causal, name=f"{name}.context")
    return b.linear(o, x.shape[-1], bias=bias, name=f"{name}.o_proj")


def mlp(b: GraphBuilder, x: Tensor, *, ffn: int, kind: str, bias: bool, name: str) -> Tensor:
    """Feed-forward block: ``gelu`` (up, GELU, down) or ``swiglu`` (silu(gate) * up, down)."""
    d = x.shape[-1]
    if kind == "swiglu":
        gate = b.linear(x, ffn, bias=bias, name=f"{name}.gate_proj")
        up = b.linear(x, ffn, bias=bias, name=f"{name}.up_proj")
        h = b.elementwise([gate, up], "swiglu", op="act", name=f"{name}.act")
    elif kind == "gelu":
        h = b.act(b.linear(x, ffn, bias=bias, name=f"{name}.up_proj"), "gelu", name=f"{name}.act")
    else:
        raise ValueError(f"unknown MLP kind {kind!r} (use 'gelu' or 'swiglu')")
    return b.linear(h, d, bias=bias, name=f"{name}.down_proj")
