"""Hand-built raw graphs, shaped like the tracer's output, for torch-free tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from netviz.ir import Edge, Graph, Node, Shape
from netviz.ops import kind_of


@dataclass
class RawBuilder:
    """Append nodes in execution order; ids are fx-style names."""

    name: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def add(
        self,
        node_id: str,
        type_name: str,
        scope: str,
        inputs: tuple[str, ...],
        shape: Shape | None,
        params: int = 0,
        **attrs: object,
    ) -> str:
        self.nodes.append(
            Node(
                id=node_id,
                kind=kind_of(type_name),
                type_name=type_name,
                scope=scope,
                attrs=tuple(sorted(attrs.items())),
                shape=shape,
                params=params,
            )
        )
        self.edges.extend(Edge(src, node_id) for src in inputs)
        return node_id

    def conv(self, scope: str, x: str, cin: int, cout: int, k: int, s: int, p: int, hw: int) -> str:
        return self.add(
            scope.replace(".", "_"), "Conv2d", scope, (x,), (cout, hw, hw), cout * cin * k * k,
            kernel_size=(k, k), stride=(s, s), padding=(p, p), dilation=(1, 1), groups=1,
            in_channels=cin, out_channels=cout, weight_shape=(cout, cin, k, k), bias=False,
        )

    def norm(self, scope: str, x: str, c: int, hw: int) -> str:
        return self.add(scope.replace(".", "_"), "BatchNorm2d", scope, (x,), (c, hw, hw), 2 * c,
                        num_features=c, affine=True)

    def relu(self, scope: str, x: str, c: int, hw: int) -> str:
        return self.add(scope.replace(".", "_"), "ReLU", scope, (x,), (c, hw, hw))

    def graph(self) -> Graph:
        return Graph(self.name, tuple(self.nodes), tuple(self.edges))


def residual_net(
    groups: tuple[tuple[int, int, int], ...] = ((32, 1, 4), (64, 2, 4), (128, 2, 4)),
    *,
    pre_activation: bool = True,
    stem: int = 16,
    hw: int = 32,
    classes: int = 10,
    name: str = "net",
) -> Graph:
    """A raw WRN-style (pre-activation) or ResNet-style (post-activation) trace.

    ``groups`` holds ``(width, stride, blocks)`` per group; the defaults make WRN-28-2.
    """
    b = RawBuilder(name)
    x = b.add("x", "input", "", (), (3, hw, hw))
    x = b.conv("conv1", x, 3, stem, 3, 1, 1, hw)
    c = stem
    for g, (width, stride, blocks) in enumerate(groups, start=1):
        for i in range(blocks):
            s = stride if i == 0 else 1
            scope = f"layer{g}.{i}"
            hw_out = hw // s
            if pre_activation:
                a = b.relu(f"{scope}.relu1", b.norm(f"{scope}.bn1", x, c, hw), c, hw)
                h = b.conv(f"{scope}.conv1", a, c, width, 3, s, 1, hw_out)
                h = b.relu(f"{scope}.relu2", b.norm(f"{scope}.bn2", h, width, hw_out), width, hw_out)
                h = b.conv(f"{scope}.conv2", h, width, width, 3, 1, 1, hw_out)
                skip = a
                if c != width or s != 1:
                    skip = b.conv(f"{scope}.shortcut", a, c, width, 1, s, 0, hw_out)
                x = b.add(f"add_{g}_{i}", "add", scope, (h, skip), (width, hw_out, hw_out))
            else:
                h = b.conv(f"{scope}.conv1", x, c, width, 3, s, 1, hw_out)
                h = b.relu(f"{scope}.relu", b.norm(f"{scope}.bn1", h, width, hw_out), width, hw_out)
                h = b.conv(f"{scope}.conv2", h, width, width, 3, 1, 1, hw_out)
                h = b.norm(f"{scope}.bn2", h, width, hw_out)
                skip = x
                if c != width or s != 1:
                    d = b.conv(f"{scope}.downsample.0", x, c, width, 1, s, 0, hw_out)
                    skip = b.norm(f"{scope}.downsample.1", d, width, hw_out)
                a = b.add(f"add_{g}_{i}", "add", scope, (h, skip), (width, hw_out, hw_out))
                x = b.add(f"{scope}_relu_1", "ReLU", f"{scope}.relu", (a,), (width, hw_out, hw_out))
            c, hw = width, hw_out
    if pre_activation:
        x = b.relu("relu", b.norm("bn", x, c, hw), c, hw)
    x = b.add("avgpool", "AvgPool2d", "avgpool", (x,), (c, 1, 1), kernel_size=hw, stride=1,
              padding=0)
    x = b.add("view", "view", "", (x,), (c,))
    x = b.add("fc", "Linear", "fc", (x,), (classes,), c * classes + classes,
              in_features=c, out_features=classes, weight_shape=(classes, c))
    b.add("output", "output", "", (x,), None)
    return b.graph()


# Random pre-norm (transformer), post-norm (ResNet) and pre-activation (WRN) residual nets:
# norm/activation chains at block starts, inside branches, after sums, in stem and head.
NORMS = ("BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm2d")
ACTS = ("ReLU", "GELU", "PReLU", "SiLU")

chain = st.lists(st.sampled_from(NORMS + ACTS), max_size=3)
block = st.fixed_dictionaries({
    "style": st.sampled_from(["pre-norm", "post-norm", "pre-activation"]),
    "entry": chain,  # ops at the block's start (pre-norm / pre-activation)
    "inner": chain,  # ops between the block's two layers
    "skip_uses_entry": st.booleans(),  # the shortcut reads the entry ops' result
    "projection": st.booleans(),
    "after": chain,  # ops after the residual sum (post-activation)
    "view": st.booleans(),  # a hidden view inside the branch
})
random_nets = st.fixed_dictionaries({
    "stem": chain,
    "blocks": st.lists(block, min_size=1, max_size=4),
    "head": chain,
})


class _Net:
    """Builds a raw graph from a drawn description; numbers the ops' ids."""

    def __init__(self) -> None:
        self.b = RawBuilder("random")
        self.count = 0

    def op(self, type_name: str, scope: str, x: str, **attrs: object) -> str:
        self.count += 1
        node_id = f"{type_name.lower()}_{self.count}"
        return self.b.add(node_id, type_name, scope, (x,), (8, 4, 4), 2, **attrs)

    def ops(self, names: list[str], scope: str, x: str) -> str:
        for name in names:
            x = self.op(name, scope, x)
        return x


def build_random_net(desc: dict) -> Graph:
    net = _Net()
    x = net.b.add("x", "input", "", (), (3, 4, 4))
    x = net.op("Conv2d", "stem", x, kernel_size=(3, 3), out_channels=8)
    x = net.ops(desc["stem"], "stem", x)
    for i, spec in enumerate(desc["blocks"]):
        scope = f"blocks.{i}"
        entry = net.ops(spec["entry"], scope, x) if spec["style"] != "post-norm" else x
        h = net.op("Conv2d", f"{scope}.conv1", entry, kernel_size=(3, 3), out_channels=8)
        if spec["view"]:
            h = net.op("view", scope, h)
        h = net.ops(spec["inner"], scope, h)
        h = net.op("Conv2d", f"{scope}.conv2", h, kernel_size=(1, 1), out_channels=8)
        skip = entry if spec["skip_uses_entry"] else x
        if spec["projection"]:
            skip = net.op("Conv2d", f"{scope}.proj", skip, kernel_size=(1, 1), out_channels=8)
        net.count += 1
        x = net.b.add(f"add_{net.count}", "add", scope, (h, skip), (8, 4, 4))
        x = net.ops(spec["after"], scope, x)
    x = net.ops(desc["head"], "head", x)
    x = net.op("Linear", "fc", x, in_features=8, out_features=2)
    net.b.add("output", "output", "", (x,), None)
    return net.b.graph()
