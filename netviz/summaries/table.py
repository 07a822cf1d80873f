"""The summary table: plain raw numbers, no torch, no formatting.

[`collect`][netviz.summaries.collect.collect] fills it from one torchinfo pass;
every output format is a pure function over it.
"""

from __future__ import annotations

from dataclasses import dataclass

from netviz.ir import Shape, feature_width


@dataclass(frozen=True)
class LayerRow:
    """One call of one module, in the order the calls started (pre-order).

    Attributes:
        index: Position of the row in [`SummaryTable.rows`][netviz.summaries.table.SummaryTable].
        path: Module path (``"block1.layer.0.conv_0"``); ``""`` for the model itself.
        name: Last component of ``path``; the model's name for the root row.
        type: Module class name (``"Conv2d"``).
        depth: Nesting depth of ``path``: 0 for the model, 1 for its children, ...
        input_shape: Shape of the first input, without the batch dimension.
        output_shape: Shape of the (first) output, without the batch dimension.
        kernel: Kernel size, one entry per spatial dimension, if the module has one.
        params: Parameters this module owns directly (not through children),
            counted at their first appearance only, so shared weights count once.
        trainable_params: The trainable part of ``params``.
        mult_adds: Multiply-accumulates of this call's own ops, not those of its
            children (one sample; see [`netviz.ops.macs`][netviz.ops.macs]).
        leaf: Whether the module has no child modules.
        container: Whether it is an ``nn.Sequential``/``ModuleList``/``ModuleDict``
            (the classic torchsummary leaves these out).
        recursive: Whether this is a repeated call of a module already listed.
        executed: ``False`` for modules that were never called themselves (a
            ``ModuleList``, an unused layer); they are listed so every parameter has a row.
        finish: Position of this call in the order calls *finished* (post-order, the
            classic torchsummary order); ``None`` if not executed.
        feature_axis: Which dimension of ``output_shape`` holds the feature width the
            layer's ops act on, from netviz's trace (see
            [`Node.feature_axis`][netviz.ir.graph.Node.feature_axis]); ``None`` if unknown.
    """

    index: int
    path: str
    name: str
    type: str
    depth: int
    input_shape: Shape | None
    output_shape: Shape | None
    kernel: tuple[int, ...] | None
    params: int
    trainable_params: int
    mult_adds: int
    leaf: bool
    container: bool = False
    recursive: bool = False
    executed: bool = True
    finish: int | None = None
    feature_axis: int | None = None

    @property
    def width(self) -> int | None:
        """The feature width of the output (``output_shape[feature_axis]``), if known."""
        return feature_width(self.output_shape, self.feature_axis)


@dataclass(frozen=True)
class SummaryTable:
    """Everything a summary shows, as raw numbers.

    Attributes:
        model: The model's name (``"wrn28_2"``).
        model_type: The model's class name (``"WideResNet"``).
        input_shapes: Input shapes without the batch dimension.
        rows: One row per module call, pre-order, root first.
        total_params: Unique parameters of the model (shared weights counted once).
        trainable_params: The trainable part of ``total_params``.
        mult_adds: Total multiply-accumulates of one sample, the sum of every row's.
        input_bytes: Size of one sample's input tensors.
        param_bytes: Size of the unique parameters.
        forward_backward_bytes: torchinfo's forward/backward pass estimate
            (outputs of parameterised layers, times two for gradients).
        data_dependent: Ops that decide from tensor values how much work follows
            (``nonzero``, indexing with a mask): when there are any, ``mult_adds`` counts
            the work of the traced input only, a lower bound.
        unreached_params: Parameters (counted in ``total_params``) that no op of the
            traced forward held: modules the inputs never ran (a vision tower fed text
            only), computations whose result nothing reads.
    """

    model: str
    model_type: str
    input_shapes: tuple[Shape, ...]
    rows: tuple[LayerRow, ...]
    total_params: int
    trainable_params: int
    mult_adds: int
    input_bytes: int
    param_bytes: int
    forward_backward_bytes: int
    data_dependent: tuple[str, ...] = ()
    unreached_params: int = 0

    @property
    def lower_bound(self) -> bool:
        """Whether ``mult_adds`` is a lower bound (see ``data_dependent``)."""
        return bool(self.data_dependent)

    @property
    def non_trainable_params(self) -> int:
        """Parameters with ``requires_grad=False``."""
        return self.total_params - self.trainable_params

    @property
    def total_bytes(self) -> int:
        """Input, forward/backward and parameter sizes together."""
        return self.input_bytes + self.forward_backward_bytes + self.param_bytes


@dataclass(frozen=True)
class GroupRow:
    """One diagram group (stem, a block cluster, head) with its totals.

    Attributes:
        title: ``"Stem"``, the cluster title (``"Group 0 x (N - 1) = 3"``) or ``"Head"``.
        blocks: How many residual blocks the group stands for (0 for stem and head).
        params: Parameters of every module in the group (shared weights counted once).
        trainable_params: The trainable part of ``params``.
        mult_adds: Multiply-accumulates of every call in the group.
        output_shape: Output shape of the group's last call, without the batch dimension.
    """

    title: str
    blocks: int
    params: int
    trainable_params: int
    mult_adds: int
    output_shape: Shape | None
