"""Canonical op names and attribute extraction."""

from __future__ import annotations

import operator

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from netviz.ir import Kind
from netviz.ops import kind_of
from netviz.tracing.attrs import call_attrs, module_attrs
from netviz.tracing.names import canonical_name, function_name, method_name


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (operator.add, "add"), (operator.iadd, "add"), (torch.add, "add"),
        (torch.Tensor.add, "add"), (torch.Tensor.add_, "add"), (torch.Tensor.__add__, "add"),
        (torch.Tensor.__radd__, "add"), (torch.Tensor.__iadd__, "add"),
        (operator.mul, "mul"), (operator.imul, "mul"), (operator.truediv, "div"),
        (F.relu, "relu"), (torch.relu, "relu"), (torch.relu_, "relu"), (F.relu_, "relu"),
        (torch.cat, "cat"), (torch.concat, "cat"), (torch.flatten, "flatten"),
        (F.avg_pool2d, "avg_pool2d"), (F.max_pool2d, "max_pool2d"),
        (F.adaptive_avg_pool2d, "adaptive_avg_pool2d"), (F.interpolate, "interpolate"),
        (F.upsample, "interpolate"), (F.conv2d, "conv2d"), (F.linear, "linear"),
        (operator.getitem, "getitem"),
    ],
)
def test_function_names(target: object, expected: str) -> None:
    assert function_name(target) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("add_", "add"), ("relu_", "relu"), ("view", "view"), ("flatten", "flatten"),
     ("__iadd__", "add"), ("mul_", "mul"), ("size", "size"), ("__getitem__", "getitem")],
)
def test_method_names(name: str, expected: str) -> None:
    assert method_name(name) == expected


def test_canonical_name_keeps_private_names() -> None:
    assert canonical_name("_private") == "_private"
    assert canonical_name("_") == "_"


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        (F.relu, Kind.ACT), (torch.relu_, Kind.ACT), (F.gelu, Kind.ACT), (torch.sigmoid, Kind.ACT),
        (F.leaky_relu, Kind.ACT), (F.silu, Kind.ACT), (operator.iadd, Kind.ADD),
        (torch.add, Kind.ADD), (operator.mul, Kind.MUL), (torch.cat, Kind.CAT),
        (F.avg_pool2d, Kind.POOL), (F.max_pool1d, Kind.POOL), (F.adaptive_max_pool1d, Kind.POOL),
        (F.adaptive_avg_pool3d, Kind.POOL), (F.interpolate, Kind.UPSAMPLE),
        (torch.flatten, Kind.RESHAPE), (F.conv2d, Kind.CONV), (F.conv_transpose2d, Kind.CONV),
        (F.linear, Kind.LINEAR), (F.batch_norm, Kind.NORM), (F.group_norm, Kind.NORM),
        (F.dropout, Kind.DROPOUT), (F.dropout1d, Kind.DROPOUT),
    ],
)
def test_canonical_function_names_are_classified(target: object, kind: Kind) -> None:
    assert kind_of(function_name(target)) is kind


@pytest.mark.parametrize("name", ["view", "reshape", "flatten", "permute", "add_", "relu_"])
def test_canonical_method_names_are_classified(name: str) -> None:
    assert kind_of(method_name(name)) is not Kind.OTHER


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (nn.AvgPool2d(8, stride=1), {"kernel_size": 8, "stride": 1, "padding": 0,
                                     "ceil_mode": False}),
        (nn.AvgPool2d(3), {"kernel_size": 3, "stride": 3, "padding": 0, "ceil_mode": False}),
        (nn.MaxPool2d(3, 2, 1), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1,
                                 "ceil_mode": False}),
        (nn.AdaptiveAvgPool2d((1, 1)), {"output_size": (1, 1)}),
        (nn.AdaptiveAvgPool2d((None, 3)), {"output_size": (None, 3)}),
        (nn.GroupNorm(2, 8), {"num_groups": 2, "num_features": 8, "affine": True}),
        (nn.InstanceNorm2d(4), {"num_features": 4, "affine": False}),
        (nn.LayerNorm(5), {"normalized_shape": (5,), "affine": True}),
        (nn.PReLU(4), {"num_parameters": 4}),
        (nn.ReLU(), {}),
        (nn.Upsample(scale_factor=2), {"size": None, "scale_factor": 2.0, "mode": "nearest"}),
        (nn.Upsample(size=(4, 255), mode="bilinear"),
         {"size": (4, 255), "scale_factor": None, "mode": "bilinear"}),
        (nn.Linear(4, 3, bias=False), {"in_features": 4, "out_features": 3,
                                       "weight_shape": (3, 4), "bias": False}),
        (nn.Dropout(0.3), {"p": 0.3}),
        (nn.Conv1d(4, 8, 3, stride=2, groups=2, padding="valid"), {
            "kernel_size": (3,), "stride": (2,), "padding": "valid", "dilation": (1,),
            "groups": 2, "in_channels": 4, "out_channels": 8, "weight_shape": (8, 2, 3),
            "bias": True, "transposed": False, "padding_mode": "zeros"}),
        (nn.ConvTranspose2d(4, 2, 2, stride=2), {
            "kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0), "dilation": (1, 1),
            "groups": 1, "in_channels": 4, "out_channels": 2, "weight_shape": (4, 2, 2, 2),
            "bias": True, "transposed": True, "padding_mode": "zeros",
            "output_padding": (0, 0)}),
    ],
)
def test_module_attrs(module: nn.Module, expected: dict[str, object]) -> None:
    attrs = module_attrs(module)
    assert dict(attrs) == expected
    assert [k for k, _ in attrs] == sorted(expected)


def test_lazy_module_attrs_do_not_crash() -> None:
    assert dict(module_attrs(nn.LazyLinear(3)))["weight_shape"] is None


def test_functional_attrs_bind_args_kwargs_and_defaults() -> None:
    x = torch.zeros(1, 2, 8, 8)
    assert dict(call_attrs("avg_pool2d", (x, 2), {})) == {
        "kernel_size": 2, "stride": 2, "padding": 0, "ceil_mode": False,
    }
    assert dict(call_attrs("avg_pool2d", (x, 3, 1), {"padding": 1})) == {
        "kernel_size": 3, "stride": 1, "padding": 1, "ceil_mode": False,
    }
    assert dict(call_attrs("max_pool2d", (x,), {"kernel_size": (2, 2), "dilation": 2})) == {
        "kernel_size": (2, 2), "stride": (2, 2), "padding": 0, "dilation": 2, "ceil_mode": False,
    }
    assert dict(call_attrs("interpolate", (x,), {"size": (4, 4), "mode": "bilinear"})) == {
        "size": (4, 4), "scale_factor": None, "mode": "bilinear",
    }
    assert dict(call_attrs("cat", ([x, x],), {})) == {"dim": 0}
    assert dict(call_attrs("cat", ([x, x], 1), {})) == {"dim": 1}
    assert dict(call_attrs("flatten", (x, 1), {})) == {"start_dim": 1, "end_dim": -1}
    w = torch.zeros(6, 1, 3, 3)
    assert dict(call_attrs("conv2d", (x, w), {"stride": 2, "groups": 2})) == {
        "stride": 2, "padding": 0, "dilation": 1, "groups": 2, "weight_shape": (6, 1, 3, 3),
        "bias": False, "transposed": False, "kernel_size": (3, 3), "out_channels": 6,
        "in_channels": 2,
    }
    assert dict(call_attrs("linear", (torch.zeros(1, 4), torch.zeros(3, 4), None), {})) == {
        "weight_shape": (3, 4), "bias": False, "in_features": 4, "out_features": 3,
    }
    assert call_attrs("add", (x, x), {}) == ()
    assert call_attrs("avg_pool2d", (x,), {}) == ()  # kernel missing: nothing to say
