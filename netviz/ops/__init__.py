"""The op table: everything netviz knows about an op, said once.

Each entry ([`Op`][netviz.ops.record.Op]) holds, for one op however a model meets it
(a ``torch.nn`` layer class, a function or tensor method, an aten overload under
the dispatch counter): its kind (the glyph follows from it), its names in labels
and legends, the attributes it shows, its shape rule, its MAC rule and its
feature axis. The tracer reads attributes and binds calls as the entries say; the
IR, the transforms and the renderers read kinds, names and label facts from here.
Nothing in this package imports torch. Adding an op (a norm, a projection layer
of a model library) is adding one entry to a ``table_*`` module.

Names are looked up as the IR records them (``Node.type_name``: ``"Conv2d"``,
``"conv2d"``, ``"add"``); an unknown name is a plain op (``Kind.OTHER``, its name
capitalised, no MAC rule: the tracer counts its MACs at the dispatch level).

Examples:
    >>> from netviz.ops import kind_of, lookup, short_name
    >>> kind_of("BatchNorm2d"), short_name("batch_norm"), short_name("RMSNorm")
    (<Kind.NORM: 'norm'>, 'BN', 'RMSNorm')
    >>> lookup("Conv2d") is lookup("conv2d")
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache

from netviz.ir.kinds import Kind
from netviz.ops import table_layers, table_tensors
from netviz.ops.computations import PASSIVE
from netviz.ops.record import Attrs, Axis, Computes, From, Op, Shape, TensorArg
from netviz.ops.shapes import LayerShapeError
from netviz.text import one_line

__all__ = [
    "OPS", "Attrs", "Axis", "Computes", "From", "LayerShapeError", "Op", "Shape", "TensorArg",
    "aten_op", "KIND_WORDS", "canonical", "entries", "has_trait", "trait_name", "kind_of",
    "long_name", "lookup", "macs", "module_op", "op_label", "recognize", "short_name", "symbol",
]

OPS: tuple[Op, ...] = (*table_layers.OPS, *table_tensors.OPS)
"""Every entry of the table."""


def _index() -> tuple[dict[str, Op], dict[str, Op], dict[str, Op], dict[str, str]]:
    by_module: dict[str, Op] = {}
    by_call: dict[str, Op] = {}
    by_aten: dict[str, Op] = {}
    aliases: dict[str, str] = {}
    for op in OPS:
        if not (op.modules or op.calls or op.aten):
            by_module[op.key] = op  # only recognised by what it computes or does: its key
        for index, names in ((by_module, op.modules), (by_call, op.calls), (by_aten, op.aten)):
            for name in names:
                if name in index:
                    raise ValueError(f"op table: {name!r} is in {index[name].key!r} and {op.key!r}")
                index[name] = op
        for alias in op.aliases:
            aliases[alias] = op.calls[0]
    return by_module, by_call, by_aten, aliases


_BY_MODULE, _BY_CALL, _BY_ATEN, _ALIASES = _index()


def lookup(type_name: str) -> Op | None:
    """The entry of an op as the IR names it (a layer class or a call), or ``None``."""
    return _BY_MODULE.get(type_name) or _BY_CALL.get(type_name)


def module_op(class_name: str, module: str) -> Op | None:
    """The entry of a layer class ``class_name`` defined in module ``module``, if the table
    has one from there (a class of the same name elsewhere is another op)."""
    op = _BY_MODULE.get(class_name)
    return op if op is not None and module.startswith(op.origin) else None


def aten_op(packet: str, overload: str = "default") -> Op | None:
    """The entry of an aten op (``"addmm"``, overload ``"default"``), or ``None``."""
    return _BY_ATEN.get(f"{packet}.{overload}") or _BY_ATEN.get(packet)


def canonical(name: str) -> str:
    """The name a call is recorded under: ``"concat"`` → ``"cat"``; others unchanged."""
    return _ALIASES.get(name, name)


def kind_of(type_name: str) -> Kind:
    """Map an op name (``"Conv2d"``, ``"add"``, ``"view"``) to its kind.

    Unknown names are ``Kind.OTHER``: drawn as a plain rectangle with their name.
    """
    op = lookup(type_name)
    return op.kind if op is not None else Kind.OTHER


def has_trait(type_name: str, trait: str) -> bool:
    """Whether the op named ``type_name`` has ``trait`` (``"softmax"``, ``"product"``...)."""
    op = lookup(type_name)
    return op is not None and trait in op.traits


def symbol(type_name: str) -> str | None:
    """The one-character text of an arithmetic op (``"add"`` → ``"+"``), else ``None``."""
    op = lookup(type_name)
    return op.symbol if op is not None else None


def op_label(type_name: str, attrs: Mapping[str, object]) -> str | None:
    """The box text the table gives an op from its attributes (``MHA 12h 768D``), if any."""
    op = lookup(type_name)
    if op is None or op.label is None:
        return None
    return one_line(op.label(attrs))


_RANK = re.compile(r"([123])d$")


@cache
def long_name(type_name: str) -> str:
    """Readable op name: ``"BatchNorm2d"`` → ``"BatchNorm"``, ``"relu"`` → ``"ReLU"``,
    ``"roll"`` → ``"Roll"`` (unknown lower-case function names are capitalised)."""
    op = lookup(type_name)
    if op is not None and op.name is not None:
        return one_line(op.name)
    base = _RANK.sub("", type_name)
    if re.fullmatch(r"[a-z][a-z0-9_]*", base):
        base = base[:1].upper() + base[1:]
    return one_line(base)


@cache
def short_name(type_name: str) -> str:
    """Short op name for labels and marks: as [`long_name`][netviz.ops.long_name], with
    norms abbreviated (``"BatchNorm2d"`` → ``"BN"``)."""
    op = lookup(type_name)
    if op is not None and op.short is not None:
        return one_line(op.short)
    return long_name(type_name)


KIND_WORDS: Mapping[Kind, str] = {
    Kind.CONV: "Conv", Kind.LINEAR: "Linear", Kind.UPSAMPLE: "Upsample", Kind.SPLIT: "Split",
    Kind.ADD: "Add",
}
"""The word a kind's own label starts with, whatever op of that kind it is (``Linear 10C``
for ``nn.Linear``, ``F.linear`` and ``nn.Bilinear``; ``ConvT`` for a transposed conv)."""


def trait_name(trait: str) -> str:
    """The readable name of the (first) op with ``trait``: ``"batch_norm"`` → ``"BatchNorm"``."""
    op = next(op for op in OPS if trait in op.traits)
    return op.name or long_name((op.modules or op.calls)[0])


def recognize(names: Iterable[str], scalar: bool | None = None, *,
              only: bool = True, trait: str | None = None) -> Op | None:
    """The entry a module is drawn as, from the ops its forward calls.

    Args:
        names: The names of those ops, as the IR records them (``"pow"``, ``"rsqrt"``).
        scalar: Whether one of them had a number operand; ``None``: unknown (a
            signature requiring either never matches).
        only: Match signatures of whole modules (``True``: the module *is* the op)
            or of ops found among others (``False``: a rotation inside attention).
        trait: Only entries with this trait (``"rotary"``).

    Examples:
        >>> recognize(["to", "pow", "mean", "add", "rsqrt", "mul"]).key
        'rms_norm'
        >>> recognize(["addmm", "view"]).key, recognize(["conv2d", "relu"])
        ('linear', None)
    """
    changed = frozenset(n for n in names if _changes_values(n))
    return _recognized(changed, scalar, only, trait)


@cache
def _changes_values(name: str) -> bool:
    """Whether the op ``name`` changes values (not passive, a reshape or a dropout)."""
    return name not in PASSIVE and kind_of(name) not in (Kind.RESHAPE, Kind.DROPOUT)


@cache
def _recognized(changed: frozenset[str], scalar: bool | None, only: bool,
                trait: str | None) -> Op | None:
    """``recognize`` on the names that change values (a deep model asks again for every
    repeat of a block; ``OPS`` is a constant table)."""
    for op in OPS:
        if trait is not None and trait not in op.traits:
            continue
        if any(sig.only == only and sig.matches(changed, scalar) for sig in op.computes):
            return op
    return None


def entries() -> Iterator[Op]:
    """Every entry, in table order."""
    return iter(OPS)


def macs(type_name: str, attrs: Attrs, inputs: tuple[Shape, ...], output: Shape | None) -> int:
    """Multiply-accumulates of one call of ``type_name`` by its MAC rule (0 for ops the
    table does not know: the tracer counts those at the dispatch level instead)."""
    op = lookup(type_name)
    return max(int(op.macs(attrs, inputs, output)), 0) if op is not None else 0

