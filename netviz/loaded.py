"""A resolved model spec: what [`load_model`][netviz.registry.load_model] gives.

Its own module so that the model sources ([`netviz.registry`][netviz.registry] and
[`netviz.huggingface`][netviz.huggingface]) share it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netviz.inputs import Fill
from netviz.ir import Shape

if TYPE_CHECKING:
    from torch import nn


@dataclass(frozen=True)
class LoadedModel:
    """A resolved model spec.

    Attributes:
        name: Display name (registry name, attribute name or class name).
        module: The model, built on the requested device.
        input_shapes: Input shapes without the batch dimension, one per input.
        description: One-line description (empty when unknown).
        build: Rebuilds the model on another device, e.g. ``build("cpu")``.
        input_dtypes: Dtype name per input; ``None``: the model's floating dtype.
        input_names: Per input, the forward parameter it is fed to by keyword, or
            ``None`` for a positional input (those come first); ``None``: all positional.
        input_fills: Per input, the leading values of an integer input (see
            [`Fill`][netviz.inputs.Fill]), or ``None``; ``None``: zeros for all.
    """

    name: str
    module: nn.Module
    input_shapes: tuple[Shape, ...]
    description: str
    build: Callable[[str], nn.Module]
    input_dtypes: tuple[str, ...] | None = None
    input_names: tuple[str | None, ...] | None = None
    input_fills: tuple[Fill | None, ...] | None = None
