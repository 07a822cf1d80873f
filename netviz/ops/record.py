"""The record the op table keeps for each op, and the plain values its rules take.

An [`Op`][netviz.ops.record.Op] says, for one op however a model meets it (a
``torch.nn`` layer class, a function or tensor method, an aten overload under the
dispatch counter), what it is (its kind, from which its glyph follows), what it is
called in labels and legends, which attributes it shows, its shape rule, its MAC
rule and its feature axis. Rules are functions of plain values: attribute
mappings (ints, floats, strings, tuples, [`TensorArg`][netviz.ops.record.TensorArg])
and full shapes (batch dimension included). Nothing here imports torch: the
tracer (``netviz.tracing``) reads attributes off modules and binds call arguments
as the records say, and the IR, transforms and renderers read names and kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Union

from netviz.ir.kinds import Kind

Shape = tuple[int, ...]
"""A full tensor shape, batch dimension included."""

Attrs = Mapping[str, Any]
"""An op's attributes as plain values (a layer's settings, or a call's bound arguments)."""

Outputs = Union[Shape, tuple[Union["Outputs", None], ...]]
"""What a shape rule answers: one shape, or one per output of a tuple (``None``: no tensor),
nested as the outputs are (an LSTM's ``(output, (h, c))``)."""

MacRule = Callable[[Attrs, Sequence[Shape], Union[Shape, None]], int]
"""``(attrs, input shapes, output shape) -> multiply-accumulates`` of one call."""

ShapeRule = Callable[[Attrs, Sequence[Shape]], Union[Outputs, None]]
"""``(attrs, input shapes) -> output shape(s)``; ``None`` where torch should run the op
(its own error is clearer, or the case is unusual); raises
[`LayerShapeError`][netviz.ops.shapes.LayerShapeError] when the input does not fit."""

Derive = Callable[[Attrs], Attrs]
"""``bound call arguments -> the attributes the call shows``."""

Label = Callable[[Attrs], str]
"""``attributes -> the op's box text`` (``MHA 12h 768D``)."""


@dataclass(frozen=True)
class TensorArg:
    """A tensor argument of a call, as a plain value.

    Attributes:
        shape: Its full shape.
        dtype: Its dtype's name (``"torch.bool"``), where it matters.
    """

    shape: Shape
    dtype: str = ""


@dataclass(frozen=True)
class From:
    """Where a layer attribute is read on a module instance.

    Attributes:
        path: Dotted attribute path (``"kernel_size"``, ``"self_attn.embed_dim"``,
            ``"layers.0.linear1.out_features"``).
        how: ``"value"`` (the attribute as a plain value), ``"shape"`` (a tensor's
            shape; ``None`` for a lazy parameter), ``"present"`` (whether it is not
            ``None``), ``"len"`` (the length of a container) or ``"const"`` (``value``,
            whatever the module holds).
        value: The constant of ``how="const"``.
    """

    path: str
    how: str = "value"
    value: Any = None

    @classmethod
    def const(cls, value: Any) -> From:
        """An attribute every instance of the layer has: ``value``."""
        return cls("", "const", value)


class Axis(str, Enum):
    """Which dimension of an op's output holds the feature width the ops act on."""

    CHANNELS = "channels"
    """Dimension 1 (``NCHW``): convs, pools, upsampling, batch/instance/group norms."""
    LAST = "last"
    """The last dimension: linear layers, layer norms, attention, matrix products."""
    CARRY = "carry"
    """The input's axis, where the op keeps it (element-wise ops, views that keep it)."""
    PERMUTE = "permute"
    """Moved as ``dims`` (a full order) say: ``permute``."""
    SWAP = "swap"
    """Moved as ``dims`` (two dimensions) say: ``transpose``, ``swapaxes``."""
    CAT = "cat"
    """Kept by a concatenation along ``dim``."""
    STACK = "stack"
    """Shifted by the new dimension a stack inserts at ``dim``."""


@dataclass(frozen=True)
class Computes:
    """What a module may be recognised by: the ops its forward calls.

    A module of any class (a model library's ``LlamaRMSNorm``, ``NewGELUActivation``,
    ``Conv1D``) whose ops match is drawn as the entry that declares this: by what it
    computes, never by its class's name. Ops that change no values (views, casts,
    size queries) are ignored.

    Attributes:
        needs: Ops it calls, every one of them (``{"mean", "rsqrt"}``).
        allows: Further ops it may call besides (``{"pow", "mul", "add"}``).
        scalar: Whether some op takes a number operand (``1.702 * x`` of QuickGELU):
            ``True``/``False`` to require it either way, ``None`` for either.
        only: The module computes nothing else (it *is* the op); ``False``: the ops
            are found among others (a rotation inside an attention module).
    """

    needs: frozenset[str]
    allows: frozenset[str] = frozenset()
    scalar: bool | None = None
    only: bool = True

    def matches(self, names: frozenset[str], scalar: bool | None) -> bool:
        """Whether ops ``names`` (those that change values; ``scalar``: whether one had a
        number operand, ``None`` if unknown) compute this."""
        if not self.needs <= names:
            return False
        if self.scalar is not None and scalar is not self.scalar:
            return False
        return not self.only or names <= self.needs | self.allows


def computes(needs: str, allows: str = "", *, scalar: bool | None = None,
             only: bool = True) -> Computes:
    """A [`Computes`][netviz.ops.record.Computes] from space-separated op names."""
    return Computes(frozenset(needs.split()), frozenset(allows.split()), scalar, only)


def no_macs(attrs: Attrs, inputs: Sequence[Shape], output: Shape | None) -> int:
    """The MAC rule of ops that multiply-accumulate nothing (norms, activations, views...)."""
    return 0


@dataclass(frozen=True)
class Op:
    """One entry of the op table.

    Attributes:
        key: Unique name of the entry (``"conv2d"``, ``"batch_norm"``).
        kind: What it does, in the IR's vocabulary; its glyph follows from it.
        modules: Class names of the ``torch.nn`` layers it is (``"Conv2d"``); a
            subclass that keeps the layer's ``forward`` is met as the layer too.
        calls: Canonical function and method names it is called by (``"conv2d"``);
            the first is the name the IR records.
        aliases: Other function names canonicalised to ``calls[0]`` (``"concat"``).
        aten: Aten overload packets (``"convolution"``) or overloads
            (``"repeat_interleave.Tensor"``) the dispatch counter meets it as.
        name: Readable name in legends and plain boxes (``"BatchNorm"``); ``None``:
            derived from the name it is met by.
        short: Name in edge marks (``"BN"``); ``None``: ``name``.
        symbol: A one-character box text for arithmetic (``"+"``, ``"×"``).
        label: Its box text from its attributes, where the kind's generic label
            says too little (``MHA 12h 768D``).
        traits: Roles transforms look for: ``"softmax"``, ``"product"`` (a matrix
            product), ``"shift"`` (rolls tokens), ``"reorder"`` (permutes values
            without changing them), ``"batch_norm"``/``"relu"`` (the seed's mark),
            ``"pad"`` (pads its input), ``"zero_identity"``/``"unit_identity"`` (gives
            back its tensor operand when its scalar operand is 0 / 1).
        layer_attrs: ``(attribute, where)`` pairs a layer shows, read off the module.
        layer_reads: More ``(attribute, where)`` pairs only its rules read.
        params: Parameter names of its call form, the input first (torch's builtins
            have no inspectable signature).
        forward: Parameter names of its layer's ``forward``, for a layer whose rules
            read more than one tensor (``nn.MultiheadAttention``); empty: one tensor.
        defaults: Defaults of ``params`` and ``forward`` as ``(name, value)`` pairs.
        shows: What a call shows: a function of its bound arguments, or the names
            of bound arguments to keep.
        shape: Its shape rule; ``None``: torch runs the op.
        macs: Its MAC rule.
        axis: Which dimension of its output is the feature axis.
        reads: Which dimension of its input it reads features from: ``CHANNELS``,
            ``LAST``, or ``CARRY`` for none that tells the input's axis (ids, or a
            contraction over two axes); ``None``: ``axis``.
        data_dependent: How much work follows depends on tensor values (``nonzero``),
            or a test of its bound arguments saying so (indexing with a mask): a
            MAC count past it is a lower bound.
        indices: It takes integer indices and returns its weights' dtype (embeddings).
        origin: Module prefix of the classes in ``modules``.
        computes: What a module of any class is recognised as this op by (see
            [`Computes`][netviz.ops.record.Computes]).
    """

    key: str
    kind: Kind
    modules: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    aten: tuple[str, ...] = ()
    name: str | None = None
    short: str | None = None
    symbol: str | None = None
    label: Label | None = None
    traits: frozenset[str] = frozenset()
    layer_attrs: tuple[tuple[str, From], ...] = ()
    layer_reads: tuple[tuple[str, From], ...] = ()
    params: tuple[str, ...] = ()
    forward: tuple[str, ...] = ()
    defaults: tuple[tuple[str, Any], ...] = ()
    shows: Derive | tuple[str, ...] = ()
    shape: ShapeRule | None = None
    macs: MacRule = no_macs
    axis: Axis = Axis.CARRY
    reads: Axis | None = field(default=None)
    data_dependent: bool | Callable[[Attrs], bool] = False
    indices: bool = False
    origin: str = "torch."
    computes: tuple[Computes, ...] = ()

    @property
    def recorded_name(self) -> str:
        """The name the IR records for this op: its first layer class, else its first
        call, else (an op only recognised by what it computes) its key."""
        return (self.modules or self.calls or (self.key,))[0]

    @property
    def read_axis(self) -> Axis | None:
        """The input axis it reads (see ``reads``)."""
        reads = self.axis if self.reads is None else self.reads
        return reads if reads in (Axis.CHANNELS, Axis.LAST) else None

    @property
    def counts(self) -> bool:
        """Whether its MAC rule can give anything but zero."""
        return self.macs is not no_macs

    def depends_on_data(self, attrs: Attrs) -> bool:
        """Whether a call with (bound) arguments ``attrs`` decides from tensor values how
        much work follows."""
        test = self.data_dependent
        return bool(test(attrs)) if callable(test) else test

    def bind(
        self, args: Sequence[Any], kwargs: Mapping[str, Any], *, layer: bool = False
    ) -> dict[str, Any] | None:
        """Bind a call's (plain) arguments to ``params`` (``forward`` for a ``layer``
        call); ``None`` when they do not fit (no such form, surplus or unknown
        arguments, a required one missing). A last parameter ``"*name"`` takes the
        remaining positional arguments as a tuple (or the one list or tuple given
        there): ``x.permute(0, 2, 1)``, ``x.permute((0, 2, 1))``.
        """
        names = self.forward if layer else self.params
        if not names:
            return None
        variadic = names[-1][1:] if names[-1].startswith("*") else None
        fixed = names[:-1] if variadic else names
        allowed = (*fixed, variadic) if variadic else fixed
        if (len(args) > len(fixed) and not variadic) or any(k not in allowed for k in kwargs):
            return None
        bound = dict(self.defaults)
        bound.update(zip(fixed, args))
        if variadic and variadic not in kwargs:
            rest = tuple(args[len(fixed):])
            if len(rest) == 1 and isinstance(rest[0], (list, tuple)):
                rest = tuple(rest[0])
            bound[variadic] = rest
        bound.update(kwargs)
        return bound if all(n in bound for n in allowed) else None

    def shown(self, bound: Attrs) -> dict[str, Any]:
        """The attributes a call with arguments ``bound`` shows."""
        if callable(self.shows):
            return dict(self.shows(bound))
        return {k: bound[k] for k in self.shows if k in bound}
