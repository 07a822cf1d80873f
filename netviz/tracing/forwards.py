"""The module-hooks fallback for models torch.fx cannot trace: which forward it records.

A model on a real device runs its own forward. A model built on the meta device
runs its forward there ([`meta_values`][netviz.tracing.meta.meta_values]): no
weight is allocated, whatever the model's size. Only a model whose forward fails there (it
needs a value computed from a weight: ``.item()`` of one, a data-dependent shape;
an op without a meta kernel, or one stricter on meta than on the CPU) is run for
real on a CPU copy, and only after
[`check_real_forward`][netviz.tracing.weights.check_real_forward] has allowed its
size. The recording itself is [`netviz.tracing.hooks`][netviz.tracing.hooks]'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import nn

from netviz.errors import NetvizError, TraceError
from netviz.inputs import Fill
from netviz.ir import Graph, Shape
from netviz.tracing.device import cpu_module, on_meta
from netviz.tracing.failures import first_line
from netviz.tracing.hooks import ForwardFailed, record_forward
from netviz.tracing.meta import meta_unsupported
from netviz.tracing.weights import max_weight_bytes, weight_bytes


def hooks_forward(
    module: nn.Module,
    input_shapes: Sequence[Shape],
    *,
    name: str,
    reason: str,
    rebuild: Callable[[str], nn.Module] | None = None,
    input_dtypes: Sequence[str] | None = None,
    input_names: Sequence[str | None] | None = None,
    train: bool = False,
    input_fills: Sequence[Fill | None] | None = None,
) -> tuple[Graph, bool]:
    """Trace ``module`` with forward hooks on every leaf layer call (see module docs), and
    say whether its forward ran on the meta device.

    A model built on the meta device runs its forward there (see
    [`meta_values`][netviz.tracing.meta.meta_values]): no weight is allocated.
    Only when that forward needs a value computed from a weight is it run for real,
    on a CPU copy (never one larger than
    [`check_real_forward`][netviz.tracing.weights.check_real_forward] allows).

    The forward runs in eval mode unless ``train``; ``input_dtypes`` are canonical
    dtype names per input (integer inputs are zeros); ``input_names`` name the
    keyword inputs (``None`` for a positional one; positional inputs come first);
    ``input_fills`` give integer inputs their leading values (see
    [`Fill`][netviz.inputs.Fill]).

    Returns:
        The raw graph, and whether the forward ran on meta (no weight allocated).

    Raises:
        ModelForwardError: The model's forward raised.
        InputShapeError: The model rejected the input shape.
        ModelTooLargeError: The model needs a real forward and is too large for one.
        TraceError: No layer or op reached the output, so there is nothing to draw.
    """
    runnable = module
    if on_meta(module):
        failure = _attempt(module, input_shapes, name, reason, input_dtypes, input_names, train,
                           on_meta=True, input_fills=input_fills)
        if isinstance(failure, Graph):
            return failure, True
        # An op meta cannot run, or a meta kernel stricter than the CPU's (grouped_mm wants
        # bfloat16): a real forward tells. Any other error is the model's, unless a real
        # forward is allowed anyway (then it reports the error in the CPU's words).
        if not meta_unsupported(failure.error) and weight_bytes(module) > max_weight_bytes():
            raise _reported(failure, input_shapes)
        why = (f"its forward fails on the meta device at '{failure.where}' "
               f"({type(failure.error).__name__}: {first_line(failure.error)})")
        try:
            runnable = cpu_module(module, rebuild, name=name, why=why)
        except NetvizError:
            raise
        except Exception as exc:
            raise TraceError(
                f"torch.fx could not trace {name} ({reason}) and it cannot be rebuilt on CPU "
                f"for module hooks: {type(exc).__name__}: {exc}".splitlines()[0]
            ) from None
    outcome = _attempt(runnable, input_shapes, name, reason, input_dtypes, input_names, train,
                       on_meta=False, input_fills=input_fills)
    if isinstance(outcome, Graph):
        return outcome, False
    raise _reported(outcome, input_shapes)


def _attempt(
    module: nn.Module, input_shapes: Sequence[Shape], name: str, reason: str,
    input_dtypes: Sequence[str] | None, input_names: Sequence[str | None] | None, train: bool,
    *, on_meta: bool, input_fills: Sequence[Fill | None] | None = None,
) -> Graph | ForwardFailed:
    """The recorded graph, or how the model's forward failed."""
    try:
        return record_forward(module, input_shapes, name, reason, input_dtypes, input_names,
                              train, on_meta=on_meta, input_fills=input_fills)
    except ForwardFailed as failed:
        return failed


def _reported(failure: ForwardFailed, input_shapes: Sequence[Shape]) -> NetvizError:
    """The one-line error of a failed forward; the model's own exception (with the user's
    frames, for ``--debug``) is its hidden context."""
    error = failure.reported(input_shapes)
    error.__context__ = failure.error
    error.__suppress_context__ = True
    return error
