"""Trace a PyTorch model into the IR: torch.fx first, module hooks as a fallback.

This is, with the registry and the summaries, the only part of netviz that
imports torch. [`trace_model`][netviz.tracing.trace_model] records every op in
execution order with its module scope, hyper-parameters, output shape and
parameter count; shapes of the common layers come from closed formulas, so
deep models built on the meta device trace in about a second.

Modules:
    tracer: ``trace_model``, the entry point.
    fx: symbolic tracing and the shape-propagating interpreter.
    shapes: closed-form output shapes on plain values, validated like torch.
    layers: those formulas for ``torch.nn`` layers.
    functional: those formulas for functional ops (``add``, ``relu``, ``cat``...).
    attrs: layer and functional-call hyper-parameters as plain values.
    names: canonical names of functions and methods (``iadd`` → ``add``).
    build: fx graph → IR graph.
    forwards: the module-hooks fallback: a forward on meta, a real one when needed.
    hooks, provenance: what that forward records (layers, functional ops, edges).
    meta: forwards of meta models (weights on meta, other values real); the size cap.
    device, params, failures: model device and CPU copies, parameter ledger, errors.
"""

from netviz.tracing.tracer import trace_model

__all__ = ["trace_model"]
