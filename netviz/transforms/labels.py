"""Set the words every renderer shows: diagram labels and pseudocode text."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from netviz import ops
from netviz.ir import Edge, Graph, Kind, Mark, Node, evolve
from netviz.ir.graph import AttrValue
from netviz.text import one_line

def op_long_name(type_name: str) -> str:
    """Readable op name: ``"BatchNorm2d"`` → ``"BatchNorm"``, ``"relu"`` → ``"ReLU"``
    (the op table's [`long_name`][netviz.ops.long_name])."""
    return ops.long_name(type_name)


def op_name(type_name: str) -> str:
    """Short op name for labels, with norms abbreviated (``"BatchNorm2d"`` → ``"BN"``; the
    op table's [`short_name`][netviz.ops.short_name])."""
    return ops.short_name(type_name)


def _dims(value: AttrValue, ndim: int) -> tuple:
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * ndim


def _compact(value: AttrValue, ndim: int, suffix: str) -> str:
    """``1`` → ``"1S"``; ``(1, 2)`` → ``"(1,2)S"``; ``(1, 1)`` → ``"1S"``."""
    dims = _dims(value, ndim)
    if len(set(dims)) == 1:
        return f"{dims[0]}{suffix}"
    return "(" + ",".join(str(d) for d in dims) + f"){suffix}"


def _spatial_ndim(node: Node) -> int:
    kernel = node.attr("kernel_size")
    if isinstance(kernel, (tuple, list)):
        return len(kernel)
    match = re.search(r"([123])d$", node.type_name)
    if match:
        return int(match.group(1))
    return max(len(node.shape) - 1, 1) if node.shape else 2


def _spatial(shape: tuple[int, ...] | None) -> str:
    return "x".join(str(d) for d in shape[1:]) if shape and len(shape) > 1 else ""


def _conv_label(node: Node) -> str:
    ndim = _spatial_ndim(node)
    kernel = "x".join(str(k) for k in _dims(node.attr("kernel_size"), ndim))
    channels = node.attr("out_channels")
    if channels is None and node.shape:
        channels = node.shape[0]
    parts = [
        kernel,
        f"{channels}C",
        _compact(node.attr("stride", 1), ndim, "S"),
        _compact(node.attr("padding", 0), ndim, "P"),
    ]
    dilation = node.attr("dilation", 1)
    if set(_dims(dilation, ndim)) != {1}:
        parts.append(_compact(dilation, ndim, "D"))
    groups = node.attr("groups", 1)
    if groups not in (1, None):
        parts.append(f"{groups}G")
    prefix = f"{ops.KIND_WORDS[Kind.CONV]}T " if node.attr("transposed") else ""
    return prefix + " ".join(parts)


def _pool_label(node: Node) -> str:
    name = op_name(node.type_name)
    ndim = _spatial_ndim(node)
    if "Adaptive" in name:
        size = node.attr("output_size")
        return f"{name} " + "x".join(str(d) for d in _dims(size, ndim))
    kernel = node.attr("kernel_size")
    stride = node.attr("stride")
    stride = kernel if stride in (None, ()) else stride
    return " ".join(
        [
            name,
            "x".join(str(k) for k in _dims(kernel, ndim)),
            _compact(stride, ndim, "S"),
            _compact(node.attr("padding", 0), ndim, "P"),
        ]
    )


def _channels(shape: tuple[int, ...] | None) -> str:
    return f"{shape[0]}C" if shape else "?C"


def width_text(node: Node, *, shapes: bool = False) -> str:
    """A tensor's feature width with its letter, and with ``shapes`` the other sizes.

    ``C`` for channels (of ``NCHW`` images, of channels-last images, of plain
    vectors), ``D`` for the width of tokens (``(N, D)``): ``32C``, ``32C 16x16``,
    ``96C 56x56``, ``768D 197``. Without a known feature axis, dimension 0 is taken.
    """
    shape = node.shape
    if not shape:
        return "?C"
    axis = node.feature_axis
    if axis is None or not -len(shape) <= axis < len(shape):
        axis = 0
    axis %= len(shape)
    rest = shape[:axis] + shape[axis + 1:]
    letter = "D" if len(shape) == 2 and axis == 1 else "C"
    size = "x".join(str(d) for d in rest)
    return f"{shape[axis]}{letter} {size}".strip() if shapes else f"{shape[axis]}{letter}"


_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eps": "ε",
    "lambda": "λ", "lambda_": "λ", "lamda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ",
    "theta": "θ", "omega": "ω",
}


def operand_label(node: Node) -> str:
    """``+ pos_embedding``, ``× γ``, ``× 0.125``: an op with a parameter or constant operand."""
    symbol = ops.symbol(node.type_name) or op_name(node.type_name)
    operands = node.attr("operands")
    names = [_GREEK.get(str(n), one_line(str(n))) for n in operands] if isinstance(
        operands, tuple) else []
    scalar = node.attr("scalar")
    if scalar is not None:
        names.append(f"{scalar:g}" if isinstance(scalar, float) else str(scalar))
    return f"{symbol} {', '.join(names)}".strip()


def _heads_width(node: Node) -> str:
    heads, dim, kv = node.attr("heads"), node.attr("dim"), node.attr("kv_heads")
    count = f"{heads}h/{kv}kv" if heads and kv else f"{heads}h" if heads else ""
    return " ".join(part for part in (count, f"{dim}D" if dim else "") if part)


def attention_label(node: Node) -> str:
    """``Attention 4h 64D``, ``GQA 32h/8kv 4096D RoPE`` (fewer key/value heads than query
    heads; rotary position embeddings applied), ``MLA 128h 7168D RoPE`` (latent attention:
    projections through a low rank), ``Window attention 3h 96D 7x7``, ``Shifted
    window attention 3h 96D 7x7`` (a collapsed hand-written core); a layer the op table labels itself
    (``nn.MultiheadAttention``: ``MHA 12h 768D``) says so instead."""
    table = ops.op_label(node.type_name, dict(node.attrs))
    if table is not None:
        return table
    window = node.attr("window")
    if isinstance(window, tuple):
        size = "x".join(str(w) for w in window)
        kind = "Shifted window attention" if node.attr("shifted") else "Window attention"
        return f"{kind} {_heads_width(node)} {size}".replace("  ", " ")
    kv = node.attr("kv_heads")
    kind = "Attention" if not isinstance(kv, int) else "MQA" if kv == 1 else "GQA"
    kind = "MLA" if node.attr("latent") else kind  # queries/keys/values through a low rank
    rotary = " RoPE" if node.attr("rotary") else ""
    return f"{kind} {_heads_width(node)}".strip() + rotary


def _linear_label(node: Node) -> str:
    out = node.attr("out_features")
    if out is None and node.shape:
        out = node.shape[-1]
    letter = "D" if node.shape and len(node.shape) == 2 else "C"
    return f"{ops.KIND_WORDS[Kind.LINEAR]} {out if out is not None else '?'}{letter}"


def node_label(node: Node, *, shapes: bool = False) -> str:
    """The diagram text of a node (``"3x3 32C 1S 1P"``, ``"32C"``, ``"+"``)."""
    kind = node.kind
    if kind is Kind.INPUT and node.attr("tokens") and node.shape:  # token ids: a count
        name = node.attr("name")
        return f"{one_line(str(name)) if name is not None else 'Input'} {math.prod(node.shape)} tokens"
    if kind is Kind.INPUT:
        name = node.attr("name")  # a keyword input: its name and shape, always
        size = "x".join(str(d) for d in node.shape) if node.shape and (
            shapes or name is not None) else ""
        return f"{one_line(str(name)) if name is not None else 'Input'} {size}".strip()
    if kind is Kind.OUTPUT:
        key = node.attr("key")
        return f"Output {one_line(str(key))}" if key not in (None, "") else "Output"
    if kind is Kind.DATA:
        if node.attr("tokens") and node.shape:  # token ids: a count of tokens, no width
            return f"{math.prod(node.shape)} tokens"
        return width_text(node, shapes=shapes)
    if kind is Kind.CONV:
        return _conv_label(node)
    if kind is Kind.POOL:
        return _pool_label(node)
    if kind is Kind.LINEAR:
        return _linear_label(node)
    if kind is Kind.ADD:
        return "+"
    if kind is Kind.MUL:
        return "×"
    if kind is Kind.ATTENTION:
        return attention_label(node)
    if kind is Kind.SPLIT:
        return ops.KIND_WORDS[Kind.SPLIT]
    if kind is Kind.UPSAMPLE:
        size = _spatial((0, *node.shape[1:])) if node.shape else ""
        return f"{ops.KIND_WORDS[Kind.UPSAMPLE]} {size}".strip()
    if ops.symbol(node.type_name) is not None:
        return operand_label(node)
    module = node.attr("module")
    if isinstance(module, str):  # a module collapsed into one box
        return one_line(module)
    if kind is Kind.CAT and node.attr("operands"):
        return f"{op_name(node.type_name)} {operand_label(node).partition(' ')[2]}"
    return ops.op_label(node.type_name, dict(node.attrs)) or op_name(node.type_name)


def _size(value: AttrValue) -> str:
    """``torch.Size([32, 16, 3, 3])`` of a ``weight_shape`` tuple; ``""`` when absent."""
    if not isinstance(value, tuple) or not value:
        return ""
    return "torch.Size([" + ", ".join(str(v) for v in value) + "])"


def _plain(value: AttrValue) -> str:
    """Print an attribute as the listing does: ``1``, ``(1, 2)``; equal tuples collapse."""
    if isinstance(value, (tuple, list)):
        if len(set(value)) == 1:
            return str(value[0])
        return "(" + ", ".join(str(v) for v in value) + ")"
    return str(value)


def node_code(node: Node) -> str:
    """The pseudocode text of a node (``"Conv torch.Size([16, 3, 3, 3]) Stride 1 Pad 1"``)."""
    kind = node.kind
    if kind is Kind.CONV:
        conv = ops.KIND_WORDS[Kind.CONV] + ("T" if node.attr("transposed") else "")
        return (
            f"{conv} {_size(node.attr('weight_shape'))} "
            f"Stride {_plain(node.attr('stride', 1))} Pad {_plain(node.attr('padding', 0))}"
        )
    if kind is Kind.POOL:
        name = op_name(node.type_name)
        if "Adaptive" in name:
            return f"{name} {_plain(node.attr('output_size'))}"
        kernel = node.attr("kernel_size")
        stride = node.attr("stride")
        stride = kernel if stride in (None, ()) else stride
        return f"{name} {_plain(kernel)} Stride {_plain(stride)} Pad {_plain(node.attr('padding', 0))}"
    if kind is Kind.LINEAR:  # a layer recognised by what it computes has no weight shape
        size = _size(node.attr("weight_shape"))
        return f"{ops.KIND_WORDS[Kind.LINEAR]} {size}" if size else _linear_label(node)
    if kind is Kind.ADD:
        return ops.KIND_WORDS[Kind.ADD]
    return node_label(node)


def mark_label(mark: Mark, arrow: str = " → ") -> str:
    """``"BN → ReLU"`` for a BatchNorm→ReLU mark."""
    return arrow.join(op_name(t) for t in mark.type_names)


def label(graph: Graph, *, shapes: bool = False) -> Graph:
    """Set ``label`` and ``code`` on every node and mark. Idempotent."""
    words: dict[tuple[object, ...], tuple[str, str]] = {}  # the texts depend on these only
    nodes = []
    for n in graph.nodes:
        key = (n.kind, n.type_name, n.attrs, n.shape, n.feature_axis)
        if key not in words:
            words[key] = (node_label(n, shapes=shapes), node_code(n))
        nodes.append(evolve(n, label=words[key][0], code=words[key][1]))
    marks: dict[Mark, Mark] = {}
    edges = []
    for edge in graph.edges:
        mark = edge.mark
        if mark is not None:
            if mark not in marks:
                marks[mark] = evolve(
                    mark,
                    label=mark_label(mark),
                    code=mark_label(mark, " -> "),
                    names=tuple(op_long_name(t) for t in mark.type_names),
                )
            mark = marks[mark]
        # an edge without a mark nor a change is kept as it is (the same value)
        edges.append(edge if mark is None and edge.change is None
                     else evolve(edge, mark=mark, change=None))
    return replace(graph, nodes=tuple(nodes), edges=tuple(edges))
