"""The op table, walked entry by entry.

- Every name an entry is met by exists in torch (a layer class, a function or method,
  an aten overload).
- Every shape rule gives torch's own output shape on meta tensors (through the
  tracer's closed forms, as traces use them), for every form of the op.
- Every MAC rule gives what the dispatch counter counts when the op runs; the
  counter in turn is checked against torch's own ``FlopCounterMode`` (FLOPs / 2)
  wherever that has formulas, else against the hand-written counts of test_macs.py.
- Every aten op the counter has a rule for is met by some sample run.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from netviz import ops
from netviz.ir import Kind
from netviz.ops import Op
from netviz.tracing.attrs import call_rule_attrs, layer_op
from netviz.tracing.counter import MacCounter
from netviz.tracing.functional import NOT_HANDLED, closed_form
from netviz.tracing.layers import layer_macs, layer_outputs
from netviz.tracing.names import function_name
from netviz.tracing.values import tensors_in
from tests.ops.samples import CALLS, LAYERS, LAZY

_GRAPH_KINDS = (Kind.INPUT, Kind.OUTPUT, Kind.DATA)

CUDA_ONLY = {
    "_scaled_dot_product_efficient_attention", "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_cudnn_attention", "_scaled_dot_product_fused_attention_overrideable",
    "_flash_attention_forward", "_efficient_attention_forward", "_scaled_mm",
    "convolution_overrideable", "_convolution",
}
"""Aten kernels no CPU or meta run of a public op reaches here (CUDA kernels, fp8, backends'
own convolution); their rules are the ones of their public forms (SDPA, conv, mm)."""


def _shapes(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, (tuple, list)):
        return tuple(_shapes(v) for v in value)
    return value


def _first(value: Any) -> torch.Tensor:
    return next(iter(tensors_in(value)))


def _layer(name: str, device: str) -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    make, inputs = LAYERS[name]
    with torch.device(device):
        module = make().eval()
    return module, tuple(build(device) for build in inputs)


def _run(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _call(name: str, device: str) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
    fn, build = CALLS[name]
    args, kwargs = build(device)
    return fn, args, kwargs


def _layer_names(op: Op) -> list[str]:
    return [name for name in op.modules if name not in LAZY]


# -- names -----------------------------------------------------------------------------

_NAMESPACES = (torch, F, torch.Tensor, operator, torch._C._nn)


@pytest.mark.parametrize("op", ops.OPS, ids=lambda op: op.key)
def test_every_name_exists_in_torch(op: Op) -> None:
    for name in op.modules:
        cls = getattr(nn, name, None)
        assert isinstance(cls, type) and issubclass(cls, nn.Module), name
        assert ops.module_op(name, cls.__module__) is op
    if op.kind not in _GRAPH_KINDS:
        for name in (*op.calls, *op.aliases):
            found = [getattr(space, name) for space in _NAMESPACES if hasattr(space, name)]
            assert found, name
            assert any(ops.lookup(function_name(f)) is op for f in found), name
    for name in op.aten:
        packet, _, overload = name.partition(".")
        assert hasattr(torch.ops.aten, packet), name
        assert overload in ("", *getattr(torch.ops.aten, packet).overloads()), name


def test_a_layer_is_met_as_the_class_it_inherits_forward_from() -> None:
    conv = nn.utils.parametrizations.weight_norm(nn.Conv2d(3, 4, 3))
    assert type(conv).__name__ == "ParametrizedConv2d"
    assert layer_op(conv) is ops.lookup("Conv2d")

    class Doubled(nn.Linear):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return super().forward(x) * 2

    assert layer_op(Doubled(2, 2)) is None  # its own forward: another op


# -- shapes ----------------------------------------------------------------------------

SHAPED = [op for op in ops.OPS if op.shape is not None]


@pytest.mark.parametrize("op", SHAPED, ids=lambda op: op.key)
def test_every_shape_rule_gives_torchs_shape_on_meta(op: Op) -> None:
    assert _layer_names(op) or op.calls, f"{op.key}: no form to check"
    for name in _layer_names(op):
        assert name in LAYERS, f"{op.key}: no sample of layer {name}"
        module, inputs = _layer(name, "meta")
        want = _shapes(_run(module, inputs, {}))
        got = layer_outputs(module, inputs, {})
        assert got is not None, f"{name}: no closed form for the sample"
        assert _shapes(got) == want, f"{name}: rule {got}, torch {want}"
    for name in op.calls:
        assert name in CALLS, f"{op.key}: no sample of call {name}"
        fn, args, kwargs = _call(name, "meta")
        want = _shapes(_run(fn, args, kwargs))
        got = closed_form(getattr(fn, "__name__", name), function_name(fn), args, kwargs)
        assert got is not NOT_HANDLED, f"{name}: no closed form for the sample"
        assert _shapes(got) == want, f"{name}: rule {_shapes(got)}, torch {want}"


# -- MACs ------------------------------------------------------------------------------

COUNTED = [op for op in ops.OPS if op.counts and (op.modules or op.calls)]
_MET: set[str] = set()


def _counted(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[
        Any, int]:
    counter = MacCounter()
    seen: list[str] = []

    class Spy(MacCounter):  # records which aten rules the sample met
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
            packet, _, overload = str(func.__name__).partition(".")
            entry = ops.aten_op(packet, overload)
            if entry is not None and entry.counts:
                seen.append(packet if packet in entry.aten else f"{packet}.{overload}")
            return super().__torch_dispatch__(func, types, args, kwargs)

    counter = Spy()
    with counter, counter.measure() as count:
        out = _run(fn, args, kwargs)
    _MET.update(seen)
    return out, count.macs


def _torch_count(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """torch's own FlopCounterMode, halved (it counts a multiply-add as two FLOPs)."""
    flops = FlopCounterMode(display=False)
    with flops:
        _run(fn, args, kwargs)
    return flops.get_total_flops() // 2


@pytest.mark.parametrize("device", ["meta", "cpu"])
@pytest.mark.parametrize("op", COUNTED, ids=lambda op: op.key)
def test_every_mac_rule_equals_the_dispatch_count(op: Op, device: str) -> None:
    forms = 0
    for name in _layer_names(op):
        assert name in LAYERS, f"{op.key}: no sample of layer {name}"
        module, inputs = _layer(name, device)
        out, counted = _counted(module, inputs, {})
        rule = layer_macs(module, [tuple(t.shape) for t in inputs], tuple(_first(out).shape))
        assert rule == counted, f"{name} on {device}: rule {rule}, dispatch count {counted}"
        forms += 1
    for name in op.calls:
        if name not in CALLS:
            continue
        fn, args, kwargs = _call(name, device)
        out, counted = _counted(fn, args, kwargs)
        attrs = call_rule_attrs(op, args, kwargs) or {}
        inputs = tuple(tuple(t.shape) for t in tensors_in((args, kwargs)))
        rule = op.macs(attrs, inputs, tuple(_first(out).shape))
        assert rule == counted, f"{name} on {device}: rule {rule}, dispatch count {counted}"
        forms += 1
    assert forms, f"{op.key}: no sample to count"


_TORCH_ZERO = {"Bilinear", "bilinear", "_grouped_mm", "dot", "vdot", "mv", "addmv", "addbmm",
               "inner", "Transformer", "TransformerDecoder", "TransformerDecoderLayer"}
"""Samples torch's FlopCounterMode counts nothing or partly for (no formula for ``_trilinear``,
``_grouped_mm``, ``dot``, ``mv``, ``addmv``, ``addbmm``; a decoder's fused attention
fast path): checked against hand-written counts in test_macs.py instead."""


@pytest.mark.parametrize("name", sorted(set(LAYERS) | set(CALLS)))
def test_the_dispatch_count_equals_torchs_flop_counter(name: str) -> None:
    if name in LAYERS:
        fn, inputs = _layer(name, "meta")
        args: tuple[Any, ...] = inputs
        kwargs: dict[str, Any] = {}
    else:
        fn, args, kwargs = _call(name, "meta")
    _, counted = _counted(fn, args, kwargs)
    reference = _torch_count(fn, args, kwargs)
    if name in _TORCH_ZERO:
        assert counted >= reference
    else:
        assert counted == reference, f"{name}: dispatch count {counted}, torch {reference}"


def test_every_counting_aten_rule_is_met_by_a_sample() -> None:
    for name in sorted(set(LAYERS)):
        for device in ("meta", "cpu"):
            module, inputs = _layer(name, device)
            _counted(module, inputs, {})
    for name in sorted(CALLS):
        for device in ("meta", "cpu"):
            fn, args, kwargs = _call(name, device)
            _counted(fn, args, kwargs)
    wanted = {name for op in ops.OPS if op.counts for name in op.aten} - CUDA_ONLY
    assert wanted <= _MET, f"never met: {sorted(wanted - _MET)}"
