"""Canonical names for the functions and methods a traced model calls.

``operator.add``, ``operator.iadd``, ``torch.add``, ``Tensor.add`` and
``Tensor.add_`` all become ``"add"``; ``F.relu``, ``torch.relu`` and
``relu_`` become ``"relu"``. The names are what
``netviz.ir.kind_of`` classifies.
"""

from __future__ import annotations

from typing import Any

# Operator-module and dunder names whose canonical name differs from the name
# with underscores and the in-place ``i`` stripped.
_ALIASES: dict[str, str] = {
    "truediv": "div",
    "floordiv": "floor_divide",
    "concat": "cat",
    "concatenate": "cat",
    "upsample_nearest": "interpolate",
    "upsample_bilinear": "interpolate",
    "upsample": "interpolate",
}

# ``operator`` in-place functions (``iadd`` ...) map to their plain op.
_INPLACE_OPERATORS = {
    "iadd", "isub", "imul", "itruediv", "ifloordiv", "imod", "ipow", "imatmul",
    "iand", "ior", "ixor", "ilshift", "irshift",
}
_REFLECTED = {
    "radd", "rsub", "rmul", "rtruediv", "rfloordiv", "rmod", "rpow", "rmatmul",
    "rand", "ror", "rxor", "rlshift", "rrshift",
}


def canonical_name(name: str) -> str:
    """Canonical op name for a function or method name.

    Examples:
        >>> canonical_name("__iadd__"), canonical_name("relu_"), canonical_name("iadd")
        ('add', 'relu', 'add')
    """
    if name.startswith("__") and name.endswith("__") and len(name) > 4:
        name = name[2:-2]
        if name in _INPLACE_OPERATORS or name in _REFLECTED:
            name = name[1:]
    elif name in _INPLACE_OPERATORS:
        name = name[1:]
    if name.endswith("_") and not name.startswith("_") and len(name) > 1:
        name = name[:-1]
    return _ALIASES.get(name, name)


def function_name(target: Any) -> str:
    """Canonical name of a ``call_function`` target (``operator.add`` → ``"add"``)."""
    name = getattr(target, "__name__", None) or type(target).__name__
    return canonical_name(name)


def method_name(target: str) -> str:
    """Canonical name of a ``call_method`` target (``"add_"`` → ``"add"``)."""
    return canonical_name(target)
