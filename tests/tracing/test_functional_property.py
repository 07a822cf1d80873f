"""Closed forms of functional ops agree with torch on random calls.

Each case is run for real on CPU tensors and through ``closed_form`` on meta
tensors: same output shape, or both reject the call.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from netviz.tracing.functional import NOT_HANDLED, closed_form
from netviz.tracing.names import function_name
from netviz.ops import LayerShapeError
from tests.properties import steady

SETTINGS = steady(250)

Case = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def _on(device: str, value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return torch.zeros(value.shape, device=device)
    if isinstance(value, (list, tuple)):
        return type(value)(_on(device, v) for v in value)
    return value


def real(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(*_on("cpu", args), **kwargs)
        except (RuntimeError, ValueError, IndexError):
            return None
    return tuple(out.shape)


def analytic(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        out = closed_form(getattr(fn, "__name__", ""), function_name(fn), _on("meta", args),
                          kwargs)
    except (LayerShapeError, RuntimeError):
        return None
    assert out is not NOT_HANDLED, f"no closed form for {fn} {args} {kwargs}"
    assert out.device.type == "meta"
    return tuple(out.shape)


def check(case: Case) -> None:
    fn, args, kwargs = case
    got, want = analytic(fn, args, kwargs), real(fn, args, kwargs)
    # an empty output counts as rejected (torch's modes disagree on allowing it)
    got, want = (None if s is None or 0 in s else s for s in (got, want))
    shapes = [tuple(a.shape) if isinstance(a, torch.Tensor) else a for a in args]
    assert got == want, f"{fn.__name__}{shapes} {kwargs}: closed form {got}, torch {want}"


def t(*shape: int) -> torch.Tensor:
    return torch.empty(shape, device="meta")


dims = st.lists(st.integers(1, 4), min_size=1, max_size=4)


@st.composite
def elementwise(draw: st.DrawFn) -> Case:
    a = draw(dims)
    b = draw(st.sampled_from([a, a[1:], [1] * len(a), draw(dims)])) or [1]
    fn = draw(st.sampled_from([operator.add, operator.iadd, torch.add, operator.mul,
                               operator.sub, operator.truediv, torch.mul]))
    if draw(st.integers(0, 4)) == 0:
        return fn, (t(*a), 2.0), {}
    return fn, (t(*a), t(*b)), {}


@st.composite
def unary(draw: st.DrawFn) -> Case:
    x = t(*draw(dims))
    fn = draw(st.sampled_from([F.relu, torch.relu, torch.sigmoid, F.gelu, F.silu, torch.tanh,
                               F.leaky_relu, F.hardtanh, F.elu]))
    if draw(st.booleans()):
        return F.softmax, (x,), {"dim": draw(st.integers(-5, 4))}
    if draw(st.integers(0, 4)) == 0:
        return F.dropout, (x, draw(st.sampled_from([0.0, 0.5, 1.0]))), {}
    return fn, (x,), {}


@st.composite
def joins(draw: st.DrawFn) -> Case:
    base = draw(dims)
    count = draw(st.integers(1, 3))
    shapes = [list(base) for _ in range(count)]
    for s in shapes[1:]:
        if draw(st.booleans()):
            s[draw(st.integers(0, len(s) - 1))] = draw(st.integers(1, 4))
    fn = draw(st.sampled_from([torch.cat, torch.stack]))
    return fn, ([t(*s) for s in shapes],), {"dim": draw(st.integers(-4, 4))}


@st.composite
def reductions(draw: st.DrawFn) -> Case:
    x = t(*draw(dims))
    fn = draw(st.sampled_from([torch.mean, torch.sum, torch.amax]))
    dim = draw(st.one_of(st.integers(-4, 4),
                         st.lists(st.integers(-4, 3), min_size=1, max_size=2, unique=True)))
    if fn is torch.amax or draw(st.booleans()):
        return fn, (x, dim), {"keepdim": draw(st.booleans())}
    return fn, (x,), {}


@st.composite
def spatial(draw: st.DrawFn) -> Case:
    n = draw(st.sampled_from([1, 2, 3]))
    sizes = [draw(st.integers(1, 7)) for _ in range(n)]
    c = draw(st.integers(1, 3))
    x = t(1, c, *sizes)
    kind = draw(st.sampled_from(["avg", "max", "adaptive", "interp", "conv", "linear"]))
    if kind == "avg":
        fn = getattr(F, f"avg_pool{n}d")
        return fn, (x, draw(st.integers(1, 4))), {
            "stride": draw(st.sampled_from([None, 1, 2])), "padding": draw(st.integers(0, 2)),
            "ceil_mode": draw(st.booleans())}
    if kind == "max":
        fn = getattr(F, f"max_pool{n}d")
        return fn, (x, draw(st.integers(1, 4))), {
            "stride": draw(st.sampled_from([None, 1, 2])), "padding": draw(st.integers(0, 1)),
            "dilation": draw(st.integers(1, 2)), "ceil_mode": draw(st.booleans())}
    if kind == "adaptive":
        fn = getattr(F, f"adaptive_{draw(st.sampled_from(['avg', 'max']))}_pool{n}d")
        return fn, (x, draw(st.integers(1, 4))), {}
    if kind == "interp":
        mode = draw(st.sampled_from(["nearest", "linear", "bilinear", "trilinear", "area"]))
        extra = {} if mode in ("nearest", "area") else {"align_corners": False}
        if draw(st.booleans()):
            return F.interpolate, (x,), {"size": draw(st.integers(1, 6)), "mode": mode, **extra}
        return F.interpolate, (x,), {"scale_factor": draw(st.sampled_from([0.5, 2.0, 1.7])),
                                     "mode": mode, **extra}
    if kind == "conv":
        groups = draw(st.sampled_from([1, c]))
        cin = c if draw(st.integers(0, 4)) else draw(st.integers(1, 3))
        w = t(draw(st.integers(1, 2)) * groups, max(cin // groups, 1),
              *[draw(st.integers(1, 3)) for _ in range(n)])
        fn = getattr(F, f"conv{n}d")
        return fn, (x, w), {"stride": draw(st.integers(1, 2)), "padding": draw(st.integers(0, 2)),
                            "dilation": draw(st.integers(1, 2)), "groups": groups}
    w = t(3, sizes[-1] if draw(st.integers(0, 3)) else draw(st.integers(1, 7)))
    return F.linear, (x, w), {}


@given(elementwise())
@SETTINGS
def test_arithmetic(case: Case) -> None:
    check(case)


@given(unary())
@SETTINGS
def test_unary(case: Case) -> None:
    check(case)


@given(joins())
@SETTINGS
def test_cat_and_stack(case: Case) -> None:
    check(case)


@given(reductions())
@SETTINGS
def test_reductions(case: Case) -> None:
    check(case)


@given(spatial())
@SETTINGS
def test_pools_interpolate_conv_linear(case: Case) -> None:
    check(case)


def test_unusual_calls_are_left_to_torch() -> None:
    x = t(1, 3, 4, 4)
    assert closed_form("add", "add", (x, x.to(torch.float64)), {}) is NOT_HANDLED
    assert closed_form("add", "add", (x, x), {"out": x}) is NOT_HANDLED
    assert closed_form("max_pool2d", "max_pool2d", (x, 2), {"return_indices": True}) \
        is NOT_HANDLED
    assert closed_form("dropout", "dropout", (x, 2.0), {}) is NOT_HANDLED
    assert closed_form("sum", "sum", (x, 1), {"dtype": torch.float64}) is NOT_HANDLED
    assert closed_form("view", "view", (x, -1), {}) is NOT_HANDLED


def test_in_place_arithmetic_returns_its_input_and_checks_the_shape() -> None:
    x, y = t(1, 3, 4, 4), t(1, 3, 1, 1)
    assert closed_form("iadd", "add", (x, y), {}) is x
    try:
        closed_form("add_", "add", (y, x), {})
    except RuntimeError as exc:
        assert "doesn't match the broadcast shape" in str(exc)
    else:
        raise AssertionError("in-place broadcast to a larger shape must fail")
