"""Swin Transformer (Liu et al., 2021) on channels-last tensors, torchvision-compatible keys.

A 4x4/4 patch-embedding conv, then everything runs on NHWC tensors: stages of
window-attention blocks (``x + attn(LN(x))``, ``x + MLP(LN(x))``; LayerNorm over
the channels, the last dimension) with patch merging between stages (four
strided slices concatenated, LayerNorm, ``Linear 4C → 2C``). Window attention
partitions the map into ``window x window`` windows (view/permute), shifts it by
half a window with ``torch.roll`` in every second block, computes ``q @ kᵀ`` per
head from one qkv ``Linear``, adds the learned relative-position bias (and, in
shifted blocks, the mask that keeps shifted-in tokens apart), softmax, ``@ v``,
proj, and reverses the partition and the shift.

Module names and ``state_dict`` keys equal ``torchvision.models.swin_t``'s. As in
timm, each block is built for its feature-map size: the shift mask is computed
once (a non-persistent buffer, so ``state_dict`` keys do not change) and the
shift is off where the window covers the whole map. The input size is fixed.

Examples:
    >>> import torch
    >>> from netviz_models.swin import swin_mini, swin_t
    >>> with torch.device("meta"):
    ...     sum(p.numel() for p in swin_t().parameters())
    28288354
    >>> swin_mini()(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from netviz.registry import register_model

from ._swin_attention import ShiftedWindowAttention, window_partition, window_reverse
from .layers import DropPath, Permute, transformer_mlp

__all__ = [
    "PatchMerging",
    "ShiftedWindowAttention",
    "SwinTransformer",
    "SwinTransformerBlock",
    "swin_mini",
    "swin_t",
    "window_partition",
    "window_reverse",
]

MINI_SHAPE = (3, 32, 32)


class SwinTransformerBlock(nn.Module):
    """``x + drop(attn(LN(x)))``, then ``x + drop(MLP(LN(x)))`` on ``(B, H, W, C)``.

    Two residual sums on a channels-last map: window attention of its LayerNorm
    ([`ShiftedWindowAttention`][netviz_models.swin.ShiftedWindowAttention]),
    then the MLP (``Linear C → 4C``, GELU, ``Linear 4C → C``) of the LayerNorm of
    that; stochastic depth (a no-op in eval mode) on both branches. In the
    shifted block of a pair (by 2, on an 8x8 map with 4x4 windows), the rolls
    that shift the map and shift it back are inside the attention box:

    ```netviz
    model: netviz_models.swin:SwinTransformerBlock(24, 2, 4, 2, (8, 8))
    input_shape: 8,8,24
    ```

    Args:
        dim: Channels.
        num_heads: Attention heads.
        window_size: Side of a window.
        shift_size: Shift of the windows (0: none).
        size: ``(H, W)`` of the feature map.
        stochastic_depth_prob: Drop probability of both residual branches.

    Attributes:
        norm1: Norm before attention (over channels).
        attn: [`ShiftedWindowAttention`][netviz_models.swin.ShiftedWindowAttention].
        stochastic_depth: [`DropPath`][netviz_models.layers.DropPath] on both branches.
        norm2: Norm before the MLP.
        mlp: ``Linear C → 4C → GELU → Linear → C``.

    Examples:
        >>> import torch
        >>> block = SwinTransformerBlock(24, 2, 4, 2, (8, 8))
        >>> block(torch.zeros(1, 8, 8, 24)).shape
        torch.Size([1, 8, 8, 24])
        >>> sum(p.numel() for p in block.parameters())  # 48 + 2,498 + 48 + 4,728
        7322
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        window_size: int,
        shift_size: int,
        size: tuple[int, int],
        *,
        stochastic_depth_prob: float = 0.0,
    ) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = ShiftedWindowAttention(dim, num_heads, window_size, shift_size, size)
        self.stochastic_depth = DropPath(stochastic_depth_prob)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = transformer_mlp(dim, 4 * dim)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, H, W, C)`` to ``(B, H, W, C)``."""
        x = x + self.stochastic_depth(self.attn(self.norm1(x)))
        x = x + self.stochastic_depth(self.mlp(self.norm2(x)))
        return x


class PatchMerging(nn.Module):
    """Halve H and W, double C: four strided slices, concat, LayerNorm, ``Linear 4C → 2C``.

    Each 2x2 neighbourhood of the channels-last map becomes one token of ``4C``
    channels (the four slices ``x[..., i::2, j::2, :]``, hidden as views, then
    concatenated), normalised and reduced to ``2C`` (24 channels on an 8x8 map):

    ```netviz
    model: netviz_models.swin:PatchMerging(24)
    input_shape: 8,8,24
    ```

    Args:
        dim: Input channels ``C``.

    Attributes:
        norm: Norm over the ``4C`` concatenated channels.
        reduction: ``Linear(4C, 2C)`` without bias.

    Examples:
        >>> import torch
        >>> merge = PatchMerging(24)
        >>> merge(torch.zeros(1, 8, 8, 24)).shape
        torch.Size([1, 4, 4, 48])
        >>> sum(p.numel() for p in merge.parameters())  # norm 2·96, reduction 96·48
        4800
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = nn.LayerNorm(4 * dim)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, H, W, C)`` to ``(B, H/2, W/2, 2C)``."""
        x0 = x[..., 0::2, 0::2, :]
        x1 = x[..., 1::2, 0::2, :]
        x2 = x[..., 0::2, 1::2, :]
        x3 = x[..., 1::2, 1::2, :]
        x = torch.cat([x0, x1, x2, x3], -1)
        return self.reduction(self.norm(x))


class SwinTransformer(nn.Module):
    """Swin classifier: patch embedding, stages with patch merging, norm, pool, head.

    [Liu et al., *Swin Transformer*](https://arxiv.org/abs/2103.14030): a
    ``patch_size`` conv with stride ``patch_size``, permuted to channels-last and
    normalised; stages of [`SwinTransformerBlock`][netviz_models.swin.SwinTransformerBlock]s
    (every second one shifted) with a [`PatchMerging`][netviz_models.swin.PatchMerging]
    between stages; a LayerNorm, the permute back, a global average pool and the
    head. [`swin_mini`][netviz_models.swin.swin_mini] (32x32 images, 2x2 patches,
    two stages of two blocks):

    ```netviz
    model: swin_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: swin_mini
    show: summary
    ```

    Args:
        image_size: Side of the square input image.
        patch_size: Side (and stride) of the patch-embedding conv.
        embed_dim: Channels after the patch embedding; doubled by each merge.
        depths: Blocks per stage.
        num_heads: Attention heads per stage.
        window_size: Side of an attention window.
        stochastic_depth_prob: Drop probability of the last block (linear ramp from 0).
        num_classes: Outputs of the head.

    Raises:
        ValueError: ``depths`` and ``num_heads`` differ in length, or a feature map
            is not tiled by the window.

    Attributes:
        features: ``0``: conv + permute to NHWC + LayerNorm; then stages
            (``Sequential`` of blocks) and ``PatchMerging`` layers alternately.
        norm: Final norm over channels.
        permute: Back to NCHW for pooling.
        avgpool: Global average pool.
        flatten: ``(B, C, 1, 1) → (B, C)``.
        head: Linear classifier.

    Examples:
        >>> import torch
        >>> model = SwinTransformer(32, 2, 24, [2, 2], [2, 4], 4, num_classes=10)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        77326
    """

    def __init__(
        self,
        image_size: int,
        patch_size: int,
        embed_dim: int,
        depths: Sequence[int],
        num_heads: Sequence[int],
        window_size: int,
        *,
        stochastic_depth_prob: float = 0.0,
        num_classes: int = 1000,
    ) -> None:
        super().__init__()
        if len(depths) != len(num_heads) or not depths:
            raise ValueError(f"need one head count per stage: depths={depths}, heads={num_heads}")
        side = image_size // patch_size
        layers: list[nn.Module] = [nn.Sequential(
            nn.Conv2d(3, embed_dim, kernel_size=patch_size, stride=patch_size),
            Permute([0, 2, 3, 1]),
            nn.LayerNorm(embed_dim),
        )]
        total, index = sum(depths), 0
        for stage, (depth, heads) in enumerate(zip(depths, num_heads)):
            dim = embed_dim * 2**stage
            blocks = []
            for i in range(depth):
                prob = stochastic_depth_prob * index / max(total - 1, 1)
                shift = window_size // 2 if i % 2 else 0
                blocks.append(SwinTransformerBlock(
                    dim, heads, window_size, shift, (side, side), stochastic_depth_prob=prob
                ))
                index += 1
            layers.append(nn.Sequential(*blocks))
            if stage < len(depths) - 1:
                layers.append(PatchMerging(dim))
                side //= 2
        self.features = nn.Sequential(*layers)
        num_features = embed_dim * 2 ** (len(depths) - 1)
        self.norm = nn.LayerNorm(num_features)
        self.permute = Permute([0, 3, 1, 2])
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.head = nn.Linear(num_features, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        x = self.features(x)
        x = self.norm(x)
        x = self.permute(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        return self.head(x)


def swin_t(*, num_classes: int = 1000, image_size: int = 224) -> SwinTransformer:
    """Swin-T as torchvision builds it: 96 wide, depths 2-2-6-2, window 7 (28,288,354 parameters).

    Not registered (its gallery page would be slow); draw it with
    ``netviz render netviz_models.swin:swin_t --input-shape 3,224,224``.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = swin_t()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '28,288,354'
    """
    return SwinTransformer(
        image_size, 4, 96, [2, 2, 6, 2], [3, 6, 12, 24], 7,
        stochastic_depth_prob=0.2, num_classes=num_classes,
    )


@register_model(
    "swin_mini",
    input_shape=MINI_SHAPE,
    description="Swin-style: NHWC shifted-window attention, patch merging (32x32)",
)
def swin_mini(*, num_classes: int = 10) -> SwinTransformer:
    """A compact Swin: 2x2 patches (16x16 map), two stages of two blocks, 24 and 48 channels.

    4x4 windows, 2 and 4 heads; 77,326 parameters.

    Examples:
        >>> sum(p.numel() for p in swin_mini().parameters())
        77326
    """
    return SwinTransformer(
        32, 2, 24, [2, 2], [2, 4], 4, stochastic_depth_prob=0.1, num_classes=num_classes
    )
