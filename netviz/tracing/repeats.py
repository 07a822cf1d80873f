"""Blocks recorded once: a meta forward under module hooks skips the repeats of a block.

The 80 decoder layers of a 70-B Llama record the same nodes, renamed: on meta, what a
block records is a function of its code, its attributes, the layouts of its parameters
and of its inputs (and the values those carry), and where its inputs came from. So the
first call of each group of [alike][netviz.tracing.alike] blocks runs (under the hooks, as
any other) and what it recorded is kept, relative to its path: its nodes, edges, node
counters, parameters taken, the full shapes and feature axes of its nodes, the layouts of
its outputs and where they came from. A later call of an alike block with alike inputs
(the same structure, types, shapes, strides, dtypes, values carried, and producers whose
shapes and axes match) does not run its forward: its nodes are the first one's, renamed
to its path, and it returns blank meta tensors of the recorded layouts.

Attributes may differ between alike blocks (``layer_idx``): those that do are *watched*
while a block is recorded (a data descriptor on its class notes each read, for the one
forward, in this thread), and a block stands only for blocks equal in every attribute it
read. Two blocks whose sliding window differs, and whose forward reads it, do not share.

A block runs and is not kept whenever memory might be wrong:

- a hook registered on it or a module inside it (global hooks other than netviz's make
  the whole forward run plainly);
- an input that is not a meta tensor, number, string, ``None`` or tuple/list of these (a
  cache object); an input tensor computed from weights alone, or requiring gradients;
- work left counted outside any node when it is called, or when it returns;
- nodes, node counters, parameters or edges outside its path and its inputs' producers;
- an input changed by the call (its layout, a value it carries, where it came from), an
  attribute written, a parameter or buffer replaced;
- an output other than a tensor or a tuple of tensors, numbers and ``None``; an output
  tensor carrying a value, held twice, or computed from weights alone.

The mechanism lives for one forward: wrappers (an instance-level ``forward``) and
descriptors are removed when it ends, and the tracer runs one trace at a time.
``NETVIZ_PLAIN_TRACE`` turns it off (see [`netviz.tracing.hooks`][netviz.tracing.hooks]).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from netviz.tracing.alike import Group, Member, alike_groups, attributes
from netviz.tracing.fingerprints import Unsafe
from netviz.tracing.recorded import MISSING, Block, block_of, replay
from netviz.tracing.replay import Unkeyed, call_key, kept_key
from netviz.tracing.walk import global_hooks
from netviz.tracing.watched import Reads, tracking, unwatch, watch

if TYPE_CHECKING:
    from netviz.tracing.hooks import _Recorder


def _stored(member: Member) -> list[tuple[int, ...]]:
    """The identities of the parameters and buffers of ``member``'s modules."""
    return [tuple(id(t) for table in (m._parameters, m._buffers) for t in table.values())
            for _, m in member.modules]


def _hooked(member: Member) -> bool:
    """Whether a hook is registered on a module of ``member`` (torch's private hook tables,
    as fingerprints.py reads them; tests/tracing/test_repeats.py pins that a hook makes
    its block run)."""
    for _, module in member.modules:
        if (module._forward_hooks or module._forward_pre_hooks or module._backward_hooks
                or module._backward_pre_hooks):
            return True
    return False


class Repeats:
    """Skips the repeats of alike blocks in one recorded forward (see the module docs);
    a context manager around the forward."""

    def __init__(self, recorder: _Recorder, root: nn.Module,
                 is_layer: Callable[[nn.Module], bool]) -> None:
        self.rec = recorder
        self.root = root
        self.is_layer = is_layer
        self.blocks: dict[tuple[int, Hashable], list[Block]] = {}
        self.recording = False
        self.skipped = 0  # calls answered from a recorded block (for tests)
        self.played: list[tuple[Block, str]] = []  # calls recorded as, or answered from, a block
        self._patched: list[nn.Module] = []
        self._watches: list[tuple[type, str]] = []
        self._token: Any = None
        # before netviz's own global hooks are registered: another tool's turn this off
        self.groups = [] if global_hooks() else alike_groups(root, is_layer)

    # -- set-up -----------------------------------------------------------------------

    def __enter__(self) -> Repeats:
        try:
            for group in self.groups:
                unwatchable = watch(group, self._watches)
                for member in group.members:
                    self._wrap(group, member, unwatchable)
        except BaseException:
            self._undo()
            raise
        self._token = _ACTIVE.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.reset(self._token)
        self._undo()

    def _undo(self) -> None:
        for module in self._patched:
            module.__dict__.pop("forward", None)
        unwatch(self._watches)
        self._patched = []

    def _wrap(self, group: Group, member: Member, unwatchable: frozenset) -> None:
        original = member.module.forward

        @functools.wraps(original)
        def forward(*args: Any, **kwargs: Any) -> Any:
            if _ACTIVE.get() is not self:
                return original(*args, **kwargs)
            return self.call(group, member, unwatchable, original, args, kwargs)

        member.module.__dict__["forward"] = forward
        self._patched.append(member.module)

    # -- calls ------------------------------------------------------------------------

    def call(self, group: Group, member: Member, unwatchable: frozenset,
             original: Callable[..., Any], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> Any:
        """The block's output: answered from an alike block recorded before, else run."""
        # the bookkeeping's own tensor reads are no calls of the model's (see provenance.py)
        with torch._C.DisableTorchFunction():
            found = self._lookup(group, member, args, kwargs)
        if found is None:
            return original(*args, **kwargs)
        if found[0]:
            return found[1]
        return self._record(group, member, unwatchable, original, args, kwargs, *found[1])

    def _lookup(self, group: Group, member: Member, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> tuple[bool, Any] | None:
        """``(True, output)`` answered from a recorded block, ``(False, what _record
        needs)`` to record this call, or ``None``: run it plainly."""
        rec = self.rec
        top = rec.stack[-1] if rec.stack else None
        counts = rec.counter.counts
        if (self.recording or top is None or top.module is not member.module or top.leaf
                or top.hidden or top.path != member.path or len(counts) != 1
                or counts[0].macs or counts[0].data_dependent or _hooked(member)):
            return None
        inputs = self._inputs(args, kwargs)
        if inputs is None:
            return None
        key, tensors, sources = inputs
        try:
            now = self._attributes(member)
        except Unsafe:
            return None
        for block in self.blocks.get((id(group), key), ()):
            out = replay(self.rec, block, group, member, now, tensors, sources)
            if out is not MISSING:
                self.skipped += 1
                self.played.append((block, member.path))
                return True, out
        return False, (key, tensors, sources, now)

    @staticmethod
    def _attributes(member: Member) -> dict[str, dict[str, Hashable]]:
        """The attributes of ``member``'s modules, frozen, as now (its wrapper left out)."""
        wrapper = member.module.__dict__.get("forward")
        if member.unchanged(wrapper):
            return member.attributes
        return {rel: attributes(module, wrapper) for rel, module in member.modules}

    def _inputs(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The call's key, its tensors and their producers; ``None``: not keyable."""
        tensors: list[torch.Tensor] = []
        try:
            key = call_key((args, tuple(kwargs.items())), tensors)
        except Unkeyed:
            return None
        provenance = self.rec.provenance
        places = []
        for index, tensor in enumerate(tensors):
            if type(tensor) is not torch.Tensor or tensor.requires_grad or \
                    provenance.weights_of(tensor):
                return None
            places.append(next(i for i, t in enumerate(tensors) if t is tensor) if any(
                t is tensor for t in tensors[:index]) else index)
        sources = [provenance.of(tensor) for tensor in tensors]
        return (key, tuple(places), torch.get_default_dtype()), tensors, sources

    def _record(self, group: Group, member: Member, unwatchable: frozenset,
                original: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                key: Any, tensors: list[torch.Tensor], sources: list[tuple[str, ...]],
                now: dict[str, dict[str, Hashable]]) -> Any:
        rec = self.rec
        first_node, first_edge, mark = len(rec.nodes), len(rec.edges), rec.ledger.mark()
        stored = _stored(member)
        kept = (kept_key(key[0]), *key[1:])
        reads = Reads({id(module): rel for rel, module in member.modules})
        journal: list[tuple[str, int]] = []
        rec.journal = journal
        self.recording = True
        try:
            with tracking(reads):
                out = original(*args, **kwargs)
        finally:
            self.recording = False
            rec.journal = None
        with torch._C.DisableTorchFunction(), torch._C._DisableTorchDispatch():
            block = None
            if self._unchanged(member, args, kwargs, kept[0], now, stored, reads):
                block = block_of(rec, member, out, tensors, sources, now,
                                 {**reads.read, **dict.fromkeys(unwatchable)}, journal,
                                 first_node, first_edge, mark)
        if block is not None:
            self.blocks.setdefault((id(group), kept), []).append(block)
            self.played.append((block, member.path))
        return out

    def _unchanged(self, member: Member, args: tuple[Any, ...], kwargs: dict[str, Any],
                   key: Any, now: dict[str, dict[str, Hashable]], stored: list[tuple[int, ...]],
                   reads: Reads) -> bool:
        """Whether the recorded call left its inputs (layouts, values, structure), its
        block's attributes, parameters and buffers as they were, and no work counted
        outside a node."""
        counts = self.rec.counter.counts
        if reads.wrote or len(counts) != 1 or counts[0].macs or counts[0].data_dependent:
            return False
        if stored != _stored(member):
            return False
        try:
            return call_key((args, tuple(kwargs.items())), []) == key and \
                now == self._attributes(member)
        except (Unkeyed, Unsafe):
            return False


_ACTIVE: ContextVar[Repeats | None] = ContextVar("netviz_repeats", default=None)
