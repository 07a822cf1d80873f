"""One torchinfo pass over a model, turned into a [`SummaryTable`][netviz.summaries.table.SummaryTable].

This is the only module of netviz that imports torchinfo (1.8 or later, its public
``summary`` only). torchinfo gives each call's shapes and kernel; netviz adds what
torchinfo lacks: full module paths, the order calls *finished* (torchsummary's row
order), parameter counts in which a shared weight counts once (torchinfo counts a
weight tied between two layers twice), and mult-adds from netviz's own trace
(torchinfo counts a ``Linear`` on tokens once per sample and misses attention).

Models are built on the meta device. A small one (weights up to
``COPY_BELOW`` bytes) is summarized on a zero-filled CPU copy (no weight
initialisation): a batch-1 CPU forward of the reference models costs 0.05-0.5 s
of CPU time, while the first meta forward pays ~1.3 s of one-off warm-up (torch's
Python decompositions and sympy). Any other model, and inputs above
``META_ABOVE`` elements, run on meta (see
[`meta_values`][netviz.tracing.meta.meta_values]), so the cost stops
growing with the resolution and the memory with the model. A model that fails on
one device is retried on the other before its error is reported (a larger copy
only if [`check_real_forward`][netviz.tracing.weights.check_real_forward] allows it).
A model passed as an instance runs where its weights are.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import torch
from torch import nn

from netviz.errors import InputShapeError, ModelForwardError, NetvizError
from netviz.inputs import Fill
from netviz.ir import Graph, Shape
from netviz.ir.accounting import data_dependent, unreached_params
from netviz.serial import one_at_a_time
from netviz.summaries.macs import feature_axes, own_macs, spread_inside
from netviz.summaries.table import LayerRow, SummaryTable
from netviz.tracing.failures import batch_hint

_CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)

META_ABOVE = 2**20
"""Inputs with more elements per sample than this are summarized on the meta device."""

COPY_BELOW = 256 * 2**20
"""Meta models whose weights take more bytes than this are summarized on meta (no copy)."""


def collect_model(
    spec: Any,
    input_shapes: Sequence[Shape] | None = None,
    *,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    inputs: Any = None,
    trust_remote_code: bool = False,
) -> SummaryTable:
    """Load ``spec`` through the registry and collect its summary table (see module docs).

    Raises:
        UnknownModelError: ``spec`` names no registered model.
        InputShapeError: The model rejects the input shape.
        ModelForwardError: The model's forward raised.
        ModelTooLargeError: The model runs on no device netviz may use.
    """
    from netviz.registry import load_model
    from netviz.tracing import trace_model
    from netviz.tracing.weights import check_real_forward, weight_bytes

    loaded = load_model(spec, input_shapes, input_dtypes=input_dtypes, inputs=inputs,
                        trust_remote_code=trust_remote_code)
    graph = trace_model(loaded.module, loaded.input_shapes, name=loaded.name,
                        rebuild=loaded.build, input_dtypes=loaded.input_dtypes,
                        input_names=loaded.input_names, train=train,
                        input_fills=loaded.input_fills)
    options: dict[str, Any] = {
        "name": loaded.name, "shapes_given": input_shapes is not None or inputs is not None,
        "input_dtypes": loaded.input_dtypes, "input_names": loaded.input_names,
        "input_fills": loaded.input_fills, "train": train, "graph": graph,
    }
    module = loaded.module
    if _device(module).type != "meta":
        return collect(module, loaded.input_shapes, **options)
    on_meta = (sum(math.prod(s) for s in loaded.input_shapes) > META_ABOVE
               or weight_bytes(module) > COPY_BELOW)
    errors: dict[str, NetvizError] = {}
    for device in ("meta", "cpu") if on_meta else ("cpu", "meta"):
        if device == "cpu" and errors:  # the meta forward failed: a real one, if allowed
            check_real_forward(module, loaded.name, f"its summary fails on meta: {errors['meta']}")
        candidate = module if device == "meta" else materialize(module)
        try:
            return collect(candidate, loaded.input_shapes, **options)
        except (InputShapeError, ModelForwardError) as exc:
            # an op without a meta kernel, a CPU-only model, or a real error
            errors[device] = exc
    raise errors["cpu"]  # both failed: CPU errors read better than meta ones


def materialize(module: nn.Module) -> nn.Module:
    """A CPU copy of a meta-device model with every parameter and buffer zeroed.

    Only shapes and counts matter to a summary, so the copy skips weight
    initialisation; the original model is left untouched, and a weight shared by
    several layers stays shared.
    """
    from netviz.tracing.device import empty_copy

    clone = empty_copy(module, "cpu")
    with torch.no_grad():
        for tensor in (*clone.parameters(), *clone.buffers()):
            tensor.zero_()
    return clone


@one_at_a_time  # a torch.fx trace in another thread would patch nn.Module under the forward
def collect(
    module: nn.Module,
    input_shapes: Sequence[Shape],
    *,
    name: str | None = None,
    shapes_given: bool = True,
    input_dtypes: Sequence[str] | None = None,
    train: bool = False,
    graph: Graph | None = None,
    input_names: Sequence[str | None] | None = None,
    input_fills: Sequence[Fill | None] | None = None,
) -> SummaryTable:
    """Run one forward pass of batch size 1 through torchinfo and tabulate it.

    Shapes, kernels and parameters come from torchinfo and netviz's own hooks;
    mult-adds come from netviz's trace of the model
    ([`own_macs`][netviz.summaries.macs.own_macs]), never from torchinfo.

    Args:
        module: The model; it runs on the device of its first parameter or buffer
            (meta or CPU), so its weights are never moved.
        input_shapes: Input shapes without the batch dimension.
        name: Model name for the table; default: the class name.
        shapes_given: Whether the user chose ``input_shapes`` (picks the error class).
        input_dtypes: Dtype name per input; default: the model's floating dtype.
        train: Run the forward in training mode (default: eval).
        graph: The model's raw trace for the MACs; default: traced here.
        input_names: The name of each keyword input, ``None`` for positional ones
            (see [`trace_model`][netviz.tracing.trace_model]).
        input_fills: The leading values of integer inputs (see [`Fill`][netviz.inputs.Fill]).

    Raises:
        InputShapeError: ``shapes_given`` and the forward pass failed.
        ModelForwardError: The forward pass of the default input failed.
    """
    import torchinfo

    from netviz.tracing.device import make_inputs
    from netviz.tracing.meta import meta_inputs, meta_values

    device = _device(module)
    shapes = tuple(tuple(int(d) for d in shape) for shape in input_shapes)
    dtype = next((p.dtype for p in module.parameters() if p.is_floating_point()), torch.float32)
    dtypes = [getattr(torch, d) for d in input_dtypes] if input_dtypes else [dtype] * len(shapes)
    meta = device.type == "meta"  # inputs with values, weights without
    tensors = (meta_inputs(shapes, dtype, input_dtypes, input_fills) if meta
               else make_inputs(shapes, device, dtype, random=True, dtypes=input_dtypes,
                                fills=input_fills))
    names = list(input_names or (None,) * len(shapes))
    positional = [t for t, n in zip(tensors, names) if n is None]
    keywords = {n: t for t, n in zip(tensors, names) if n is not None}
    forward_kwargs: dict[str, Any] = keywords if positional else {}
    calls = _CallRecorder(module)
    try:
        with meta_values() if meta else contextlib.nullcontext():
            stats = torchinfo.summary(
                module,
                input_data=positional if positional or not keywords else keywords,
                depth=1,
                verbose=0,
                mode="train" if train else "eval",
                col_names=("input_size", "output_size", "num_params", "kernel_size",
                           "mult_adds"),
                **forward_kwargs,
            )
    except Exception as exc:  # the model's own forward raised
        cause = exc.__cause__ or exc
        text = " ".join(str(cause).split()) or type(cause).__name__
        model = name or type(module).__name__
        if shapes_given:
            shown = ", ".join(_shape_text(s) for s in shapes)
            hint = batch_hint(text, shapes)
            raise InputShapeError(f"{model} rejects input shape {shown}: {text}{hint}") from exc
        raise ModelForwardError(f"the forward pass of {model} failed: {text}") from exc
    finally:
        calls.remove()
    try:
        if graph is None:
            from netviz.tracing import trace_model

            graph = trace_model(module, shapes, name=name or type(module).__name__,
                                input_dtypes=input_dtypes, input_names=input_names,
                                train=train, input_fills=input_fills)
        return _table(module, stats, calls, name, shapes, dtypes, graph)
    finally:
        # torchinfo keeps the last summary list of each model class in a module-level
        # cache, and that list holds the modules: this is the very list, so emptying it
        # lets the model be freed without touching torchinfo's private cache
        # (tests/summaries/test_collect.py checks the model is freed).
        stats.summary_list.clear()


def _table(
    module: nn.Module,
    stats: Any,
    calls: _CallRecorder,
    name: str | None,
    shapes: tuple[Shape, ...],
    dtypes: list[torch.dtype],
    graph: Graph,
) -> SummaryTable:
    """The summary table of one torchinfo pass (``stats``), the recorded calls and
    netviz's trace (``graph``, for the mult-adds)."""
    executed = [layer for layer in stats.summary_list if layer.executed]
    if len(executed) != len(calls.modules) or not all(
        layer.module is mod for layer, mod in zip(executed, calls.modules)
    ):
        raise RuntimeError("torchinfo and netviz saw different module calls")
    rows = _build_rows(module, executed, calls.finish, name or type(module).__name__)
    macs = spread_inside(rows, own_macs(rows, graph), _estimates(module, rows))
    axes = feature_axes(rows, graph)
    rows = [
        replace(row, mult_adds=count, feature_axis=axis)
        for row, count, axis in zip(rows, macs, axes)
    ]
    total = sum(row.params for row in rows)
    trainable = sum(row.trainable_params for row in rows)
    unique_params = {id(p): p for p in module.parameters()}
    if total != sum(p.numel() for p in unique_params.values()):
        raise RuntimeError("parameter bookkeeping does not add up")
    return SummaryTable(
        model=name or type(module).__name__,
        model_type=type(module).__name__,
        input_shapes=shapes,
        rows=tuple(rows),
        total_params=total,
        trainable_params=trainable,
        mult_adds=sum(row.mult_adds for row in rows),
        input_bytes=sum(math.prod(s) * d.itemsize for s, d in zip(shapes, dtypes)),
        param_bytes=sum(p.numel() * p.element_size() for p in unique_params.values()),
        forward_backward_bytes=int(stats.total_output_bytes),
        data_dependent=data_dependent(graph),
        unreached_params=unreached_params(graph),
    )


def _estimates(model: nn.Module, rows: Sequence[LayerRow]) -> list[int]:
    """Each row's MACs by the counting rules, from its module and the shapes torchinfo saw
    (0 where no rule applies or a shape is missing): for the layers a fused layer ran."""
    from netviz.tracing.layers import layer_macs

    out = []
    for row in rows:
        if not row.executed or row.input_shape is None or row.output_shape is None:
            out.append(0)
            continue
        module = model.get_submodule(row.path)
        shape_in, shape_out = (1, *row.input_shape), (1, *row.output_shape)
        out.append(layer_macs(module, [shape_in], shape_out))
    return out


class _CallRecorder:
    """Forward (pre-)hooks that record every module call and when it finished."""

    def __init__(self, model: nn.Module) -> None:
        self.modules: list[nn.Module] = []
        self.finish: list[int | None] = []
        self._open: list[int] = []
        self._done = 0
        self._handles = []
        for mod in dict.fromkeys(model.modules()):
            self._handles.append(mod.register_forward_pre_hook(self._pre))
            self._handles.append(mod.register_forward_hook(self._post))

    def _pre(self, module: nn.Module, inputs: Any) -> None:
        self._open.append(len(self.modules))
        self.modules.append(module)
        self.finish.append(None)

    def _post(self, module: nn.Module, inputs: Any, outputs: Any) -> None:
        self.finish[self._open.pop()] = self._done
        self._done += 1

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()


def _device(module: nn.Module) -> torch.device:
    """The device of the module's first parameter or buffer (meta when any is); CPU if
    it has none."""
    from netviz.tracing.device import model_device

    return model_device(module)


def _build_rows(
    model: nn.Module, executed: list[Any], finish: list[int | None], model_name: str
) -> list[LayerRow]:
    """Rows in call order, plus rows for modules that own parameters but never ran."""
    paths = {id(mod): path for path, mod in model.named_modules()}
    seen: set[int] = set()
    draft: list[LayerRow] = []

    def own(mod: nn.Module) -> tuple[int, int]:
        count = trainable = 0
        for param in mod.parameters(recurse=False):
            if id(param) in seen:
                continue
            seen.add(id(param))
            count += param.numel()
            trainable += param.numel() if param.requires_grad else 0
        return count, trainable

    def row(mod: nn.Module, path: str, **fields: Any) -> LayerRow:
        params, trainable = own(mod)
        return LayerRow(
            index=0,
            path=path,
            name=path.rsplit(".", 1)[-1] if path else model_name,
            type=type(mod).__name__,
            depth=path.count(".") + 1 if path else 0,
            params=params,
            trainable_params=trainable,
            leaf=not any(True for _ in mod.children()),
            container=isinstance(mod, _CONTAINERS),
            **fields,
        )

    # Pre-order: a parent is listed before its children, so ancestors that never
    # ran themselves (a ModuleList) are inserted right before their first child.
    stack: list[str] = []
    for layer, fin in zip(executed, finish):
        path = paths.get(id(layer.module), layer.var_name)
        _open_ancestors(model, path, stack, draft, row)
        output = _shape(layer.output_size)
        draft.append(
            row(
                layer.module,
                path,
                input_shape=_shape(layer.input_size),
                output_shape=output,
                kernel=_kernel(layer.kernel_size, output),
                mult_adds=0,  # netviz's own count replaces torchinfo's (see collect)
                recursive=bool(layer.is_recursive),
                finish=fin,
            )
        )
        stack.append(path)
    # Modules that own parameters but never ran (an attention layer's output projection,
    # read as weights by a fused kernel) keep their parameters visible: each is listed
    # at the end of its nearest listed ancestor's subtree, missing ancestors before it.
    for path, mod in model.named_modules():
        if any(id(p) not in seen for p in mod.parameters(recurse=False)):
            _insert_idle(model, path, draft, row)
    return [replace(r, index=i) for i, r in enumerate(draft)]


def _insert_idle(model: nn.Module, path: str, draft: list[LayerRow], row: Any) -> None:
    """Insert the row of module ``path`` (and of its unlisted ancestors) into ``draft``,
    keeping it in pre-order: after the subtree of its deepest ancestor already listed."""
    parts = path.split(".") if path else []
    listed = {r.path: i for i, r in enumerate(draft)}  # the last row of each path
    depth = max((d for d in range(len(parts)) if ".".join(parts[:d]) in listed), default=-1)
    at = len(draft)
    if depth >= 0:
        anchor = listed[".".join(parts[:depth])]
        at = anchor + 1
        while at < len(draft) and draft[at].depth > draft[anchor].depth:
            at += 1
    missing = [".".join(parts[:d]) for d in range(depth + 1, len(parts))]
    rows = [_idle(row, model.get_submodule(a), a) for a in missing]
    draft[at:at] = [*rows, _idle(row, model.get_submodule(path), path)]


def _open_ancestors(model: nn.Module, path: str, stack: list[str], draft: list[LayerRow], row: Any) -> None:
    """Pop finished scopes off ``stack`` and add rows for missing ancestors of ``path``."""
    while stack and not _is_ancestor(stack[-1], path):
        stack.pop()
    parts = path.split(".") if path else []
    for depth in range(len(parts)):
        ancestor = ".".join(parts[:depth])
        if ancestor in stack:
            continue
        draft.append(_idle(row, model.get_submodule(ancestor), ancestor))
        stack.append(ancestor)


def _idle(row: Any, mod: nn.Module, path: str) -> LayerRow:
    return row(
        mod,
        path,
        input_shape=None,
        output_shape=None,
        kernel=None,
        mult_adds=0,
        executed=False,
    )


def _is_ancestor(scope: str, path: str) -> bool:
    return scope == "" or path.startswith(scope + ".")


def _shape(size: Any) -> Shape | None:
    """torchinfo's size list (batch first) as a shape without the batch dimension."""
    if not isinstance(size, (list, tuple)) or not size:
        return None
    if not all(isinstance(d, int) for d in size):
        return None
    return tuple(size[1:])


def _kernel(kernel: Any, output: Shape | None) -> tuple[int, ...] | None:
    """A kernel size per spatial dimension (``MaxPool2d(3)`` -> ``(3, 3)``)."""
    if kernel is None:
        return None
    if isinstance(kernel, int):
        spatial = len(output) - 1 if output else 1
        return (kernel,) * max(spatial, 1)
    return tuple(int(k) for k in kernel)


def _shape_text(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)
