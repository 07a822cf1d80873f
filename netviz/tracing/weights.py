"""The cap on the weights netviz allocates when a meta model needs a real forward.

A model built on the meta device is drawn from a forward on meta (see
[`netviz.tracing.meta`][netviz.tracing.meta]); only one whose forward cannot run
there is materialised on the CPU, and only after
[`check_real_forward`][netviz.tracing.weights.check_real_forward] has allowed its size:
a model too large for that is refused in one line that says its size and what to
pass, instead of being killed by the system.
"""

from __future__ import annotations

import os
import re

from torch import nn

from netviz.errors import ModelTooLargeError

MAX_WEIGHT_BYTES = 2 << 30
"""Default cap on the weights netviz allocates for a real forward of a meta model
(``NETVIZ_MAX_WEIGHT_BYTES`` overrides it: ``8G``, ``500M``, or bytes)."""


def weight_bytes(module: nn.Module) -> int:
    """Bytes of the model's parameters and buffers, each shared tensor once."""
    tensors = {id(t): t for t in (*module.parameters(), *module.buffers())}
    return sum(t.numel() * t.element_size() for t in tensors.values())


def max_weight_bytes() -> int:
    """The cap on weights allocated for a real forward (``NETVIZ_MAX_WEIGHT_BYTES``)."""
    text = os.environ.get("NETVIZ_MAX_WEIGHT_BYTES", "").strip()
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", text.lower())
    if not found:
        return MAX_WEIGHT_BYTES
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[found.group(2)]
    return int(float(found.group(1)) * scale)


def size_text(count: int) -> str:
    """``27.0 GB``, ``512.0 MB``: bytes for a message (powers of 1024)."""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.1f} {unit}" if unit != "B" else f"{count} B"
        value /= 1024
    return f"{value:.1f} TB"


def check_real_forward(module: nn.Module, name: str, why: str) -> None:
    """Refuse, before allocating anything, a real forward whose weights exceed the cap.

    Args:
        module: The meta model that would be materialised.
        name: The model's name, for the message.
        why: Why the meta forward was not enough (``"its forward fails on the meta
            device at 'layers.0' (...)"``).

    Raises:
        ModelTooLargeError: The weights take more than
            [`max_weight_bytes`][netviz.tracing.weights.max_weight_bytes].
    """
    needed, limit = weight_bytes(module), max_weight_bytes()
    if needed > limit:
        raise ModelTooLargeError(
            f"{name} needs a real forward ({why}) and its weights take {size_text(needed)}, "
            f"more than netviz allocates ({size_text(limit)}); set NETVIZ_MAX_WEIGHT_BYTES="
            f"{-(-needed // (1 << 30))}G to allow it, or draw a smaller configuration"
        )
