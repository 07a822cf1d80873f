"""Input dtypes by name: parsed and checked without importing torch.

A model input is a float tensor unless told otherwise; token ids for an
``nn.Embedding`` are ``int64``. Names are torch's (``int64``, ``bfloat16``) or
their common aliases (``long``, ``half``). Integer and boolean inputs are zeros
(valid indices for any embedding); float inputs are zeros or seeded noise.
"""

from __future__ import annotations

from collections.abc import Sequence

from netviz.errors import InputShapeError, UsageError

DTYPES = (
    "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8",
    "bool", "complex64", "complex128",
)
"""The dtype names netviz accepts, canonical spelling."""

_ALIASES = {
    "float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32",
    "short": "int16", "cfloat": "complex64", "cdouble": "complex128",
}


def parse_dtype(name: str) -> str:
    """The canonical name of dtype ``name`` (``"long"`` → ``"int64"``; case and a
    ``torch.`` prefix are ignored).

    Raises:
        UsageError: Not a dtype netviz knows.
    """
    key = name.strip().lower().removeprefix("torch.")
    key = _ALIASES.get(key, key)
    if key not in DTYPES:
        raise UsageError(
            f"unknown input dtype {name!r}; choose one of: {', '.join(DTYPES)} "
            "(or long, int, half, double)"
        )
    return key


def is_integer(name: str) -> bool:
    """Whether dtype ``name`` holds integers or booleans (inputs are then zeros)."""
    return name.startswith(("int", "uint")) or name == "bool"


def check_dtypes(
    dtypes: Sequence[str] | None, count: int
) -> tuple[str, ...] | None:
    """Canonical dtypes for ``count`` inputs: one per input, or one for a single input.

    Raises:
        UsageError: An unknown dtype.
        InputShapeError: The number of dtypes does not match the number of inputs.
    """
    if dtypes is None:
        return None
    parsed = tuple(parse_dtype(d) for d in dtypes)
    if len(parsed) != count:
        raise InputShapeError(
            f"{len(parsed)} input dtype(s) given for {count} input(s); give one "
            "--input-dtype per --input-shape, in the same order"
        )
    return parsed
