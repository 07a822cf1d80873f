"""Vision Transformer (Dosovitskiy et al., 2020), compatible with torchvision.

A patch-embedding conv turns the image into tokens, a learned class token is
prepended (``torch.cat`` of the expanded parameter), a learned position
embedding is added (``x + pos_embedding``), pre-norm encoder blocks follow
(``x + attention(LN(x))``, then ``x + MLP(LN(x))``), a final LayerNorm, and
the head reads the class token (``x[:, 0]``).

Attention comes written two ways, as users write it:

- ``attention="mha"``: ``nn.MultiheadAttention(batch_first=True)``, as torchvision
  does; module names and ``state_dict`` keys equal ``torchvision.models.vit_b_16``'s.
- ``attention="qkv"``: the timm way, [`Attention`][netviz_models.vit.Attention]: one qkv
  ``Linear``, reshape/permute, ``unbind``, ``q @ kᵀ · scale``, softmax, ``@ v``, proj.

Examples:
    >>> import torch
    >>> from netviz_models.vit import vit_b_16, vit_mini
    >>> with torch.device("meta"):
    ...     sum(p.numel() for p in vit_b_16().parameters())
    86567656
    >>> vit_mini()(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

import torch
from torch import Tensor, nn

from netviz.registry import register_model

from .layers import transformer_mlp

__all__ = [
    "Attention",
    "Encoder",
    "EncoderBlock",
    "VisionTransformer",
    "vit_b_16",
    "vit_mini",
    "vit_mini_qkv",
]

AttentionKind = Literal["mha", "qkv"]
MINI_SHAPE = (3, 32, 32)


class Attention(nn.Module):
    """Multi-head self-attention written out the timm way.

    One ``qkv`` linear layer gives queries, keys and values for every head
    (``reshape`` to ``(3, heads, tokens, head_dim)``, ``unbind``); each head
    computes ``softmax(q @ kᵀ · scale) @ v``, the heads are merged back and
    ``proj`` mixes them. The diagram draws the core as one box with its heads and
    width, between the two projections (17 tokens of width 48, 3 heads):

    ```netviz
    model: netviz_models.vit:Attention(48, 3)
    input_shape: 17,48
    ```

    Args:
        dim: Token width; divisible by ``num_heads``.
        num_heads: Number of heads.

    Raises:
        ValueError: ``dim`` is not divisible by ``num_heads``.

    Attributes:
        num_heads: Number of heads.
        scale: ``head_dim ** -0.5``.
        qkv: One linear layer giving queries, keys and values.
        proj: Output projection.

    Examples:
        >>> import torch
        >>> attention = Attention(48, 3)
        >>> attention(torch.zeros(1, 17, 48)).shape
        torch.Size([1, 17, 48])
        >>> sum(p.numel() for p in attention.parameters())  # 7,056 + 2,352
        9408
    """

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"width {dim} is not divisible by {num_heads} heads")
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor) -> Tensor:
        """Attend over the tokens of ``(B, N, C)``."""
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attn = q @ k.transpose(-2, -1) * self.scale
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class EncoderBlock(nn.Module):
    """Pre-norm transformer block: ``x + attn(LN(x))``, then ``x + MLP(LN(x))``.

    Two residual sums: the tokens plus self-attention of their LayerNorm, then
    that plus the MLP (``Linear`` to ``mlp_dim``, GELU, ``Linear`` back) of its
    LayerNorm. The norms are drawn as marks on the edges into the layers they
    feed; dropout (a no-op in eval mode) is not drawn:

    ```netviz
    model: netviz_models.vit:EncoderBlock(3, 48, 192)
    input_shape: 17,48
    ```

    Args:
        num_heads: Attention heads.
        hidden_dim: Token width.
        mlp_dim: Hidden width of the MLP.
        attention: ``"mha"`` (``nn.MultiheadAttention``) or ``"qkv"``
            ([`Attention`][netviz_models.vit.Attention], timm style).
        dropout: Dropout after attention and in the MLP.

    Attributes:
        ln_1: Norm before attention.
        self_attention: ``nn.MultiheadAttention`` or [`Attention`][netviz_models.vit.Attention].
        dropout: Dropout after attention.
        ln_2: Norm before the MLP.
        mlp: ``Linear → GELU → Dropout → Linear → Dropout``.

    Examples:
        >>> import torch
        >>> block = EncoderBlock(3, 48, 192)
        >>> block(torch.zeros(1, 17, 48)).shape
        torch.Size([1, 17, 48])
        >>> sum(p.numel() for p in block.parameters())  # 96 + 9,408 + 96 + 18,672
        28272
    """

    def __init__(
        self,
        num_heads: int,
        hidden_dim: int,
        mlp_dim: int,
        *,
        attention: AttentionKind = "mha",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden_dim, eps=1e-6)
        self.self_attention: nn.Module
        if attention == "mha":
            self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads, batch_first=True)
        else:
            self.self_attention = Attention(hidden_dim, num_heads)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = nn.LayerNorm(hidden_dim, eps=1e-6)
        self.mlp = transformer_mlp(hidden_dim, mlp_dim, dropout)

    def _attend(self, x: Tensor) -> Tensor:
        if isinstance(self.self_attention, nn.MultiheadAttention):
            out, _ = self.self_attention(x, x, x, need_weights=False)
            return out
        return self.self_attention(x)

    def forward(self, input: Tensor) -> Tensor:
        """Map ``(B, N, D)`` tokens to ``(B, N, D)``."""
        x = self.dropout(self._attend(self.ln_1(input)))
        x = x + input
        y = self.mlp(self.ln_2(x))
        return x + y


class Encoder(nn.Module):
    """Position embedding, the encoder blocks, a final LayerNorm.

    The learned position embedding is added to the tokens (a labelled box), then
    ``num_layers`` identical [`EncoderBlock`][netviz_models.vit.EncoderBlock]s
    run in turn (folded into one cluster, ``x N``) and a LayerNorm closes. The
    encoder of [`vit_mini`][netviz_models.vit.vit_mini]:

    ```netviz
    model: netviz_models.vit:Encoder(17, 3, 3, 48, 192)
    input_shape: 17,48
    ```

    Args:
        seq_length: Tokens per sample (patches and the class token).
        num_layers: Encoder blocks.
        num_heads: Attention heads.
        hidden_dim: Token width.
        mlp_dim: Hidden width of each MLP.
        attention: ``"mha"`` or ``"qkv"``, as in
            [`EncoderBlock`][netviz_models.vit.EncoderBlock].
        dropout: Dropout probability.

    Attributes:
        pos_embedding: Learned position embedding, ``(1, seq_length, hidden_dim)``.
        dropout: Dropout after adding it.
        layers: ``encoder_layer_0`` … ``encoder_layer_{L-1}``.
        ln: Final norm.

    Examples:
        >>> import torch
        >>> encoder = Encoder(17, 3, 3, 48, 192)
        >>> encoder(torch.zeros(1, 17, 48)).shape
        torch.Size([1, 17, 48])
        >>> sum(p.numel() for p in encoder.parameters())  # 17·48 + 3 · 28,272 + 96
        85728
    """

    def __init__(
        self,
        seq_length: int,
        num_layers: int,
        num_heads: int,
        hidden_dim: int,
        mlp_dim: int,
        *,
        attention: AttentionKind = "mha",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.empty(1, seq_length, hidden_dim))
        nn.init.normal_(self.pos_embedding, std=0.02)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.Sequential(OrderedDict(
            (f"encoder_layer_{i}",
             EncoderBlock(num_heads, hidden_dim, mlp_dim, attention=attention, dropout=dropout))
            for i in range(num_layers)
        ))
        self.ln = nn.LayerNorm(hidden_dim, eps=1e-6)

    def forward(self, x: Tensor) -> Tensor:
        """Add the position embedding, run the blocks, normalise."""
        x = x + self.pos_embedding
        return self.ln(self.layers(self.dropout(x)))


class VisionTransformer(nn.Module):
    """ViT classifier on the class token.

    [Dosovitskiy et al., *An Image is Worth 16x16 Words*](https://arxiv.org/abs/2010.11929):
    a ``patch_size`` conv with stride ``patch_size`` turns the image into one token
    per patch, the class token is concatenated in front, the
    [`Encoder`][netviz_models.vit.Encoder] runs, and the head reads the class
    token. [`vit_mini`][netviz_models.vit.vit_mini] (32x32 images, 8x8 patches,
    three blocks of width 48), the identical blocks folded into one cluster:

    ```netviz
    model: vit_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: vit_mini
    show: summary
    ```

    Args:
        image_size: Side of the square input image.
        patch_size: Side of a patch; divides ``image_size``.
        num_layers: Encoder blocks.
        num_heads: Attention heads; divide ``hidden_dim``.
        hidden_dim: Token width.
        mlp_dim: Hidden width of each MLP.
        num_classes: Outputs of the head.
        attention: ``"mha"`` or ``"qkv"`` (see the module docs).
        dropout: Dropout probability.

    Raises:
        ValueError: ``patch_size`` does not divide ``image_size``, ``attention`` is
            unknown, or ``num_heads`` does not divide ``hidden_dim``.

    Attributes:
        patch_size: Side of a square patch.
        hidden_dim: Token width.
        conv_proj: Patch embedding, a ``patch_size`` conv with stride ``patch_size``.
        class_token: Learned class token, ``(1, 1, hidden_dim)``.
        encoder: The [`Encoder`][netviz_models.vit.Encoder].
        heads: ``head``, the linear classifier.

    Examples:
        >>> import torch
        >>> model = VisionTransformer(32, 8, 3, 3, 48, 192, num_classes=10)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        95530
    """

    def __init__(
        self,
        image_size: int,
        patch_size: int,
        num_layers: int,
        num_heads: int,
        hidden_dim: int,
        mlp_dim: int,
        *,
        num_classes: int = 1000,
        attention: AttentionKind = "mha",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"patch size {patch_size} does not divide image size {image_size}")
        if attention not in ("mha", "qkv"):
            raise ValueError(f"attention must be 'mha' or 'qkv', got {attention!r}")
        if hidden_dim % num_heads:
            raise ValueError(f"width {hidden_dim} is not divisible by {num_heads} heads")
        self.patch_size = patch_size
        self.hidden_dim = hidden_dim
        self.conv_proj = nn.Conv2d(3, hidden_dim, kernel_size=patch_size, stride=patch_size)
        self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
        seq_length = (image_size // patch_size) ** 2 + 1
        self.encoder = Encoder(
            seq_length, num_layers, num_heads, hidden_dim, mlp_dim,
            attention=attention, dropout=dropout,
        )
        self.heads = nn.Sequential(OrderedDict(head=nn.Linear(hidden_dim, num_classes)))

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        n = x.shape[0]
        x = self.conv_proj(x)  # (B, D, H/p, W/p)
        x = x.flatten(2).permute(0, 2, 1)  # (B, N, D): one token per patch
        batch_class_token = self.class_token.expand(n, -1, -1)
        x = torch.cat([batch_class_token, x], dim=1)
        x = self.encoder(x)
        x = x[:, 0]
        return self.heads(x)


def vit_b_16(*, num_classes: int = 1000, image_size: int = 224) -> VisionTransformer:
    """ViT-B/16 as torchvision builds it: 12 layers, 12 heads, width 768 (86,567,656 parameters).

    Not registered: at 224x224 its 197-token attention makes the gallery page slow;
    draw it with ``netviz render netviz_models.vit:vit_b_16 --input-shape 3,224,224``.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = vit_b_16()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '86,567,656'
    """
    return VisionTransformer(image_size, 16, 12, 12, 768, 3072, num_classes=num_classes)


@register_model(
    "vit_mini",
    input_shape=MINI_SHAPE,
    description="ViT-style: 8x8 patches, class token, 3 pre-norm blocks, MultiheadAttention (32x32)",
)
def vit_mini(*, num_classes: int = 10) -> VisionTransformer:
    """A compact ViT: 32x32 input, 8x8 patches (16 tokens + class token), 3 blocks, width 48.

    95,530 parameters.

    Examples:
        >>> sum(p.numel() for p in vit_mini().parameters())
        95530
    """
    return VisionTransformer(32, 8, 3, 3, 48, 192, num_classes=num_classes)


@register_model(
    "vit_mini_qkv",
    input_shape=MINI_SHAPE,
    description="ViT-style with timm-style attention: qkv Linear, q @ k^T, softmax, @ v (32x32)",
)
def vit_mini_qkv(*, num_classes: int = 10) -> VisionTransformer:
    """[`vit_mini`][netviz_models.vit.vit_mini] with [`Attention`][netviz_models.vit.Attention].

    The same 95,530 parameters, named ``qkv`` and ``proj`` instead of
    ``in_proj_weight`` and ``out_proj``:

    ```netviz
    model: vit_mini_qkv
    legend: true
    ```

    Examples:
        >>> sum(p.numel() for p in vit_mini_qkv().parameters())
        95530
    """
    return VisionTransformer(32, 8, 3, 3, 48, 192, num_classes=num_classes, attention="qkv")
