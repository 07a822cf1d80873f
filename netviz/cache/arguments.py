"""A trace's arguments as the public API takes them, in the canonical form a
[`TraceRequest`][netviz.cache.keys.TraceRequest] holds: shapes as tuples, dtypes by their
canonical names, keyword inputs parsed.

Apart from the keys so that a trace with the cache off, which keys nothing, reads its
arguments as a cached one does without importing them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from netviz.dtypes import parse_dtype
from netviz.inputs import InputValue, NamedInput, named_inputs
from netviz.ir import Shape

Arguments = tuple[Any, Any, tuple[str, ...] | None, bool, tuple[NamedInput, ...] | None, bool]
"""``(spec, input_shapes, input_dtypes, train, inputs, trust_remote_code)``, the fields of a
[`TraceRequest`][netviz.cache.keys.TraceRequest] in their order."""


def canonical_arguments(
    spec: Any,
    input_shapes: Sequence[Shape] | Shape | None = None,
    *,
    input_dtypes: Sequence[Any] | None = None,
    train: bool = False,
    inputs: Mapping[str, InputValue] | Sequence[NamedInput | str] | None = None,
    trust_remote_code: bool = False,
) -> Arguments:
    """The public API's arguments in canonical form (``"long"`` and ``torch.int64`` are
    both ``"int64"``; a single shape becomes a one-element tuple).

    Raises:
        UsageError: An unknown dtype, or malformed keyword inputs.
    """
    dtypes = None if input_dtypes is None else tuple(_dtype_name(d) for d in input_dtypes)
    return (spec, canonical_shapes(input_shapes), dtypes, bool(train), named_inputs(inputs),
            bool(trust_remote_code))


def canonical_shapes(value: Any) -> Any:
    """Shapes as a tuple of int tuples; a single shape becomes a one-element tuple.

    Anything malformed is kept as it is: the key is then ``None`` and tracing reports it.
    """
    if value is None or isinstance(value, (str, bytes)):
        return value
    try:
        items = list(value)
        if items and all(is_dim(d) for d in items):
            return (tuple(items),)
        shapes = tuple(tuple(s) for s in items)
    except TypeError:
        return value
    return shapes if all(all(is_dim(d) for d in s) for s in shapes) else value


def is_dim(value: Any) -> bool:
    """Whether ``value`` is a dimension: an ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def _dtype_name(dtype: Any) -> str:
    """``torch.float16``, ``"half"`` or ``"float16"`` → ``"float16"``.

    Raises:
        UsageError: Not a dtype netviz knows.
    """
    return parse_dtype(str(dtype))
