"""BERT-base (uncased) encoder as in Hugging Face ``BertModel``: post-norm blocks and pooler."""

from __future__ import annotations

from offloadsim.models.builder import GraphBuilder, Tensor
from offloadsim.models.graph import LayerGraph
from offloadsim.models.ops import Op
from offloadsim.models.zoo.transformer import attention, mlp

__all__ = ["bert_base"]

TOKEN_ID_BYTES = 8  # int64 token ids, as PyTorch and ONNX exports feed them


def bert_base(*, seq_len: int = 128, vocab: int = 30522, dtype_bytes: int = 4) -> LayerGraph:
    """BERT-base: d=768, 12 heads, FFN 3072, 12 layers; output is the pooled [CLS] vector.

    The input is ``seq_len`` int64 token ids; attention masks and segment ids
    are not counted in the input bytes.
    """
    d, heads, ffn, depth, max_pos = 768, 12, 3072, 12, 512
    if not 1 <= seq_len <= max_pos:
        raise ValueError(f"seq_len must be within 1..{max_pos}, got {seq_len}")
    b = GraphBuilder(
        "bert-base",
        (1, seq_len),
        dtype_bytes=dtype_bytes,
        input_bytes=seq_len * TOKEN_ID_BYTES,
        meta={
            "family": "transformer",
            "seq_len": seq_len,
            "source": "transformers BertModel (bert-base-uncased)",
        },
    )
    word = b.embedding(b.input, vocab, d, name="embeddings.word")
    pos = b.embedding(b.input, max_pos, d, name="embeddings.position")
    seg = b.embedding(b.input, 2, d, name="embeddings.token_type")
    x = b.add(b.add(word, pos, name="embeddings.add_position"), seg, name="embeddings.add_type")
    x = b.norm(x, "layernorm", name="embeddings.ln")
    for i in range(depth):
        x = _encoder_layer(b, x, d, heads, ffn, f"encoder.layer{i}")
    x = b.layer(Op.RESHAPE, [x], (1, d), name="pooler.select", kind="slice")
    x = b.linear(x, d, name="pooler.dense")
    b.act(x, "tanh", name="pooler.tanh")
    return b.build()


def _encoder_layer(b: GraphBuilder, x: Tensor, d: int, heads: int, ffn: int, name: str) -> Tensor:
    """Post-norm block: LN(x + attention(x)), then LN(x + MLP(x))."""
    h = attention(
        b,
        x,
        heads=heads,
        kv_heads=heads,
        head_dim=d // heads,
        kv_len=x.shape[1],
        causal=False,
        bias=True,
        name=f"{name}.attn",
    )
    x = b.norm(b.add(x, h, name=f"{name}.add_1"), "layernorm", name=f"{name}.ln_1")
    h = mlp(b, x, ffn=ffn, kind="gelu", bias=True, name=f"{name}.mlp")
    return b.norm(b.add(x, h, name=f"{name}.add_2"), "layernorm", name=f"{name}.ln_2")
