"""fx's table of the tensors a model keeps as plain attributes, made when first read.

Before tracing, torch.fx's ``Tracer.trace`` maps every tensor a module keeps as a plain
attribute (in its ``__dict__``: not a parameter nor a buffer) to its path, walking the
``__dict__`` of every module of the model (``collect_tensor_attrs``). The table is read
only when the trace meets a tensor constant (``Tracer.create_arg``): most models never
do, and for a 3,500-module model the walk is a fifth of the trace.
[`LazyTensorAttrs`][netviz.tracing.tensor_attrs.LazyTensorAttrs] makes the same table, by
the same walk, when fx first reads it. The one difference: the walk sees the model as it
is then, not as it was when the trace started (a forward that stores a tensor on a
module before the first constant is met: fx would make that tensor a constant, netviz
names it by its path).
"""

from __future__ import annotations

import sys
from typing import Any

import torch.fx
from torch import nn
from torch.fx import _symbolic_trace

# fx's types of module attributes it maps (torch.Tensor, ScriptObject, FakeScriptObject):
# private, as the walk in Tracer.trace; tests/tracing/test_tensor_attrs.py pins both.
_MAPPED: tuple[type, ...] = tuple(_symbolic_trace._constant_attribute_types)
_TRACE = torch.fx.Tracer.trace.__code__
_BARE = nn.Module()
"""What fx's own walk is given instead of the model: a module with nothing to map."""


def collect_tensor_attrs(module: nn.Module, prefix: list[str], table: dict[Any, str]) -> None:
    """fx's ``collect_tensor_attrs``: ``table[tensor] = path`` for each tensor kept as a
    plain attribute of ``module`` or its children (a tensor met twice: its last path)."""
    for key, value in module.__dict__.items():
        if isinstance(value, _MAPPED):
            table[value] = ".".join([*prefix, key])
    for key, child in module.named_children():
        collect_tensor_attrs(child, [*prefix, key], table)


class LazyTensorAttrs:
    """A ``torch.fx.Tracer`` mix-in whose ``tensor_attrs`` is filled when first read.

    fx's ``Tracer.trace`` sets ``self.tensor_attrs = {}`` and then walks
    ``self.root`` (its undocumented ``collect_tensor_attrs``, in the same function): the
    setter notes the walk as pending, and ``root`` read by that function while it is
    pending gives a bare module to walk instead. The first read of ``tensor_attrs``
    afterwards walks the model as fx would have.
    """

    @property
    def root(self) -> nn.Module:
        """The traced module (fx's ``Tracer.root``)."""
        found = self.__dict__
        if found.get("_walk_pending") and sys._getframe(1).f_code is _TRACE:
            found["_walk_pending"] = False
            return _BARE
        try:
            return found["_root"]
        except KeyError:
            raise AttributeError("root") from None

    @root.setter
    def root(self, value: nn.Module) -> None:
        self.__dict__["_root"] = value

    @property
    def tensor_attrs(self) -> dict[Any, str]:
        """fx's table: tensor kept as a plain attribute -> its path from the root."""
        found = self.__dict__
        table: dict[Any, str] = found["_tensor_attrs"]
        if found.get("_unwalked"):
            found["_unwalked"] = False
            collect_tensor_attrs(found["_root"], [], table)
        return table

    @tensor_attrs.setter
    def tensor_attrs(self, value: dict[Any, str]) -> None:
        found = self.__dict__
        found["_tensor_attrs"] = value
        lazy = not value and "_root" in found and sys._getframe(1).f_code is _TRACE
        found["_unwalked"] = found["_walk_pending"] = lazy

    def tensor_attrs_walked(self) -> bool:
        """Whether the table was made (it is, once read)."""
        return not self.__dict__.get("_unwalked", False)
