"""Diagram labels and pseudocode text, one op at a time."""

from __future__ import annotations

import pytest

from netviz.ir import Kind, Mark, Node
from netviz.ops import kind_of
from netviz.transforms.labels import mark_label, node_code, node_label, op_name


def node(type_name: str, shape: tuple[int, ...] | None = None, **attrs: object) -> Node:
    return Node("n", kind_of(type_name), type_name, attrs=tuple(sorted(attrs.items())), shape=shape)


def conv(**overrides: object) -> Node:
    attrs: dict[str, object] = dict(
        kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1,
        out_channels=32, in_channels=16, weight_shape=(32, 16, 3, 3),
    )
    attrs.update(overrides)
    return node("Conv2d", (32, 8, 8), **attrs)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "3x3 32C 1S 1P"),
        ({"kernel_size": (1, 3), "padding": (0, 1)}, "1x3 32C 1S (0,1)P"),
        ({"stride": (1, 2)}, "3x3 32C (1,2)S 1P"),
        ({"dilation": (2, 2)}, "3x3 32C 1S 1P 2D"),
        ({"groups": 32}, "3x3 32C 1S 1P 32G"),
        ({"transposed": True}, "ConvT 3x3 32C 1S 1P"),
    ],
)
def test_conv_label(overrides: dict[str, object], expected: str) -> None:
    assert node_label(conv(**overrides)) == expected


def test_conv_code_prints_the_weight_shape_like_the_seed() -> None:
    assert node_code(conv()) == "Conv torch.Size([32, 16, 3, 3]) Stride 1 Pad 1"
    assert node_code(conv(stride=(1, 2))) == "Conv torch.Size([32, 16, 3, 3]) Stride (1, 2) Pad 1"


def test_three_d_and_one_d_kernels() -> None:
    assert node_label(node("Conv3d", (8, 4, 4, 4), kernel_size=(3, 3, 3), stride=(1, 1, 1),
                           padding=(1, 1, 1), out_channels=8)) == "3x3x3 8C 1S 1P"
    assert node_label(node("Conv1d", (8, 100), kernel_size=(5,), stride=(2,), padding=(2,),
                           out_channels=8)) == "5 8C 2S 2P"


@pytest.mark.parametrize(
    ("n", "label", "code"),
    [
        (node("AvgPool2d", (128, 1, 1), kernel_size=8, stride=1, padding=0),
         "AvgPool 8x8 1S 0P", "AvgPool 8 Stride 1 Pad 0"),
        (node("MaxPool2d", (64, 56, 56), kernel_size=3, stride=2, padding=1),
         "MaxPool 3x3 2S 1P", "MaxPool 3 Stride 2 Pad 1"),
        (node("avg_pool2d", (64, 1, 1), kernel_size=4, stride=None, padding=0),
         "AvgPool 4x4 4S 0P", "AvgPool 4 Stride 4 Pad 0"),
        (node("AdaptiveAvgPool2d", (512, 1, 1), output_size=(1, 1)),
         "AdaptiveAvgPool 1x1", "AdaptiveAvgPool 1"),
        (node("Linear", (10,), out_features=10, in_features=128, weight_shape=(10, 128)),
         "Linear 10C", "Linear torch.Size([10, 128])"),
        (node("Upsample", (32, 4, 255), size=(4, 255)), "Upsample 4x255", "Upsample 4x255"),
        (node("view", (128,)), "View", "View"),
        (node("flatten", (128,)), "Flatten", "Flatten"),
        (node("add", (8, 4, 4)), "+", "Add"),
        (node("cat", (8, 4, 4)), "Concat", "Concat"),
        (node("Identity", (8, 4, 4)), "Identity", "Identity"),
    ],
)
def test_other_ops(n: Node, label: str, code: str) -> None:
    assert node_label(n) == label
    assert node_code(n) == code


def test_data_and_io_labels_with_and_without_shapes() -> None:
    data = Node("d", Kind.DATA, "data", shape=(32, 16, 16))
    assert node_label(data) == "32C"
    assert node_label(data, shapes=True) == "32C 16x16"
    inp = Node("x", Kind.INPUT, "input", shape=(3, 32, 32))
    assert node_label(inp) == "Input"
    assert node_label(inp, shapes=True) == "Input 3x32x32"


def test_mark_labels_use_short_norm_names() -> None:
    mark = Mark(("BatchNorm2d", "ReLU"), (Kind.NORM, Kind.ACT), ("bn", "relu"))
    assert mark_label(mark) == "BN → ReLU"
    assert mark_label(mark, " -> ") == "BN -> ReLU"
    other = Mark(("InstanceNorm2d", "PReLU"), (Kind.NORM, Kind.ACT), ("i", "p"))
    assert mark_label(other) == "IN → PReLU"
    assert op_name("relu") == "ReLU" and op_name("gelu") == "GELU"


def test_names_from_user_code_stay_on_one_line() -> None:
    weird = node("We<ird\nName\t2", (4, 4, 4))
    assert node_label(weird) == "We<ird\\nName\\t2"
    assert "\n" not in node_code(weird)


def test_marks_get_readable_names_for_legends() -> None:
    from netviz.ir import Edge, Graph
    from netviz.transforms.labels import label

    mark = Mark(("batch_norm", "relu"), (Kind.NORM, Kind.ACT), ("bn", "relu"))
    graph = Graph("g", (node("add", (4,)),), (Edge("n", "n", mark),))
    (edge,) = label(graph).edges
    assert edge.mark is not None
    assert edge.mark.names == ("BatchNorm", "ReLU")
    assert edge.mark.label == "BN → ReLU"
