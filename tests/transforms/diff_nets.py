"""Hand-built raw traces of small residual nets and their variants, for torch-free tests
of ``netviz diff``: an extra op, a removed shortcut, a deeper stage, wider layers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import prod

from netviz.ir import Graph, Node
from netviz.transforms import to_notation
from tests.transforms.raw import RawBuilder


@dataclass(frozen=True)
class Block:
    """One post-activation block (conv-BN-ReLU-conv-BN, then the sum and a ReLU).

    Attributes:
        width: Output channels.
        stride: Stride of the first conv.
        shortcut: ``identity``, ``projection`` (a 1x1 conv and BN) or ``none`` (no sum).
        extra: One more conv-BN after the second.
    """

    width: int
    stride: int = 1
    shortcut: str = "identity"
    extra: bool = False


def net(blocks: list[Block], name: str = "net", hw: int = 16, stem: int = 16) -> Graph:
    """A raw trace: stem conv, the blocks (children ``blocks.i`` of one container, class
    ``Block``), average pool, linear head."""
    b = RawBuilder(name)
    x = b.add("x", "input", "", (), (3, hw, hw))
    x = b.relu("stem.relu", b.norm("stem.bn", b.conv("stem.conv", x, 3, stem, 3, 1, 1, hw), stem, hw),
               stem, hw)
    c = stem
    modules = [("stem", "Stem"), ("stem.conv", "Conv2d"), ("stem.bn", "BatchNorm2d"),
               ("stem.relu", "ReLU"), ("blocks", "Sequential")]
    for i, block in enumerate(blocks):
        scope, w, out = f"blocks.{i}", block.width, hw // block.stride
        modules.append((scope, "Block"))
        h = b.conv(f"{scope}.conv1", x, c, w, 3, block.stride, 1, out)
        h = b.relu(f"{scope}.relu1", b.norm(f"{scope}.bn1", h, w, out), w, out)
        h = b.norm(f"{scope}.bn2", b.conv(f"{scope}.conv2", h, w, w, 3, 1, 1, out), w, out)
        names = ["conv1", "bn1", "relu1", "conv2", "bn2"]
        if block.extra:
            h = b.norm(f"{scope}.bn3", b.conv(f"{scope}.conv3", h, w, w, 3, 1, 1, out), w, out)
            names += ["conv3", "bn3"]
        if block.shortcut == "projection":
            skip = b.norm(f"{scope}.down.1", b.conv(f"{scope}.down.0", x, c, w, 1, block.stride, 0,
                                                      out), w, out)
            names += ["down", "down.0", "down.1"]
        else:
            skip = x
        if block.shortcut != "none":
            h = b.add(f"add_{i}", "add", scope, (h, skip), (w, out, out))
        x = b.relu(f"{scope}.relu", h, w, out)
        names.append("relu")
        modules += [(f"{scope}.{n}", _CLASS[n.split(".")[0].rstrip("0123456789")]
                     if n != "down" else "Sequential") for n in names]
        c, hw = w, out
    x = b.add("avgpool", "AdaptiveAvgPool2d", "avgpool", (x,), (c, 1, 1), output_size=(1, 1))
    x = b.add("flatten", "flatten", "", (x,), (c,))
    x = b.add("fc", "Linear", "fc", (x,), (10,), c * 10 + 10, in_features=c, out_features=10,
              weight_shape=(10, c))
    b.add("output", "output", "", (x,), None)
    modules += [("avgpool", "AdaptiveAvgPool2d"), ("fc", "Linear")]
    graph = b.graph()
    return replace(graph, nodes=tuple(replace(n, macs=_macs(n)) for n in graph.nodes),
                   modules=tuple(modules))


def _macs(node: Node) -> int:
    """Analytic MACs: a conv's output elements x its input channels x its kernel area, a
    linear layer's output x input features; nothing else counts."""
    if node.type_name == "Conv2d" and node.shape is not None:
        kh, kw = node.attr("kernel_size")  # type: ignore[misc]
        return prod(node.shape) * int(node.attr("in_channels")) * kh * kw  # type: ignore[arg-type]
    if node.type_name == "Linear":
        return int(node.attr("out_features")) * int(node.attr("in_features"))  # type: ignore[arg-type]
    return 0


_CLASS = {"conv": "Conv2d", "bn": "BatchNorm2d", "relu": "ReLU", "down": "Conv2d"}


def notation(blocks: list[Block], name: str = "net") -> Graph:
    """The folded notation graph of ``net(blocks)``."""
    return to_notation(net(blocks, name))


BASE = [Block(16), Block(16), Block(16), Block(32, 2, "projection"), Block(32), Block(32)]
"""Two stages: three identity blocks at 16C, then a projection and two identity blocks
at 32C (``Group 0 x N = 3``, ``Group 1 Projection``, ``Group 1 x (N - 1) = 2``)."""
