"""mdnc-style residual blocks: plain and bottleneck, 1d/2d/3d.

Re-implements the blocks documented for ``mdnc.modules.resnet`` (seed 001) with
the same signature, options and layer order, so their summaries match the
documentation's worked examples exactly.

A block has a convolutional branch of "modern" conv layers (``conv1``,
``conv2`` and, for the bottleneck, ``conv3``, each an ``nn.Sequential``) and
an input branch ``in_node``: ``None`` (identity) unless the block rescales or
changes the channel count, then a 1x1 projection conv followed by a norm. The
output is ``branch(x) + in_node(x)``.

A modern conv layer is, with ``layer_order='new'`` (pre-activation),
``norm → act → conv``; with ``'old'``, ``conv → norm → act``; without a
normalizer, ``conv → act`` (the conv then has a bias). With ``scaler='up'`` an
``Upsample`` (to ``output_size``, or by ``stride``) comes before the rescaling
conv and before the projection conv, and those convs have stride 1.

Examples:
    >>> import torch
    >>> from netviz_models.mdnc import BlockBottleneck2d
    >>> layer = BlockBottleneck2d(16, 32, kernel_size=3, stride=(1, 2), padding=1)
    >>> layer(torch.zeros(1, 16, 4, 255)).shape
    torch.Size([1, 32, 4, 128])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Union

from torch import Tensor, nn

from netviz.registry import register_model

__all__ = [
    "ACTIVATORS",
    "LAYER_ORDERS",
    "NORMALIZERS",
    "SCALERS",
    "BlockBottleneck1d",
    "BlockBottleneck2d",
    "BlockBottleneck3d",
    "BlockPlain1d",
    "BlockPlain2d",
    "BlockPlain3d",
    "mdnc_bottleneck2d_ex1",
    "mdnc_bottleneck2d_ex2",
]

IntOrTuple = Union[int, Sequence[int]]

NORMALIZERS = ("batch", "inst", "pinst", "null")
"""``batch``: BatchNorm; ``inst``: InstanceNorm; ``pinst``: InstanceNorm with affine
parameters; ``null``: none (the conv gets a bias)."""
ACTIVATORS = ("prelu", "relu", "null")
"""``prelu``: one PReLU parameter per channel; ``relu``; ``null``: none."""
LAYER_ORDERS = ("new", "old")
"""``new``: norm → act → conv (pre-activation); ``old``: conv → norm → act."""
SCALERS = ("down", "up")
"""``down``: ``stride`` down-samples; ``up``: ``Upsample`` by ``stride`` or to ``output_size``."""

_CONV: dict[int, Callable[..., nn.Module]] = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
"""Conv class per spatial rank (kernel, stride and padding may be ints or sequences)."""
_BATCH = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}
_INST = {1: nn.InstanceNorm1d, 2: nn.InstanceNorm2d, 3: nn.InstanceNorm3d}
_UPSAMPLE_MODE = {1: "linear", 2: "bilinear", 3: "trilinear"}


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}; got {value!r}")
    return value


def _is_scaling(stride: IntOrTuple, output_size: IntOrTuple | None, scaler: str) -> bool:
    """Whether the block changes the spatial size (mdnc's ``check_is_stride``)."""
    if scaler == "up" and output_size is not None:
        return True
    strides = stride if isinstance(stride, Sequence) else (stride,)
    return any(s > 1 for s in strides)


class _ConvFactory:
    """Builds the modern conv layers and the projection branch of one block."""

    def __init__(self, order: int, normalizer: str, activator: str, layer_order: str) -> None:
        self.order = order
        self.normalizer = normalizer
        self.activator = activator
        self.layer_order = layer_order

    def norm(self, planes: int) -> nn.Module:
        if self.normalizer == "batch":
            return _BATCH[self.order](planes)
        return _INST[self.order](planes, affine=self.normalizer == "pinst")

    def act(self, planes: int) -> nn.Module | None:
        if self.activator == "prelu":
            return nn.PReLU(num_parameters=planes)
        if self.activator == "relu":
            return nn.ReLU(inplace=False)
        return None

    def upsample(self, stride: IntOrTuple, output_size: IntOrTuple | None) -> nn.Upsample:
        mode = _UPSAMPLE_MODE[self.order]
        if output_size is not None:
            size = tuple(output_size) if isinstance(output_size, Sequence) else output_size
            return nn.Upsample(size=size, mode=mode, align_corners=True)
        factor = tuple(stride) if isinstance(stride, Sequence) else (stride,) * self.order
        return nn.Upsample(scale_factor=tuple(float(f) for f in factor), mode=mode, align_corners=True)

    def conv_layer(
        self,
        in_planes: int,
        out_planes: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple = 1,
        padding: IntOrTuple = 0,
        output_size: IntOrTuple | None = None,
        scaler: str = "down",
    ) -> nn.Sequential:
        """One modern conv layer: [norm, act,] [upsample,] conv [, norm, act]."""
        conv_nd = _CONV[self.order]
        up = scaler == "up" and _is_scaling(stride, output_size, scaler)
        has_norm = self.normalizer != "null"
        seq: list[nn.Module | None] = []
        if has_norm and self.layer_order == "new":
            seq += [self.norm(in_planes), self.act(in_planes)]
        if up:
            seq.append(self.upsample(stride, output_size))
        seq.append(
            conv_nd(
                in_planes,
                out_planes,
                kernel_size=kernel_size,
                stride=1 if up else stride,
                padding=padding,
                bias=not has_norm,
            )
        )
        if not has_norm:
            seq.append(self.act(out_planes))
        elif self.layer_order == "old":
            seq += [self.norm(out_planes), self.act(out_planes)]
        return nn.Sequential(*(m for m in seq if m is not None))

    def projection(
        self,
        in_planes: int,
        out_planes: int,
        stride: IntOrTuple,
        output_size: IntOrTuple | None,
        scaler: str,
    ) -> nn.Sequential | None:
        """The input branch: ``None`` or [upsample,] 1x1 conv [, norm]."""
        scaling = _is_scaling(stride, output_size, scaler)
        if not scaling and in_planes == out_planes:
            return None
        conv_nd = _CONV[self.order]
        up = scaler == "up" and scaling
        has_norm = self.normalizer != "null"
        seq: list[nn.Module] = []
        if up:
            seq.append(self.upsample(stride, output_size))
        seq.append(
            conv_nd(
                in_planes,
                out_planes,
                kernel_size=1,
                stride=1 if up else stride,
                padding=0,
                bias=not has_norm,
            )
        )
        if has_norm:
            seq.append(self.norm(out_planes))
        return nn.Sequential(*seq)


class _ResidualBlockNd(nn.Module):
    """Option checking shared by the plain and bottleneck blocks."""

    order: ClassVar[int] = 2

    def __init__(
        self,
        in_planes: int,
        out_planes: int,
        kernel_size: IntOrTuple = 3,
        stride: IntOrTuple = 1,
        padding: IntOrTuple = 1,
        output_size: IntOrTuple | None = None,
        normalizer: str = "pinst",
        activator: str = "prelu",
        layer_order: str = "new",
        scaler: str = "down",
    ) -> None:
        super().__init__()
        for name, value in (("in_planes", in_planes), ("out_planes", out_planes)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        _check_choice("normalizer", normalizer, NORMALIZERS)
        _check_choice("activator", activator, ACTIVATORS)
        _check_choice("layer_order", layer_order, LAYER_ORDERS)
        _check_choice("scaler", scaler, SCALERS)
        self._factory = _ConvFactory(self.order, normalizer, activator, layer_order)


class _BlockPlainNd(_ResidualBlockNd):
    def __init__(
        self,
        in_planes: int,
        out_planes: int,
        kernel_size: IntOrTuple = 3,
        stride: IntOrTuple = 1,
        padding: IntOrTuple = 1,
        output_size: IntOrTuple | None = None,
        normalizer: str = "pinst",
        activator: str = "prelu",
        layer_order: str = "new",
        scaler: str = "down",
    ) -> None:
        """Build the block.

        Args:
            in_planes: Input channels.
            out_planes: Output channels.
            kernel_size: Kernel size of both convs.
            stride: Down-sampling (``scaler='down'``) or up-sampling (``'up'``) factor,
                applied by the second conv.
            padding: Zero padding of both convs.
            output_size: With ``scaler='up'``: the output size (``stride`` is then unused).
            normalizer: One of [`NORMALIZERS`][netviz_models.mdnc.NORMALIZERS].
            activator: One of [`ACTIVATORS`][netviz_models.mdnc.ACTIVATORS].
            layer_order: One of [`LAYER_ORDERS`][netviz_models.mdnc.LAYER_ORDERS].
            scaler: One of [`SCALERS`][netviz_models.mdnc.SCALERS].

        Raises:
            ValueError: An option is not one of its allowed values.
        """
        super().__init__(in_planes, out_planes, kernel_size, stride, padding, output_size,
                         normalizer, activator, layer_order, scaler)
        f = self._factory
        self.conv1 = f.conv_layer(in_planes, in_planes, kernel_size, 1, padding)
        self.conv2 = f.conv_layer(in_planes, out_planes, kernel_size, stride, padding,
                                  output_size, scaler)
        self.in_node = f.projection(in_planes, out_planes, stride, output_size, scaler)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``conv2(conv1(x)) + in_node(x)``."""
        out = self.conv2(self.conv1(x))
        skip = x if self.in_node is None else self.in_node(x)
        return out + skip


class _BlockBottleneckNd(_ResidualBlockNd):
    def __init__(
        self,
        in_planes: int,
        out_planes: int,
        kernel_size: IntOrTuple = 3,
        stride: IntOrTuple = 1,
        padding: IntOrTuple = 1,
        output_size: IntOrTuple | None = None,
        normalizer: str = "pinst",
        activator: str = "prelu",
        layer_order: str = "new",
        scaler: str = "down",
    ) -> None:
        """Build the block; the inner width equals ``in_planes``.

        Args:
            in_planes: Input channels (and the bottleneck's inner width).
            out_planes: Output channels.
            kernel_size: Kernel size of the middle conv.
            stride: Down-sampling (``scaler='down'``) or up-sampling (``'up'``) factor,
                applied by the middle conv.
            padding: Zero padding of the middle conv.
            output_size: With ``scaler='up'``: the output size (``stride`` is then unused).
            normalizer: One of [`NORMALIZERS`][netviz_models.mdnc.NORMALIZERS].
            activator: One of [`ACTIVATORS`][netviz_models.mdnc.ACTIVATORS].
            layer_order: One of [`LAYER_ORDERS`][netviz_models.mdnc.LAYER_ORDERS].
            scaler: One of [`SCALERS`][netviz_models.mdnc.SCALERS].

        Raises:
            ValueError: An option is not one of its allowed values.
        """
        super().__init__(in_planes, out_planes, kernel_size, stride, padding, output_size,
                         normalizer, activator, layer_order, scaler)
        f = self._factory
        self.conv1 = f.conv_layer(in_planes, in_planes, 1, 1, 0)
        self.conv2 = f.conv_layer(in_planes, in_planes, kernel_size, stride, padding,
                                  output_size, scaler)
        self.conv3 = f.conv_layer(in_planes, out_planes, 1, 1, 0)
        self.in_node = f.projection(in_planes, out_planes, stride, output_size, scaler)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``conv3(conv2(conv1(x))) + in_node(x)``."""
        out = self.conv3(self.conv2(self.conv1(x)))
        skip = x if self.in_node is None else self.in_node(x)
        return out + skip


class BlockPlain1d(_BlockPlainNd):
    """Plain residual block (two ``kernel_size`` convs) on ``(B, C, L)`` inputs.

    Arguments as for [`BlockPlain2d`][netviz_models.mdnc.BlockPlain2d].
    """

    order: ClassVar[int] = 1


class BlockPlain2d(_BlockPlainNd):
    """Plain residual block (two ``kernel_size`` convs) on ``(B, C, L1, L2)`` inputs.

    ``conv1`` keeps the shape; ``conv2`` maps to ``out_planes`` and rescales;
    ``in_node`` projects the input when the shape changes.

    Args:
        in_planes: Input channels.
        out_planes: Output channels.
        kernel_size: Kernel size of the two convs.
        stride: Down-sampling (``scaler='down'``) or up-sampling (``'up'``) factor,
            applied by the second conv.
        padding: Zero padding of the two convs.
        output_size: With ``scaler='up'``: the output size (``stride`` is then unused).
        normalizer: One of [`NORMALIZERS`][netviz_models.mdnc.NORMALIZERS] (default ``'pinst'``).
        activator: One of [`ACTIVATORS`][netviz_models.mdnc.ACTIVATORS] (default ``'prelu'``).
        layer_order: One of [`LAYER_ORDERS`][netviz_models.mdnc.LAYER_ORDERS] (default ``'new'``).
        scaler: One of [`SCALERS`][netviz_models.mdnc.SCALERS] (default ``'down'``).

    Raises:
        ValueError: An option is not one of its allowed values.

    Examples:
        >>> import torch
        >>> BlockPlain2d(16, 32, stride=2)(torch.zeros(1, 16, 8, 8)).shape
        torch.Size([1, 32, 4, 4])
    """

    order: ClassVar[int] = 2


class BlockPlain3d(_BlockPlainNd):
    """Plain residual block (two ``kernel_size`` convs) on ``(B, C, L1, L2, L3)`` inputs.

    Arguments as for [`BlockPlain2d`][netviz_models.mdnc.BlockPlain2d].
    """

    order: ClassVar[int] = 3


class BlockBottleneck1d(_BlockBottleneckNd):
    """Bottleneck residual block (1x1, ``kernel_size``, 1x1 convs) on ``(B, C, L)`` inputs.

    Arguments as for [`BlockBottleneck2d`][netviz_models.mdnc.BlockBottleneck2d].
    """

    order: ClassVar[int] = 1


class BlockBottleneck2d(_BlockBottleneckNd):
    """Bottleneck residual block (1x1, ``kernel_size``, 1x1 convs) on ``(B, C, L1, L2)`` inputs.

    ``conv1`` (1x1) and ``conv2`` (``kernel_size``, rescaling) keep ``in_planes``
    channels; ``conv3`` (1x1) maps to ``out_planes``; ``in_node`` projects the
    input when the shape changes.

    Args:
        in_planes: Input channels.
        out_planes: Output channels.
        kernel_size: Kernel size of the middle conv.
        stride: Down-sampling (``scaler='down'``) or up-sampling (``'up'``) factor,
            applied by the middle conv.
        padding: Zero padding of the middle conv.
        output_size: With ``scaler='up'``: the output size (``stride`` is then unused).
        normalizer: One of [`NORMALIZERS`][netviz_models.mdnc.NORMALIZERS] (default ``'pinst'``).
        activator: One of [`ACTIVATORS`][netviz_models.mdnc.ACTIVATORS] (default ``'prelu'``).
        layer_order: One of [`LAYER_ORDERS`][netviz_models.mdnc.LAYER_ORDERS] (default ``'new'``).
        scaler: One of [`SCALERS`][netviz_models.mdnc.SCALERS] (default ``'down'``).

    Raises:
        ValueError: An option is not one of its allowed values.

    Examples:
        >>> import torch
        >>> layer = BlockBottleneck2d(32, 16, output_size=(4, 255), scaler="up")
        >>> layer(torch.zeros(1, 32, 4, 128)).shape
        torch.Size([1, 16, 4, 255])
    """

    order: ClassVar[int] = 2


class BlockBottleneck3d(_BlockBottleneckNd):
    """Bottleneck residual block (1x1, ``kernel_size``, 1x1 convs) on 3-d inputs.

    Arguments as for [`BlockBottleneck2d`][netviz_models.mdnc.BlockBottleneck2d].
    """

    order: ClassVar[int] = 3


@register_model(
    "mdnc_bottleneck2d_ex1",
    input_shape=(16, 4, 255),
    description="mdnc BlockBottleneck2d example 1: 16->32 channels, 1/2 down-sampling",
)
def mdnc_bottleneck2d_ex1() -> BlockBottleneck2d:
    """The documentation's example 1: ``(16, 4, 255) → (32, 4, 128)``, 3,792 parameters."""
    return BlockBottleneck2d(16, 32, kernel_size=3, stride=(1, 2), padding=1, scaler="down")


@register_model(
    "mdnc_bottleneck2d_ex2",
    input_shape=(32, 4, 128),
    description="mdnc BlockBottleneck2d example 2: 32->16 channels, up-sampling to 4x255",
)
def mdnc_bottleneck2d_ex2() -> BlockBottleneck2d:
    """The documentation's example 2: ``(32, 4, 128) → (16, 4, 255)``, 11,584 parameters."""
    return BlockBottleneck2d(32, 16, kernel_size=3, output_size=(4, 255), padding=1, scaler="up")
