"""The machinery of the mdnc-style blocks of [`netviz_models.mdnc`][]: options, layers, branches.

A block has a convolutional branch of "modern" conv layers (``conv1``,
``conv2`` and, for the bottleneck, ``conv3``, each an ``nn.Sequential``) and
an input branch ``in_node``: ``None`` (identity) unless the block rescales or
changes the channel count, then a 1x1 projection conv followed by a norm. The
output is ``branch(x) + in_node(x)``. The public, documented classes (one per
spatial rank) live in [`netviz_models.mdnc`][].
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple, Union

from torch import Tensor, nn

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


class Geometry(NamedTuple):
    """The size arguments of a block, as its branch builders need them."""

    in_planes: int
    out_planes: int
    kernel_size: IntOrTuple
    stride: IntOrTuple
    padding: IntOrTuple
    output_size: IntOrTuple | None
    scaler: str


class ResidualBlockNd(nn.Module):
    """What the plain and bottleneck blocks share: option checks, the input branch, the sum."""

    _order: ClassVar[int] = 2

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
        """Build the block (arguments as documented on
        [`BlockBottleneck2d`][netviz_models.mdnc.BlockBottleneck2d]).

        Raises:
            ValueError: An option is not one of its allowed values.
        """
        super().__init__()
        for name, value in (("in_planes", in_planes), ("out_planes", out_planes)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        _check_choice("normalizer", normalizer, NORMALIZERS)
        _check_choice("activator", activator, ACTIVATORS)
        _check_choice("layer_order", layer_order, LAYER_ORDERS)
        _check_choice("scaler", scaler, SCALERS)
        factory = _ConvFactory(self._order, normalizer, activator, layer_order)
        self._build_branch(
            factory, Geometry(in_planes, out_planes, kernel_size, stride, padding, output_size, scaler)
        )
        self.in_node = factory.projection(in_planes, out_planes, stride, output_size, scaler)

    def _build_branch(self, f: _ConvFactory, g: Geometry) -> None:
        raise NotImplementedError

    def _branch(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        """Return ``branch(x) + in_node(x)`` (``x`` itself without a projection)."""
        out = self._branch(x)  # first: summaries list the layers in call order
        skip = x if self.in_node is None else self.in_node(x)
        return out + skip


class BlockPlainNd(ResidualBlockNd):
    """Plain block: two modern conv layers (``conv1`` keeps the shape) and the input branch."""

    def _build_branch(self, f: _ConvFactory, g: Geometry) -> None:
        self.conv1 = f.conv_layer(g.in_planes, g.in_planes, g.kernel_size, 1, g.padding)
        self.conv2 = f.conv_layer(g.in_planes, g.out_planes, g.kernel_size, g.stride, g.padding,
                                  g.output_size, g.scaler)

    def _branch(self, x: Tensor) -> Tensor:
        return self.conv2(self.conv1(x))


class BlockBottleneckNd(ResidualBlockNd):
    """Bottleneck block: 1x1, ``kernel_size``, 1x1 modern conv layers (inner width
    ``in_planes``) and the input branch."""

    def _build_branch(self, f: _ConvFactory, g: Geometry) -> None:
        self.conv1 = f.conv_layer(g.in_planes, g.in_planes, 1, 1, 0)
        self.conv2 = f.conv_layer(g.in_planes, g.in_planes, g.kernel_size, g.stride, g.padding,
                                  g.output_size, g.scaler)
        self.conv3 = f.conv_layer(g.in_planes, g.out_planes, 1, 1, 0)

    def _branch(self, x: Tensor) -> Tensor:
        return self.conv3(self.conv2(self.conv1(x)))
