"""Turn what goes wrong while running a model into one-line netviz errors."""

from __future__ import annotations

import re
from collections.abc import Sequence

from netviz.errors import InputShapeError, ModelForwardError, NetvizError
from netviz.ir import Shape
from netviz.ops import LayerShapeError

# Words torch uses when an input does not fit a layer or an op (patterns, not compiled ones:
# ``re`` compiles them when a failure is reported, never on a trace that succeeds).
_SHAPE_WORDS = (
    r"shape|size|dimension|channel|mat1 and mat2|cannot be multiplied|too small|"
    r"must match|non-singleton|out of range|expected (?:\w+ )?\d+d|[1-9]d input|kernel"
)


def shapes_text(shapes: Sequence[Shape]) -> str:
    """``"input shape 3x32x32"`` or ``"input shapes 3x32x32, 10"``."""
    parts = ["x".join(map(str, shape)) if shape else "scalar" for shape in shapes]
    noun = "input shape" if len(parts) == 1 else "input shapes"
    return f"{noun} {', '.join(parts)}"


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message (its type name if none)."""
    for line in str(exc).splitlines():
        line = line.strip()
        if line:
            return line[:300]
    return type(exc).__name__


def is_shape_problem(exc: BaseException) -> bool:
    """Whether torch's error is about sizes or ranks (the input's fault)."""
    return isinstance(exc, (RuntimeError, ValueError, IndexError)) and bool(
        re.search(_SHAPE_WORDS, first_line(exc), re.IGNORECASE)
    )


# A rank complaint: netviz's closed forms, then torch's own wording (batched rank, actual rank).
_RANK_WORDS = (
    r"expects a \d+D or (\d+)D input, got (\d+)D",
    r"Expected \d+D \(unbatched\) or (\d+)D \(batched\) input.*?got input of size:? \[([\d, ]+)\]",
)


def batch_hint(message: str, shapes: Sequence[Shape]) -> str:
    """A hint to leave out the batch dimension, when ``message`` says so; else ``""``.

    That is when an op got one dimension more than it takes with a batch, and an
    input shape was given with that many dimensions: it holds a batch dimension
    (the trace adds its own).
    """
    for pattern in _RANK_WORDS:
        found = re.search(pattern, message)
        if found is None:
            continue
        batched, got = int(found.group(1)), found.group(2)
        rank = int(got) if got.isdigit() else len(got.split(","))
        extra = [s for s in shapes if len(s) == batched]
        if rank != batched + 1 or not extra:
            return ""
        shape = extra[0]
        rest = ",".join(map(str, shape[1:]))
        if shape[0] == 1:
            return f"; input shapes leave out the batch dimension: use {rest}"
        return f"; input shapes leave out the batch dimension: if {shape[0]} is the batch size, use {rest}"
    return ""


def layer_error(
    layer: str, type_name: str, description: str, err: LayerShapeError, shapes: Sequence[Shape]
) -> NetvizError:
    """The error for a closed-form shape check that failed at ``layer``."""
    if err.config:
        return ModelForwardError(
            f"model forward raised at '{layer}' ({type_name}): the layer {err.detail}"
        )
    if err.too_small:
        return InputShapeError(
            f"{shapes_text(shapes)} is too small for layer '{layer}' ({description}): "
            f"it {err.detail}; use a larger input"
        )
    return InputShapeError(
        f"layer '{layer}' ({type_name}) {err.detail} ({shapes_text(shapes)})"
        + batch_hint(err.detail, shapes)
    )


def run_error(where: str, what: str, exc: BaseException, shapes: Sequence[Shape]) -> NetvizError:
    """The error for an exception raised while running node ``where`` (op ``what``)."""
    if isinstance(exc, NetvizError):
        return exc
    if is_shape_problem(exc):
        return InputShapeError(
            f"{shapes_text(shapes)} does not fit the model at '{where}' ({what}): "
            f"{first_line(exc)}" + batch_hint(first_line(exc), shapes)
        )
    return ModelForwardError(
        f"model forward raised at '{where}' ({what}): {type(exc).__name__}: {first_line(exc)}"
    )
