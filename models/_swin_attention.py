"""Swin's window attention: window partition, relative-position bias, shift mask.

Part of [`netviz_models.swin`][netviz_models.swin], which exports its public names.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


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

    Plain Python, as is ``_shift_mask``: tensor arithmetic on the meta device imports
    ``torch._dynamo``, seconds for every meta build.
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

    The map is rolled by ``-shift_size`` (when shifted), split into
    ``window_size x window_size`` windows of tokens, and each window attends
    within itself: one ``qkv`` linear layer, ``(q · scale) @ kᵀ`` per head plus
    the learned relative-position bias (and the shift mask), softmax, ``@ v``,
    ``proj``; the windows are put back and the roll undone. The diagram draws
    the core as one box with its heads, width and window (an 8x8 map of 24
    channels, 4x4 windows, shifted by 2):

    ```netviz
    model: netviz_models.swin:ShiftedWindowAttention(24, 2, 4, 2, (8, 8))
    input_shape: 8,8,24
    ```

    Args:
        dim: Channels.
        num_heads: Attention heads; divide ``dim``.
        window_size: Side of a window; divides both sides of ``size``.
        shift_size: Shift of the windows; 0, or less than ``window_size``.
        size: ``(H, W)`` of the feature map the layer is built for.

    Raises:
        ValueError: The window does not tile the map, or the heads do not divide ``dim``.

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

    Examples:
        >>> import torch
        >>> attention = ShiftedWindowAttention(24, 2, 4, 2, (8, 8))
        >>> attention(torch.zeros(1, 8, 8, 24)).shape
        torch.Size([1, 8, 8, 24])
        >>> sum(p.numel() for p in attention.parameters())  # 1,800 + 600 + 98
        2498
        >>> tuple(attention.attn_mask.shape)  # 4 windows of 16 tokens
        (4, 16, 16)
    """

    relative_position_index: Tensor
    attn_mask: Tensor | None

    def __init__(
        self, dim: int, num_heads: int, window_size: int, shift_size: int, size: tuple[int, int]
    ) -> None:
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
