"""mdnc blocks: the documentation's two worked examples, every option, every bad value."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
import torch
from torch import nn

from netviz_models import mdnc
from netviz_models.mdnc import (
    ACTIVATORS,
    LAYER_ORDERS,
    NORMALIZERS,
    SCALERS,
    BlockBottleneck1d,
    BlockBottleneck2d,
    BlockBottleneck3d,
    BlockPlain1d,
    BlockPlain2d,
    BlockPlain3d,
)
from tests.models.conftest import (
    build_meta,
    leaf_calls,
    param_count,
    state_dict_listing,
)

# (type, output shape without batch, parameters) from the reference summaries
EXAMPLE_1 = [
    ("InstanceNorm2d", (16, 4, 255), 32),
    ("PReLU", (16, 4, 255), 16),
    ("Conv2d", (16, 4, 255), 256),
    ("InstanceNorm2d", (16, 4, 255), 32),
    ("PReLU", (16, 4, 255), 16),
    ("Conv2d", (16, 4, 128), 2304),
    ("InstanceNorm2d", (16, 4, 128), 32),
    ("PReLU", (16, 4, 128), 16),
    ("Conv2d", (32, 4, 128), 512),
    ("Conv2d", (32, 4, 128), 512),
    ("InstanceNorm2d", (32, 4, 128), 64),
]
EXAMPLE_2 = [
    ("InstanceNorm2d", (32, 4, 128), 64),
    ("PReLU", (32, 4, 128), 32),
    ("Conv2d", (32, 4, 128), 1024),
    ("InstanceNorm2d", (32, 4, 128), 64),
    ("PReLU", (32, 4, 128), 32),
    ("Upsample", (32, 4, 255), 0),
    ("Conv2d", (32, 4, 255), 9216),
    ("InstanceNorm2d", (32, 4, 255), 64),
    ("PReLU", (32, 4, 255), 32),
    ("Conv2d", (16, 4, 255), 512),
    ("Upsample", (32, 4, 255), 0),
    ("Conv2d", (16, 4, 255), 512),
    ("InstanceNorm2d", (16, 4, 255), 32),
]

ALL_BLOCKS = [BlockPlain1d, BlockPlain2d, BlockPlain3d,
              BlockBottleneck1d, BlockBottleneck2d, BlockBottleneck3d]


@pytest.mark.parametrize(
    ("builder", "shape", "rows", "total", "out_shape"),
    [
        (mdnc.mdnc_bottleneck2d_ex1, (16, 4, 255), EXAMPLE_1, 3_792, (32, 4, 128)),
        (mdnc.mdnc_bottleneck2d_ex2, (32, 4, 128), EXAMPLE_2, 11_584, (16, 4, 255)),
    ],
    ids=["ex1", "ex2"],
)
def test_documented_examples(
    builder: Callable[[], nn.Module],
    shape: tuple[int, ...],
    rows: list[tuple[str, tuple[int, ...], int]],
    total: int,
    out_shape: tuple[int, ...],
) -> None:
    block = builder().eval()
    calls = leaf_calls(block, torch.randn(2, *shape))
    assert [(t, s, p) for _, t, s, p in calls] == rows
    assert param_count(block) == total
    assert all(p.requires_grad for p in block.parameters())
    with torch.no_grad():
        assert tuple(block(torch.randn(1, *shape)).shape) == (1, *out_shape)


@pytest.mark.parametrize("name", ["mdnc_bottleneck2d_ex1", "mdnc_bottleneck2d_ex2"])
def test_examples_state_dict_golden(name: str, golden: Callable[[str, str], None]) -> None:
    golden(f"models/{name}.state_dict.txt", state_dict_listing(build_meta(getattr(mdnc, name))))


def test_example_layout() -> None:
    block = mdnc.mdnc_bottleneck2d_ex2()
    assert [n for n, _ in block.named_children()] == ["conv1", "conv2", "conv3", "in_node"]
    up = block.conv2[2]
    assert isinstance(up, nn.Upsample) and up.size == (4, 255) and up.mode == "bilinear"
    assert block.conv2[3].stride == (1, 1)
    assert all(m.bias is None for m in block.modules() if isinstance(m, nn.Conv2d))


def test_identity_skip_when_shape_is_kept() -> None:
    block = BlockBottleneck2d(8, 8).eval()
    assert block.in_node is None
    for m in block.modules():  # zero the conv branch: the block is then the identity
        if isinstance(m, nn.Conv2d):
            nn.init.zeros_(m.weight)
    x = torch.randn(2, 8, 5, 6)
    with torch.no_grad():
        torch.testing.assert_close(block(x), x)


@pytest.mark.parametrize(
    ("cls", "shape", "kwargs", "out"),
    [
        (BlockPlain1d, (4, 20), {}, (6, 20)),
        (BlockPlain1d, (4, 20), {"stride": 2}, (6, 10)),
        (BlockPlain1d, (4, 10), {"stride": 2, "scaler": "up"}, (6, 20)),
        (BlockPlain2d, (4, 9, 12), {"stride": 2}, (6, 5, 6)),
        (BlockPlain2d, (4, 5, 6), {"output_size": (9, 12), "scaler": "up"}, (6, 9, 12)),
        (BlockPlain3d, (4, 6, 6, 6), {"stride": 2}, (6, 3, 3, 3)),
        (BlockBottleneck1d, (4, 20), {"kernel_size": 5, "padding": 2}, (6, 20)),
        (BlockBottleneck1d, (4, 20), {"output_size": 33, "scaler": "up"}, (6, 33)),
        (BlockBottleneck2d, (4, 8, 8), {"stride": (2, 1)}, (6, 4, 8)),
        (BlockBottleneck3d, (4, 4, 4, 4), {"stride": 2, "scaler": "up"}, (6, 8, 8, 8)),
        (BlockBottleneck3d, (4, 6, 6, 6), {"stride": 2}, (6, 3, 3, 3)),
    ],
)
def test_output_shapes(
    cls: type[nn.Module], shape: tuple[int, ...], kwargs: dict, out: tuple[int, ...]
) -> None:
    block = cls(shape[0], out[0], **kwargs).eval()
    with torch.no_grad():
        assert tuple(block(torch.randn(2, *shape)).shape) == (2, *out)


@pytest.mark.parametrize(
    ("normalizer", "activator", "layer_order"),
    list(itertools.product(NORMALIZERS, ACTIVATORS, LAYER_ORDERS)),
)
def test_every_option_combination(normalizer: str, activator: str, layer_order: str) -> None:
    block = BlockPlain2d(3, 5, stride=2, normalizer=normalizer, activator=activator,
                         layer_order=layer_order).eval()
    calls = leaf_calls(block, torch.randn(2, 3, 6, 6))
    types = [t for _, t, _, _ in calls]
    norm_type = {"batch": "BatchNorm2d", "inst": "InstanceNorm2d", "pinst": "InstanceNorm2d",
                 "null": None}[normalizer]
    act_type = {"prelu": "PReLU", "relu": "ReLU", "null": None}[activator]
    act = [act_type] if act_type else []
    if norm_type is None:
        expected = ["Conv2d", *act]
    elif layer_order == "new":
        expected = [norm_type, *act, "Conv2d"]
    else:
        expected = ["Conv2d", norm_type, *act]
    for layer in (block.conv1, block.conv2):
        assert [type(m).__name__ for m in layer] == expected
    assert types[: 2 * len(expected)] == expected * 2  # called in that order
    convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
    assert all((c.bias is not None) == (normalizer == "null") for c in convs)
    affine = [m.affine for m in block.modules() if isinstance(m, nn.InstanceNorm2d)]
    assert all(a == (normalizer == "pinst") for a in affine)
    assert types.count("Conv2d") == 3  # two branch convs + the projection
    assert tuple(block(torch.randn(1, 3, 6, 6)).shape) == (1, 5, 3, 3)


@pytest.mark.parametrize("cls", ALL_BLOCKS)
@pytest.mark.parametrize(
    ("option", "bad", "allowed"),
    [
        ("normalizer", "bn", "'batch', 'inst', 'pinst', 'null'"),
        ("normalizer", None, "'batch', 'inst', 'pinst', 'null'"),
        ("normalizer", "BATCH", "'batch', 'inst', 'pinst', 'null'"),
        ("activator", "gelu", "'prelu', 'relu', 'null'"),
        ("activator", "", "'prelu', 'relu', 'null'"),
        ("layer_order", "pre", "'new', 'old'"),
        ("layer_order", 1, "'new', 'old'"),
        ("scaler", "same", "'down', 'up'"),
        ("scaler", None, "'down', 'up'"),
    ],
)
def test_invalid_option_values(cls: type[nn.Module], option: str, bad: object, allowed: str) -> None:
    with pytest.raises(ValueError) as info:
        cls(4, 4, **{option: bad})
    message = str(info.value)
    assert option in message and allowed in message and repr(bad) in message


@pytest.mark.parametrize(("in_planes", "out_planes"), [(0, 4), (4, -1), (2.0, 4), (True, 4)])
def test_invalid_planes(in_planes: object, out_planes: object) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        BlockPlain2d(in_planes, out_planes)  # type: ignore[arg-type]


def test_option_tuples_are_public() -> None:
    assert NORMALIZERS == ("batch", "inst", "pinst", "null")
    assert ACTIVATORS == ("prelu", "relu", "null")
    assert LAYER_ORDERS == ("new", "old")
    assert SCALERS == ("down", "up")


@pytest.mark.parametrize("cls", ALL_BLOCKS)
def test_meta_build(cls: type[nn.Module]) -> None:
    block = build_meta(lambda: cls(4, 8, stride=2))
    assert all(p.device.type == "meta" for p in block.parameters())
