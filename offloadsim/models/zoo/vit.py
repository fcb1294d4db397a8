"""ViT-B/16 as in torchvision: 16x16 patches, class token, 12 pre-norm encoder blocks."""

from __future__ import annotations

from offloadsim.models.graph import LayerGraph
from offloadsim.models.ops import Op
from offloadsim.models.zoo.common import image_builder
from offloadsim.models.zoo.transformer import attention, mlp

__all__ = ["vit_b_16"]


def vit_b_16(*, image_size: int = 224, num_classes: int = 1000) -> LayerGraph:
    """ViT-Base, patch 16: d=768, 12 heads, MLP 3072, 12 layers (bidirectional attention)."""
    d, heads, ffn, depth, patch = 768, 12, 3072, 12, 16
    b = image_builder("vit_b_16", image_size, source="torchvision.models.vit_b_16", family="transformer")
    x = b.conv(b.input, d, patch, patch, bias=True, name="conv_proj")
    grid = x.shape[2] * x.shape[3]
    x = b.layer(Op.RESHAPE, [x], (1, grid, d), name="patchify", kind="flatten_transpose")
    tokens = grid + 1
    x = b.layer(Op.CONCAT, [x], (1, tokens, d), name="class_token", params=d, axis=1)
    x = b.elementwise([x], "add", op=Op.ADD, params=tokens * d, name="pos_embedding")
    for i in range(depth):
        name = f"encoder.layer{i}"
        h = b.norm(x, "layernorm", name=f"{name}.ln_1")
        h = attention(
            b,
            h,
            heads=heads,
            kv_heads=heads,
            head_dim=d // heads,
            kv_len=tokens,
            causal=False,
            bias=True,
            name=f"{name}.attn",
        )
        x = b.add(x, h, name=f"{name}.add_1")
        h = b.norm(x, "layernorm", name=f"{name}.ln_2")
        h = mlp(b, h, ffn=ffn, kind="gelu", bias=True, name=f"{name}.mlp")
        x = b.add(x, h, name=f"{name}.add_2")
    x = b.norm(x, "layernorm", name="encoder.ln")
    x = b.layer(Op.RESHAPE, [x], (1, d), name="class_select", kind="slice")
    b.linear(x, num_classes, name="head")
    return b.build()
