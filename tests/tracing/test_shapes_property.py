"""Closed-form shapes agree with real torch execution (CPU) on random layers.

For every random configuration either both give the same output shape, or
both reject the input. The closed forms are what ``trace_model`` uses instead
of running layers, so this is the guarantee that diagrams show real shapes.
"""

from __future__ import annotations

import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.tracing.layers import output_shape
from netviz.ops import LayerShapeError
from tests.properties import steady

SETTINGS = steady(250)


def real_shape(module: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """Output shape of a real CPU forward, or None when torch rejects the input."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with torch.no_grad():
                return tuple(module(torch.zeros(shape)).shape)
        except (RuntimeError, ValueError, IndexError, NotImplementedError):
            return None


def analytic_shape(module: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        out = output_shape(module, shape)
    except LayerShapeError:
        return None
    assert out is not None, f"no closed form for {module}"
    return out


def _nonempty(shape: tuple[int, ...] | None) -> tuple[int, ...] | None:
    # Torch's backends disagree on empty outputs (ConvTranspose2d gives 0x0 for
    # some kernels, raises for others); an empty output counts as rejected.
    return None if shape is None or 0 in shape else shape


def check(module: nn.Module, shape: tuple[int, ...]) -> None:
    expected = _nonempty(real_shape(module, shape))
    got = _nonempty(analytic_shape(module, shape))
    assert got == expected, f"{module} on {shape}: closed form {got}, torch {expected}"


@st.composite
def convs(draw: st.DrawFn) -> tuple[nn.Module, tuple[int, ...]]:
    n = draw(st.sampled_from([1, 2, 3]))
    groups = draw(st.sampled_from([1, 1, 2]))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(n))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
    padding: object = tuple(draw(st.integers(0, 2)) for _ in range(n))
    if all(s == 1 for s in stride) and draw(st.booleans()):
        padding = draw(st.sampled_from(["same", "valid"]))
    cls = [nn.Conv1d, nn.Conv2d, nn.Conv3d][n - 1]
    module = cls(cin, cout, kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=groups, padding_mode=mode, bias=draw(st.booleans()))
    top = 9 if n < 3 else 6
    sizes = tuple(draw(st.integers(1, top)) for _ in range(n))
    channels = cin if draw(st.integers(0, 9)) else draw(st.integers(1, 4))
    batched = draw(st.integers(0, 5)) > 0
    return module, ((1,) if batched else ()) + (channels, *sizes)


@given(convs())
@SETTINGS
def test_conv_closed_form_matches_torch(case: tuple[nn.Module, tuple[int, ...]]) -> None:
    check(*case)


@st.composite
def transposed(draw: st.DrawFn) -> tuple[nn.Module, tuple[int, ...]]:
    n = draw(st.sampled_from([1, 2, 3]))
    kernel = draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1))
    cls = [nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d][n - 1]
    module = cls(2, 3, kernel, stride=stride, padding=draw(st.integers(0, 3)),
                 output_padding=output_padding, dilation=dilation)
    sizes = tuple(draw(st.integers(1, 5)) for _ in range(n))
    return module, (1, draw(st.sampled_from([2, 2, 3])), *sizes)


@given(transposed())
@SETTINGS
def test_conv_transpose_closed_form_matches_torch(case: tuple[nn.Module, tuple[int, ...]]) -> None:
    check(*case)


@st.composite
def pools(draw: st.DrawFn) -> tuple[nn.Module, tuple[int, ...]]:
    n = draw(st.sampled_from([1, 2, 3]))
    kind = draw(st.sampled_from(["avg", "max", "adaptive_avg", "adaptive_max"]))
    tup = draw(st.booleans())

    def val(lo: int, hi: int) -> object:
        if tup:
            return tuple(draw(st.integers(lo, hi)) for _ in range(n))
        return draw(st.integers(lo, hi))

    if kind.startswith("adaptive"):
        size = val(1, 4)
        if tup and n > 1 and draw(st.booleans()):
            size = (None, *size[1:])
        cls = getattr(nn, f"Adaptive{'Avg' if kind == 'adaptive_avg' else 'Max'}Pool{n}d")
        module = cls(size)
    else:
        kernel = val(1, 4)
        stride = None if draw(st.booleans()) else val(1, 3)
        padding = val(0, 2)
        ceil = draw(st.booleans())
        if kind == "avg":
            module = getattr(nn, f"AvgPool{n}d")(kernel, stride=stride, padding=padding,
                                                 ceil_mode=ceil)
        else:
            module = getattr(nn, f"MaxPool{n}d")(kernel, stride=stride, padding=padding,
                                                 dilation=val(1, 2), ceil_mode=ceil)
    top = 9 if n < 3 else 6
    sizes = tuple(draw(st.integers(1, top)) for _ in range(n))
    batched = draw(st.integers(0, 5)) > 0
    return module, ((1,) if batched else ()) + (2, *sizes)


@given(pools())
@SETTINGS
def test_pool_closed_form_matches_torch(case: tuple[nn.Module, tuple[int, ...]]) -> None:
    check(*case)


@st.composite
def others(draw: st.DrawFn) -> tuple[nn.Module, tuple[int, ...]]:
    n = draw(st.sampled_from([1, 2, 3]))
    c = draw(st.integers(1, 4))
    want = c if draw(st.integers(0, 3)) else draw(st.integers(1, 4))
    sizes = tuple(draw(st.integers(1, 5)) for _ in range(n))
    shape = (1, c, *sizes)
    choice = draw(st.sampled_from(
        ["bn", "in", "gn", "ln", "prelu", "linear", "up_size", "up_scale", "flatten", "act"]
    ))
    if choice == "bn":
        module = getattr(nn, f"BatchNorm{n}d")(want, affine=draw(st.booleans()))
        shape = shape if draw(st.integers(0, 4)) else shape[:-1]
    elif choice == "in":
        module = getattr(nn, f"InstanceNorm{n}d")(want, affine=draw(st.booleans()),
                                                 track_running_stats=draw(st.booleans()))
        shape = shape if draw(st.booleans()) else shape[1:]
    elif choice == "gn":
        groups = draw(st.sampled_from([g for g in (1, 2) if want % g == 0]))
        module = nn.GroupNorm(groups, want, affine=draw(st.booleans()))
    elif choice == "ln":
        module = nn.LayerNorm(shape[-1] if draw(st.integers(0, 3)) else draw(st.integers(1, 5)))
    elif choice == "prelu":
        module = nn.PReLU(draw(st.sampled_from([1, c, want])))
    elif choice == "linear":
        module = nn.Linear(shape[-1] if draw(st.integers(0, 3)) else draw(st.integers(1, 5)), 3)
    elif choice in ("up_size", "up_scale"):
        mode = draw(st.sampled_from(["nearest", "linear", "bilinear", "trilinear"]))
        align = None if mode == "nearest" else False
        if choice == "up_size":
            module = nn.Upsample(size=draw(st.integers(1, 7)), mode=mode, align_corners=align)
        else:
            scale = draw(st.sampled_from([0.5, 1.5, 2.0, 3.0]))
            module = nn.Upsample(scale_factor=scale, mode=mode, align_corners=align)
    elif choice == "flatten":
        module = nn.Flatten(draw(st.integers(-3, 3)), draw(st.integers(-3, 3)))
    else:
        module = draw(st.sampled_from([nn.ReLU(), nn.GELU(), nn.Dropout(), nn.Identity()]))
    module.eval() if draw(st.booleans()) else module.train()
    if choice == "bn":
        # Torch refuses batch statistics of one value in training; netviz traces
        # with an artificial batch of 1, so its closed form deliberately accepts.
        module.eval()
    return module, shape


@given(others())
@SETTINGS
def test_other_layers_closed_form_matches_torch(case: tuple[nn.Module, tuple[int, ...]]) -> None:
    check(*case)


def test_unknown_layers_have_no_closed_form() -> None:
    assert output_shape(nn.Softmax2d(), (1, 3, 4, 4)) is None
    assert output_shape(nn.Softmax(), (1, 3)) is None  # no dim: torch's legacy choice
    assert output_shape(nn.MaxPool2d(2, return_indices=True), (1, 3, 4, 4)) is None
    assert output_shape(nn.LazyConv2d(4, 3), (1, 3, 8, 8)) is None


@pytest.mark.parametrize(
    ("module", "shape", "expected"),
    [
        (nn.Conv2d(3, 16, 3, padding=1), (1, 3, 32, 32), (1, 16, 32, 32)),
        (nn.Conv2d(16, 32, 3, stride=2, padding=1), (1, 16, 32, 32), (1, 32, 16, 16)),
        (nn.Conv2d(16, 32, 1, stride=2), (1, 16, 32, 32), (1, 32, 16, 16)),
        (nn.AvgPool2d(8, stride=1), (1, 128, 8, 8), (1, 128, 1, 1)),
        (nn.MaxPool2d(3, 2, 1), (1, 64, 112, 112), (1, 64, 56, 56)),
        (nn.Conv2d(3, 64, 7, 2, 3), (1, 3, 224, 224), (1, 64, 112, 112)),
        (nn.Conv2d(4, 4, (1, 3), stride=(1, 2), padding=(0, 1)), (1, 4, 4, 255), (1, 4, 4, 128)),
    ],
)
def test_seed_formula_examples(
    module: nn.Module, shape: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    assert output_shape(module, shape) == expected
