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


def window_partition(x: Tensor, window: int) -> Tensor:
    """Split ``(B, H, W, C)`` into ``(B * windows, window², C)`` token groups."""
    B, H, W, C = x.shape
    x = x.view(B, H // window, window, W // window, window, C)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window * window, C)


def window_reverse(windows: Tensor, window: int, height: int, width: int) -> Tensor:
    """Undo [`window_partition`][netviz_models.swin.window_partition]: back to ``(B, H, W, C)``."""
    C = windows.shape[-1]
    x = windows.view(-1, height // window, width // window, window, window, C)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, height, width, C)


def _relative_position_index(window: int) -> Tensor:
    """For each pair of tokens ``(i, j)`` of a window, the row of their bias in the table.

    Plain Python, as is [`_shift_mask`][netviz_models.swin._shift_mask]: tensor arithmetic
    on the meta device imports ``torch._dynamo``, seconds for every meta build.
    """
    side = 2 * window - 1
    coords = [(row, col) for row in range(window) for col in range(window)]
    return torch.tensor([
        (ri - rj + window - 1) * side + (ci - cj + window - 1)
        for ri, ci in coords
        for rj, cj in coords
    ])


def _shift_mask(size: tuple[int, int], window: int, shift: int) -> Tensor:
    """``(windows, N, N)``: 0 between tokens from the same region of the shifted map, else -100.

    Rolling the map by ``-shift`` brings its last ``shift`` rows and columns next to the
    first ones; each side splits into three bands (``[0, L - window)``,
    ``[L - window, L - shift)``, ``[L - shift, L)``), and tokens attend only within their
    band pair.
    """

    def band(x: int, length: int) -> int:
        return 0 if x < length - window else 1 if x < length - shift else 2

    height, width = size
    region = [[3 * band(r, height) + band(c, width) for c in range(width)] for r in range(height)]
    masks = []
    for top in range(0, height, window):
        for left in range(0, width, window):
            tokens = [region[top + i][left + j] for i in range(window) for j in range(window)]
            masks.append([[0.0 if a == b else -100.0 for b in tokens] for a in tokens])
    return torch.tensor(masks)


class ShiftedWindowAttention(nn.Module):
    """Window multi-head self-attention with relative-position bias, optionally shifted.

    Attributes:
        window_size: Side of a square window.
        shift_size: Cyclic shift (0: none).
        num_heads: Attention heads.
        scale: ``head_dim ** -0.5``.
        qkv: One linear layer giving queries, keys and values.
        proj: Output projection.
        relative_position_bias_table: ``((2w - 1)², heads)`` learned biases.
        relative_position_index: Buffer mapping token pairs to table rows.
        attn_mask: Shift mask ``(windows, N, N)`` (non-persistent), or ``None``.
    """

    relative_position_index: Tensor
    attn_mask: Tensor | None

    def __init__(
        self, dim: int, num_heads: int, window_size: int, shift_size: int, size: tuple[int, int]
    ) -> None:
        """Build the layer.

        Args:
            dim: Channels.
            num_heads: Attention heads; divide ``dim``.
            window_size: Side of a window; divides both sides of ``size``.
            shift_size: Shift of the windows; 0, or less than ``window_size``.
            size: ``(H, W)`` of the feature map the layer is built for.

        Raises:
            ValueError: The window does not tile the map, or the heads do not divide ``dim``.
        """
        super().__init__()
        if size[0] % window_size or size[1] % window_size:
            raise ValueError(f"window {window_size} does not tile a {size[0]}x{size[1]} map")
        if dim % num_heads:
            raise ValueError(f"width {dim} is not divisible by {num_heads} heads")
        if window_size >= min(size):
            shift_size = 0  # one window covers the map: nothing to shift
        self.window_size = window_size
        self.shift_size = shift_size
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * window_size - 1) ** 2, num_heads)
        )
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)
        self.register_buffer("relative_position_index", _relative_position_index(window_size))
        mask = _shift_mask(size, window_size, shift_size) if shift_size else None
        self.register_buffer("attn_mask", mask, persistent=False)

    def relative_position_bias(self) -> Tensor:
        """The bias added to the attention logits, ``(1, heads, N, N)``."""
        n = self.window_size * self.window_size
        bias = self.relative_position_bias_table[self.relative_position_index]
        return bias.view(n, n, -1).permute(2, 0, 1).unsqueeze(0)

    def forward(self, x: Tensor) -> Tensor:
        """Attend within the (shifted) windows of ``(B, H, W, C)``."""
        B, H, W, C = x.shape
        s, w = self.shift_size, self.window_size
        if s:
            x = torch.roll(x, shifts=(-s, -s), dims=(1, 2))
        x = window_partition(x, w)  # (B * windows, N, C)
        BW, N, _ = x.shape
        qkv = self.qkv(x).reshape(BW, N, 3, self.num_heads, C // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        attn = attn + self.relative_position_bias()
        if self.attn_mask is not None:
            windows = self.attn_mask.shape[0]
            attn = attn.view(-1, windows, self.num_heads, N, N) + self.attn_mask.unsqueeze(1)
            attn = attn.view(-1, self.num_heads, N, N)
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(BW, N, C)
        x = self.proj(x)
        x = window_reverse(x, w, H, W)
        if s:
            x = torch.roll(x, shifts=(s, s), dims=(1, 2))
        return x


class SwinTransformerBlock(nn.Module):
    """``x + drop(attn(LN(x)))``, then ``x + drop(MLP(LN(x)))`` on ``(B, H, W, C)``.

    Attributes:
        norm1: Norm before attention (over channels).
        attn: [`ShiftedWindowAttention`][netviz_models.swin.ShiftedWindowAttention].
        stochastic_depth: [`DropPath`][netviz_models.layers.DropPath] on both branches.
        norm2: Norm before the MLP.
        mlp: ``Linear C → 4C → GELU → Linear → C``.
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
        """Build the block.

        Args:
            dim: Channels.
            num_heads: Attention heads.
            window_size: Side of a window.
            shift_size: Shift of the windows (0: none).
            size: ``(H, W)`` of the feature map.
            stochastic_depth_prob: Drop probability of both residual branches.
        """
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

    Attributes:
        norm: Norm over the ``4C`` concatenated channels.
        reduction: ``Linear(4C, 2C)`` without bias.
    """

    def __init__(self, dim: int) -> None:
        """Build the layer.

        Args:
            dim: Input channels ``C``.
        """
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

    Attributes:
        features: ``0``: conv + permute to NHWC + LayerNorm; then stages
            (``Sequential`` of blocks) and ``PatchMerging`` layers alternately.
        norm: Final norm over channels.
        permute: Back to NCHW for pooling.
        avgpool: Global average pool.
        flatten: ``(B, C, 1, 1) → (B, C)``.
        head: Linear classifier.
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
        """Build the network.

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
        """
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
    """A compact Swin: 2x2 patches (16x16 map), two stages of two blocks, 24 and 48 channels."""
    return SwinTransformer(
        32, 2, 24, [2, 2], [2, 4], 4, stochastic_depth_prob=0.1, num_classes=num_classes
    )
