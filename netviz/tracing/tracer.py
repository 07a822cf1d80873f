"""``trace_model``: a module and input shapes in, the raw IR graph out."""

from __future__ import annotations

import operator
import os
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import repeat
from contextlib import contextmanager

import torch
from torch import nn

from netviz.dtypes import check_dtypes
from netviz.errors import (
    InputShapeError,
    MacsLowerBoundWarning,
    TraceError,
    TraceFallbackWarning,
    warn,
)
from netviz.inputs import Fill
from netviz.ir import Attr, Graph, Kind, Shape
from netviz.ir.accounting import UNREACHED_PARAMS, data_dependent
from netviz.serial import one_at_a_time
from netviz.tracing.canonical import canonical_calls
from netviz.tracing.build import build_graph
from netviz.tracing.device import cpu_module, on_meta
from netviz.tracing.leaves import Unstampable
from netviz.tracing.fx import stamped_graph, symbolic_graph, tensor_constants_removed
from netviz.tracing.propagation import NodeFailure, check_input_count, propagate
from netviz.tracing.keys import StampKeys
from netviz.tracing.runs import check_runs
from netviz.tracing.names import function_name, method_name
from netviz.tracing.walk import Tree, module_tree


PLAIN_TRACE = "NETVIZ_PLAIN_TRACE"
"""Environment variable: when set (non-empty), trace every block for itself instead of
each distinct block once (see [`netviz.tracing.stamps`][netviz.tracing.stamps]); the
graph is the same either way (the tests and benchmarks compare the two)."""


def _check_shapes(input_shapes: Sequence[Shape]) -> tuple[Shape, ...]:
    shapes = tuple(input_shapes)
    if not shapes:
        raise InputShapeError("no input shape given; pass one per model input, e.g. 3,32,32")
    out = []
    for shape in shapes:
        dims = tuple(shape)
        if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
            raise InputShapeError(
                f"input shape {dims} must be positive integers without the batch dimension"
            )
        out.append(dims)
    return tuple(out)


def _where(node: torch.fx.Node, root: nn.Module) -> tuple[str, str]:
    if node.op == "call_module":
        return str(node.target), type(root.get_submodule(str(node.target))).__name__
    if node.op == "call_function":
        return node.name, function_name(node.target)
    if node.op == "call_method":
        return node.name, method_name(str(node.target))
    return node.name, node.op


def _fallback_message(name: str, reason: str, meta: bool) -> str:
    forward = "a forward on the meta device (no weights allocated)" if meta else "one real forward"
    return (
        f"torch.fx could not trace {name} ({reason}); used module hooks on {forward} "
        "instead: the figure shows the branches this input took"
    )


def _check_names(names: Sequence[str | None] | None, count: int) -> tuple[str | None, ...] | None:
    """Keyword input names: one per input, positional ones (``None``) first."""
    if names is None:
        return None
    names = tuple(names)
    if len(names) != count:
        raise InputShapeError(f"{len(names)} input name(s) given for {count} input(s)")
    keywords = [n for n in names if n is not None]
    first = names.index(keywords[0]) if keywords else len(names)
    if len(set(keywords)) != len(keywords) or None in names[first:]:
        raise InputShapeError(
            "keyword inputs must have distinct names and come after the positional ones"
        )
    return names if keywords else None


@one_at_a_time  # torch.fx patches nn.Module for the whole process while it traces
def trace_model(
    module: nn.Module,
    input_shapes: Sequence[Shape],
    *,
    name: str,
    rebuild: Callable[[str], nn.Module] | None = None,
    input_dtypes: Sequence[str] | None = None,
    input_names: Sequence[str | None] | None = None,
    train: bool = False,
    input_fills: Sequence[Fill | None] | None = None,
) -> Graph:
    """Trace ``module`` into the raw IR graph: every op, in execution order.

    torch.fx records the ops (functional additions included) and shapes come from
    closed forms or from running ops on the model's own device (meta tensors for
    meta models). Models fx cannot trace fall back to module hooks with a
    ``TraceFallbackWarning``. The model is traced in eval mode (the inference
    graph: no dropout, stochastic depth or training-only branches) unless
    ``train``; its own mode is restored afterwards.

    Args:
        module: The model, built on the meta device or a real one.
        input_shapes: One shape per model input, without the batch dimension.
        name: Name of the graph (the model's name).
        rebuild: Builds the same model on a given device (``rebuild("cpu")``), used
            when a real forward is needed for a meta model.
        input_dtypes: Dtype names per input (``"int64"`` for token ids); ``None``:
            the model's floating dtype for every input.
        input_names: Per input, the forward parameter it is fed to by name (a keyword
            input, drawn with its name) or ``None`` (positional, before the keyword
            ones); ``None``: every input is positional.
        train: Trace the training-mode graph instead.
        input_fills: Per input, the leading values of an integer input (see
            [`Fill`][netviz.inputs.Fill]) or ``None`` (zeros).

    Raises:
        InputShapeError: An input shape is malformed or the model rejects it.
        UsageError: An input dtype is unknown.
        ModelForwardError: The model's forward raised.
        TraceError: Neither torch.fx nor module hooks could trace the model.
    """
    shapes = _check_shapes(input_shapes)
    dtypes = check_dtypes(input_dtypes, len(shapes))
    names = _check_names(input_names, len(shapes))
    tree = module_tree(module)  # walked once: for the modes, and the fingerprints after
    keys = StampKeys(module, tree)
    with training_mode(module, train, tree):
        traced = canonical_calls(_trace(module, shapes, name, rebuild, dtypes, names, train,
                                        tuple(input_fills) if input_fills else None, keys))
    dependent = data_dependent(traced)
    if dependent:
        warn(f"the mult-adds of {name} are a lower bound: {', '.join(dependent)} "
             "decide from tensor values how much work follows", MacsLowerBoundWarning,
             stacklevel=2)
    extra: tuple[Attr, ...] = (
        ((("input_dtypes", dtypes),) if dtypes else ()) + ((("mode", "train"),) if train else ()))
    # the model's parameters no traced op holds (never run, or read only by dead code),
    # so that its totals stay sum(numel) with each shared tensor once
    counted = keys.params()  # found while fingerprinting, if it was
    total = counted if counted is not None else _param_count(module)
    unreached = total - sum(map(_PARAMS, traced.nodes))
    extra += ((UNREACHED_PARAMS, unreached),) if unreached > 0 else ()
    return replace(traced, meta=traced.meta + extra) if extra else traced


def _param_count(module: nn.Module) -> int:
    """``sum(p.numel() for p in module.parameters())`` (each tensor once), in one flat
    walk instead of ``parameters()``'s chain of generators."""
    seen: set[int] = set()
    total = 0
    for sub in _modules(module):
        for param in sub._parameters.values():
            if param is not None and id(param) not in seen:
                seen.add(id(param))
                total += param.numel()
    return total


@contextmanager
def training_mode(module: nn.Module, train: bool, tree: Tree | None = None) -> Iterator[None]:
    """Put every submodule in training (``train``) or eval mode; restore each one's after.
    ``tree``: ``module_tree(module)``, when the caller has it."""
    modules, flags, plain = _modes(module, tree)
    try:
        if plain:  # as nn.Module.train would, without a call per module
            _write_flags(map(_DICT, modules), repeat(train))
        else:
            module.train(train)
        yield
    finally:
        if plain:
            _write_flags(map(_DICT, modules), flags)
        else:
            for sub, mode in zip(modules, flags):
                if sub.training is not mode:  # the others: as they were already
                    sub.training = mode


def _modes(root: nn.Module, tree: Tree | None = None,
           ) -> tuple[list[nn.Module], list[bool], bool]:
    """The modules of ``root`` (each once), their training flags, and whether all their
    classes are plain (see ``_plain_mode``): then ``nn.Module.train`` only writes the flag
    straight into each module's ``__dict__``, in any order; else the modules are
    ``list(root.modules())`` (in that order, as ``train`` sets them)."""
    tree = tree or module_tree(root)
    plain = all(map(_plain_mode, tree.classes))
    modules = tree.order if plain else _modules(root)
    return modules, list(map(_TRAINING, modules)), plain


def _write_flags(dicts: Iterable[dict[str, object]], flags: Iterable[bool]) -> None:
    """``found["training"] = flag`` for each ``__dict__`` and flag."""
    deque(map(operator.setitem, dicts, repeat("training"), flags), maxlen=0)


_DICT = operator.attrgetter("__dict__")
_TRAINING = operator.attrgetter("training")
_PARAMS = operator.attrgetter("params")


def _modules(root: nn.Module) -> list[nn.Module]:
    """``list(root.modules())`` (each module once, in the same order), walked with a stack
    instead of ``named_modules``' nested generators."""
    seen: set[nn.Module] = set()  # by the modules themselves, as named_modules' memo
    found = []
    todo = [root]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        found.append(module)
        todo += [child for child in reversed(module._modules.values()) if child is not None]
    return found


def _plain_mode(cls: type[nn.Module]) -> bool:
    """Whether ``cls`` keeps its training flag as ``nn.Module`` does (no ``train``,
    ``__setattr__`` or ``training`` of its own)."""
    return (cls.train is nn.Module.train and cls.__setattr__ is nn.Module.__setattr__
            and not hasattr(cls, "training"))


def _trace(
    module: nn.Module,
    shapes: tuple[Shape, ...],
    name: str,
    rebuild: Callable[[str], nn.Module] | None,
    dtypes: tuple[str, ...] | None,
    names: tuple[str | None, ...] | None,
    train: bool,
    fills: tuple[Fill | None, ...] | None = None,
    keys: StampKeys | None = None,
) -> Graph:
    # later calls of repeated blocks as one node each (meta models, netviz.tracing.leaves);
    # a template whose calls cannot be copied is traced again without, and so on
    no_leaf: set[Hashable] | None = set() if on_meta(module) else None
    while True:
        try:
            return _trace_once(module, shapes, name, rebuild, dtypes, names, train, fills,
                               no_leaf, keys)
        except Unstampable as failed:
            known = no_leaf is None or failed.key is None or failed.key in no_leaf
            no_leaf = None if known else {*no_leaf, failed.key}  # type: ignore[misc]


def _trace_once(
    module: nn.Module,
    shapes: tuple[Shape, ...],
    name: str,
    rebuild: Callable[[str], nn.Module] | None,
    dtypes: tuple[str, ...] | None,
    names: tuple[str | None, ...] | None,
    train: bool,
    fills: tuple[Fill | None, ...] | None,
    no_leaf: set[Hashable] | None,
    keys: StampKeys | None = None,
) -> Graph:
    keywords = [n for n in names or () if n is not None]
    stamps = None
    with tensor_constants_removed(module):
        try:
            if os.environ.get(PLAIN_TRACE):
                graph = symbolic_graph(module, len(shapes) - len(keywords), keywords)
            else:
                graph, stamps = stamped_graph(module, len(shapes) - len(keywords), keywords,
                                              no_leaf, keys)
        except Exception as exc:  # untraceable: fall back to hooks
            from netviz.tracing.failures import first_line  # only then: not on fx's path
            from netviz.tracing.forwards import hooks_forward

            reason = first_line(exc)
            traced, meta = hooks_forward(module, shapes, name=name, reason=reason,
                                         rebuild=rebuild, input_dtypes=dtypes,
                                         input_names=names, train=train, input_fills=fills)
            warn(_fallback_message(name, reason, meta), TraceFallbackWarning, stacklevel=3)
            return traced
        check_runs(stamps)
        check_input_count(graph, shapes, names)
        root = module
        try:
            values = propagate(root, graph, shapes, dtypes, names, fills, stamps)
        except NodeFailure as failure:
            from netviz.tracing.failures import first_line, run_error  # failures only
            from netviz.tracing.meta import meta_unsupported

            if not (on_meta(module) and meta_unsupported(failure.error)):
                raise run_error(*_where(failure.node, root), failure.error, shapes) from None
            where, what = _where(failure.node, root)
            why = (f"an op fails on the meta device at '{where}' "
                   f"({type(failure.error).__name__}: {first_line(failure.error)})")
            if stamps is not None and stamps.made:
                raise Unstampable(None, "propagated on the CPU") from None
            root = _cpu_twin(module, rebuild, name, why)
            root.train(train)
            try:
                values = propagate(root, graph, shapes, dtypes, names, fills)
            except NodeFailure as again:
                raise run_error(*_where(again.node, root), again.error, shapes) from None
        traced = build_graph(graph, root, values, shapes, name, keywords, stamps)
    if all(node.kind in (Kind.INPUT, Kind.OUTPUT) for node in traced.nodes):
        raise TraceError(
            f"{name} has no layers or ops: its forward only passes its inputs through, "
            "so there is nothing to draw"
        )
    return traced


def _cpu_twin(
    module: nn.Module, rebuild: Callable[[str], nn.Module] | None, name: str, why: str
) -> nn.Module:
    """A CPU copy of a meta model that carries the tracer's tensor constants."""
    twin = cpu_module(module, rebuild, name=name, why=why)
    for key, value in vars(module).items():
        if key.startswith("_tensor_constant") and isinstance(value, torch.Tensor):
            setattr(twin, key, value.to("cpu") if value.device.type != "meta" else value)
    return twin
