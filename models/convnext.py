"""ConvNeXt (Liu et al., 2022), as the authors' code writes it.

A 4x4/4 stem conv with a channels-first LayerNorm; stages of blocks, each
``7x7 depthwise conv → permute to NHWC → LayerNorm → Linear 4x → GELU → Linear →
layer scale (× γ) → permute back → stochastic depth → + input``; between stages a
channels-first LayerNorm and a 2x2/2 conv; global average pool, LayerNorm, head.

Module names and ``state_dict`` keys follow the original
``facebookresearch/ConvNeXt`` code (``downsample_layers``, ``stages``, ``dwconv``,
``pwconv1``, ``gamma``), whose checkpoints load; torchvision's ``convnext_tiny``
is the same network under other names (``layer_scale`` of shape ``(C, 1, 1)``
applied after the permute back), with the same 28,589,128 parameters.

Examples:
    >>> import torch
    >>> from netviz_models.convnext import convnext_mini, convnext_tiny
    >>> with torch.device("meta"):
    ...     sum(p.numel() for p in convnext_tiny().parameters())
    28589128
    >>> convnext_mini()(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from netviz.registry import register_model

from .layers import DropPath, LayerNorm2d

__all__ = ["Block", "ConvNeXt", "convnext_mini", "convnext_tiny"]

MINI_SHAPE = (3, 32, 32)


class Block(nn.Module):
    """The ConvNeXt block (inverted bottleneck on channels-last tensors, layer scale).

    The branch is a 7x7 depthwise conv, then, on the channels-last tensor, a
    LayerNorm, ``Linear C → 4C``, GELU, ``Linear 4C → C`` and the layer scale
    ``× γ``; it is added to the input (through stochastic depth, a no-op in eval
    mode). The permutes to channels-last and back change no values and are not
    drawn (24 channels, 8x8):

    ```netviz
    model: netviz_models.convnext:Block(24)
    input_shape: 24,8,8
    ```

    Args:
        dim: Channels.
        drop_path: Stochastic-depth probability of the branch.
        layer_scale: Initial value of ``gamma``; 0 leaves layer scale out.

    Attributes:
        dwconv: 7x7 depthwise conv (NCHW).
        norm: LayerNorm over channels (NHWC).
        pwconv1: ``Linear C → 4C``.
        act: GELU.
        pwconv2: ``Linear 4C → C``.
        gamma: Layer scale, one factor per channel, or ``None``.
        drop_path: [`DropPath`][netviz_models.layers.DropPath] on the residual branch.

    Examples:
        >>> import torch
        >>> block = Block(24)
        >>> block(torch.zeros(1, 24, 8, 8)).shape
        torch.Size([1, 24, 8, 8])
        >>> sum(p.numel() for p in block.parameters())
        6000
    """

    def __init__(self, dim: int, *, drop_path: float = 0.0, layer_scale: float = 1e-6) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(torch.full((dim,), layer_scale)) if layer_scale > 0 else None
        self.drop_path = DropPath(drop_path)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, C, H, W)`` to ``(B, C, H, W)``."""
        input = x
        x = self.dwconv(x)
        x = x.permute(0, 2, 3, 1)  # (B, H, W, C)
        x = self.norm(x)
        x = self.pwconv1(x)
        x = self.act(x)
        x = self.pwconv2(x)
        if self.gamma is not None:
            x = self.gamma * x
        x = x.permute(0, 3, 1, 2)  # (B, C, H, W)
        return input + self.drop_path(x)


class ConvNeXt(nn.Module):
    """ConvNeXt classifier.

    [Liu et al., *A ConvNet for the 2020s*](https://arxiv.org/abs/2201.03545): a
    4x4/4 stem conv with a channels-first LayerNorm, stages of
    [`Block`][netviz_models.convnext.Block]s with a LayerNorm and a 2x2/2 conv
    between them, a global average pool, a LayerNorm and the head.
    [`convnext_mini`][netviz_models.convnext.convnext_mini] (32x32 images, two
    stages of two blocks), the identical blocks of each stage folded into one cluster:

    ```netviz
    model: convnext_mini
    legend: true
    ```

    Its layers and parameters, one row per group of the diagram:

    ```netviz
    model: convnext_mini
    show: summary
    ```

    Args:
        depths: Blocks per stage.
        dims: Channels per stage.
        drop_path_rate: Stochastic-depth probability of the last block (linear ramp from 0).
        layer_scale: Initial layer-scale value; 0 leaves layer scale out.
        num_classes: Outputs of the head.

    Raises:
        ValueError: ``depths`` and ``dims`` differ in length or are empty.

    Attributes:
        downsample_layers: ``0``: stem (4x4/4 conv, LayerNorm); then LayerNorm + 2x2/2 conv.
        stages: One ``Sequential`` of [`Block`][netviz_models.convnext.Block]s per stage.
        norm: LayerNorm of the pooled features.
        head: Linear classifier.

    Examples:
        >>> import torch
        >>> model = ConvNeXt([2, 2], [24, 48], num_classes=10)
        >>> model(torch.zeros(2, 3, 32, 32)).shape
        torch.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        60946
    """

    def __init__(
        self,
        depths: Sequence[int],
        dims: Sequence[int],
        *,
        drop_path_rate: float = 0.0,
        layer_scale: float = 1e-6,
        num_classes: int = 1000,
    ) -> None:
        super().__init__()
        if len(depths) != len(dims) or not depths:
            raise ValueError(f"need one width per stage: depths={depths}, dims={dims}")
        self.downsample_layers = nn.ModuleList([nn.Sequential(
            nn.Conv2d(3, dims[0], kernel_size=4, stride=4), LayerNorm2d(dims[0], eps=1e-6)
        )])
        for i in range(len(dims) - 1):
            self.downsample_layers.append(nn.Sequential(
                LayerNorm2d(dims[i], eps=1e-6), nn.Conv2d(dims[i], dims[i + 1], 2, stride=2)
            ))
        total = sum(depths)
        rates = [drop_path_rate * i / max(total - 1, 1) for i in range(total)]
        self.stages = nn.ModuleList()
        first = 0
        for depth, dim in zip(depths, dims):
            self.stages.append(nn.Sequential(*(
                Block(dim, drop_path=rate, layer_scale=layer_scale)
                for rate in rates[first : first + depth]
            )))
            first += depth
        self.norm = nn.LayerNorm(dims[-1], eps=1e-6)
        self.head = nn.Linear(dims[-1], num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``(B, 3, H, W)`` images to ``(B, num_classes)`` logits."""
        for downsample, stage in zip(self.downsample_layers, self.stages):
            x = stage(downsample(x))
        x = self.norm(x.mean([-2, -1]))  # global average pool, then norm
        return self.head(x)


def convnext_tiny(*, num_classes: int = 1000, drop_path_rate: float = 0.1) -> ConvNeXt:
    """ConvNeXt-T: depths 3-3-9-3, widths 96-192-384-768 (28,589,128 parameters).

    Not registered (its gallery page would be slow); draw it with
    ``netviz render netviz_models.convnext:convnext_tiny --input-shape 3,224,224``.

    Examples:
        >>> import torch
        >>> with torch.device("meta"):  # no weights allocated
        ...     model = convnext_tiny()
        >>> f"{sum(p.numel() for p in model.parameters()):,}"
        '28,589,128'
    """
    return ConvNeXt(
        [3, 3, 9, 3], [96, 192, 384, 768], drop_path_rate=drop_path_rate, num_classes=num_classes
    )


@register_model(
    "convnext_mini",
    input_shape=MINI_SHAPE,
    description="ConvNeXt-style: 7x7 depthwise, channels-last MLP, layer scale (32x32)",
)
def convnext_mini(*, num_classes: int = 10) -> ConvNeXt:
    """A compact ConvNeXt: two stages of two blocks, 24 and 48 channels, 8x8 then 4x4.

    60,946 parameters.

    Examples:
        >>> sum(p.numel() for p in convnext_mini().parameters())
        60946
    """
    return ConvNeXt([2, 2], [24, 48], drop_path_rate=0.1, num_classes=num_classes)
