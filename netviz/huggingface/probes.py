"""Forwards on meta that decide a transformers model's inputs.

[`netviz.huggingface.inputs`][netviz.huggingface.inputs] tries candidate input sets with a
forward on the meta device (nothing allocated): [`verdict`][netviz.huggingface.probes.verdict]
says whether one runs, fails only for want of a weight's value, or is rejected (and why: the
error may name an input the forward needs); [`feature_tokens`][netviz.huggingface.probes.feature_tokens]
counts the image tokens a multimodal model's image features fill.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any

import torch
from torch import nn

from netviz.inputs import NamedInput

RUNS, NEEDS_VALUES, REJECTED = "runs", "needs values", "rejected"


def float_dtype(module: nn.Module) -> torch.dtype:
    """The dtype of the model's first floating-point parameter (float32 when none)."""
    for param in module.parameters():
        if param.is_floating_point():
            return param.dtype
    return torch.float32


def feature_tokens(module: nn.Module, images: list[NamedInput]) -> int | None:
    """How many image tokens the image's features fill (``None``: unknown): the elements
    of ``get_image_features`` of ``images`` (those it takes) by the token embeddings' width."""
    from netviz.tracing.device import make_inputs, model_device, on_meta
    from netviz.tracing.meta import meta_inputs, meta_values
    from netviz.tracing.values import tensors_in

    embeddings: Any = getattr(module, "get_input_embeddings", None)
    features_of: Any = getattr(module, "get_image_features")
    try:
        takes = inspect.signature(features_of).parameters
        images = [i for i in images if i.name in takes]
        width = int(embeddings().weight.shape[-1]) if callable(embeddings) else 0
        meta = on_meta(module)
        shapes, dtypes = [i.shape for i in images], [i.dtype or "float32" for i in images]
        fills = [i.fill for i in images]
        made = (meta_inputs(shapes, torch.float32, dtypes, fills) if meta else
                make_inputs(shapes, model_device(module), torch.float32, random=True,
                            dtypes=dtypes, fills=fills))
        with torch.no_grad(), meta_values() if meta else contextlib.nullcontext():
            out = features_of(**{i.name: t for i, t in zip(images, made)})
    except Exception:  # noqa: BLE001 - the model's own code: no count
        return None
    found = getattr(out, "pooler_output", None)
    elements = sum(t.numel() for t in tensors_in(found if found is not None else out))
    return elements // width if width and elements and elements % width == 0 else None


def verdict(module: nn.Module, inputs: tuple[NamedInput, ...]) -> tuple[str, str]:
    """Whether a forward on ``inputs`` runs (on meta for a meta model: nothing allocated),
    fails only for want of a weight's value, or is rejected."""
    from netviz.tracing.device import make_inputs, model_device, on_meta
    from netviz.tracing.meta import meta_inputs, meta_unsupported, meta_values
    from netviz.tracing.tracer import training_mode

    shapes, dtypes = [i.shape for i in inputs], [i.dtype or "float32" for i in inputs]
    fills = [i.fill for i in inputs]
    meta = on_meta(module)
    tensors = (meta_inputs(shapes, torch.float32, dtypes, fills) if meta else
               make_inputs(shapes, model_device(module), torch.float32, random=True,
                           dtypes=dtypes, fills=fills))
    try:
        with training_mode(module, False), torch.no_grad():
            with meta_values() if meta else contextlib.nullcontext():
                module(**{i.name: t for i, t in zip(inputs, tensors)})
    except Exception as exc:  # noqa: BLE001 - any failure: not this candidate
        return (NEEDS_VALUES if meta and meta_unsupported(exc) else REJECTED), str(exc)
    return RUNS, ""
