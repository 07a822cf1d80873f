"""Canonical names for the functions and methods a traced model calls.

``operator.add``, ``operator.iadd``, ``torch.add``, ``Tensor.add`` and
``Tensor.add_`` all become ``"add"``; ``F.relu``, ``torch.relu`` and
``relu_`` become ``"relu"``; other names of one op become the name the op
table records it under (``torch.concat`` → ``"cat"``, see ``Op.aliases``). The
names are what [`netviz.ops`][netviz.ops] looks up.
"""

from __future__ import annotations

from typing import Any

from netviz.ops import canonical

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
    return canonical(name)


def is_inplace(name: str) -> bool:
    """Whether a function or method's own name says it writes into its first argument
    (``iadd``, ``__iadd__``, ``add_``, ``relu_``)."""
    if name.startswith("__") and name.endswith("__") and len(name) > 4:
        return name[2:-2] in _INPLACE_OPERATORS
    if name in _INPLACE_OPERATORS:
        return True
    return name.endswith("_") and not name.startswith("_") and len(name) > 1


def function_name(target: Any) -> str:
    """Canonical name of a ``call_function`` target (``operator.add`` → ``"add"``)."""
    name = getattr(target, "__name__", None) or type(target).__name__
    return canonical_name(name)


def method_name(target: str) -> str:
    """Canonical name of a ``call_method`` target (``"add_"`` → ``"add"``)."""
    return canonical_name(target)
