"""Keyword inputs of a model's forward: ``input_ids=64:int64``, parsed without torch.

A model is fed positional inputs (``--input-shape``, ``input_shapes=``) and keyword
inputs, each a [`NamedInput`][netviz.inputs.NamedInput]: a name of the forward's
parameters, a shape without the batch dimension and an optional dtype. The CLI
spells one ``--input NAME=D1,D2[:DTYPE]``; the Python API takes a mapping
``{"input_ids": (64,), "decoder_input_ids": "16:int64"}`` (a shape, or the same
``D1,D2[:DTYPE]`` text); a docs fence ``input: input_ids=64:int64; decoder_input_ids=16``.

Examples:
    >>> parse_input("input_ids=64:int64")
    NamedInput(name='input_ids', shape=(64,), dtype='int64')
    >>> named_inputs({"pixel_values": (3, 224, 224)})
    (NamedInput(name='pixel_values', shape=(3, 224, 224), dtype=None),)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from netviz.dtypes import parse_dtype
from netviz.errors import UsageError
from netviz.ir import Shape

MAX_DIMS = 5
"""Dimensions an input may have, without the batch dimension."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

InputValue = Union[Shape, str]
"""What the Python API takes for one keyword input: a shape, or ``"D1,D2[:DTYPE]"``."""

@dataclass(frozen=True)
class Fill:
    """How netviz makes an input besides its shape and dtype, where a model needs it.

    Attributes:
        runs: The leading values of an integer input, as runs of ``(value, count)``; the
            rest are zeros (the image tokens a multimodal model replaces by its image
            features, the patch grid of a vision encoder).
        batched: ``False``: the shape is the whole tensor's, with no batch dimension in
            front (a vision encoder fed its image's patches as rows).
    """

    runs: tuple[tuple[int, int], ...] = ()
    batched: bool = True


@dataclass(frozen=True)
class NamedInput:
    """One keyword input of a model's forward.

    Attributes:
        name: The forward's parameter (``input_ids``).
        shape: Shape without the batch dimension.
        dtype: Canonical dtype name; ``None``: the model's own default for this
            input when it has one (token ids are ``int64``), else its float dtype.
        fill: The input's leading values (see [`Fill`][netviz.inputs.Fill]); ``None``:
            zeros (integers) or seeded noise (floats).
    """

    name: str
    shape: Shape
    dtype: str | None = None
    fill: Fill | None = field(default=None, repr=False)

    def text(self) -> str:
        """The CLI spelling, ``input_ids=64:int64`` (what [`parse_input`][netviz.inputs.parse_input] reads)."""
        dims = ",".join(str(d) for d in self.shape)
        return f"{self.name}={dims}" + (f":{self.dtype}" if self.dtype else "")


def _syntax(text: str, why: str) -> UsageError:
    return UsageError(
        f"malformed input {text!r}: {why}; write NAME=D1,D2[:DTYPE], e.g. input_ids=128:int64"
    )


def parse_dims(text: str, whole: str) -> Shape:
    """``"3,224,224"`` (or ``3x224x224``) as a shape; errors name ``whole``.

    Raises:
        UsageError: Not 1 to ``MAX_DIMS`` positive integers.
    """
    parts = [p.strip() for p in text.replace("x", ",").split(",")]
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        raise _syntax(whole, f"{text.strip()!r} is not a list of positive integers") from None
    if any(d <= 0 for d in dims):
        raise _syntax(whole, "every dimension must be a positive integer")
    if len(dims) > MAX_DIMS:
        raise _syntax(whole, f"{len(dims)} dimensions; at most {MAX_DIMS}")
    return dims


def parse_input(text: str) -> NamedInput:
    """Parse ``NAME=D1,D2[:DTYPE]`` (the CLI's ``--input``).

    Raises:
        UsageError: Malformed (one line saying how to write it).
    """
    name, equals, rest = text.partition("=")
    name = name.strip()
    if not equals:
        raise _syntax(text, "no '='")
    if not _NAME.match(name):
        raise _syntax(text, f"{name!r} is not a parameter name")
    return NamedInput(name, *_value(rest, text))


def _value(text: str, whole: str) -> tuple[Shape, str | None]:
    dims, colon, dtype = text.partition(":")
    if not dims.strip():
        raise _syntax(whole, "no shape")
    if colon and not dtype.strip():
        raise _syntax(whole, "no dtype after ':'")
    try:
        parsed = parse_dtype(dtype) if colon else None
    except UsageError as exc:
        raise _syntax(whole, str(exc).split(";")[0]) from None
    return parse_dims(dims, whole), parsed


def named_inputs(
    value: Mapping[str, InputValue] | Iterable[NamedInput | str] | None,
) -> tuple[NamedInput, ...] | None:
    """Keyword inputs from what the API, the CLI or a fence was given.

    Args:
        value: A mapping ``name -> shape`` or ``name -> "D1,D2[:DTYPE]"``, or
            [`NamedInput`][netviz.inputs.NamedInput]s or ``"NAME=D1,D2[:DTYPE]"``
            texts; ``None``: none given.

    Raises:
        UsageError: A malformed entry, or a name given twice.
    """
    if value is None:
        return None
    items: list[NamedInput] = []
    if isinstance(value, Mapping):
        for name, spec in value.items():
            items.append(_from_pair(name, spec))
    elif isinstance(value, (str, bytes)):
        raise UsageError(
            f"inputs: expected a mapping like {{'input_ids': (128,)}}, got the text {value!r}"
        )
    else:
        for item in value:
            items.append(item if isinstance(item, NamedInput) else parse_input(_text(item)))
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            raise UsageError(f"input {item.name!r} is given twice")
        seen.add(item.name)
    return tuple(items)


def _text(item: Any) -> str:
    if not isinstance(item, str):
        raise UsageError(f"inputs: {item!r} is not 'NAME=D1,D2[:DTYPE]'")
    return item


def _from_pair(name: Any, spec: Any) -> NamedInput:
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(f"inputs: {name!r} is not a parameter name")
    if isinstance(spec, str):
        return NamedInput(name, *_value(spec, f"{name}={spec}"))
    dims = tuple(spec) if isinstance(spec, (tuple, list)) else None
    if (
        not dims
        or len(dims) > MAX_DIMS
        or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims)
    ):
        raise UsageError(
            f"inputs: {name!r}: expected a shape like (128,) or the text '128:int64', got {spec!r}"
        )
    return NamedInput(name, dims)
