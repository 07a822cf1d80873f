"""IR values as JSON and back, generically, with a fingerprint of the IR's schema.

Every frozen dataclass and enum that [`netviz.ir`][netviz.ir] exports is an *IR
type*. A value is written by walking its dataclass fields (a field left at its
default is omitted), so a field added to the IR needs no change here; the
[`schema_fingerprint`][netviz.ir.serialize.schema_fingerprint] changes with any
field name, type or default, and [`loads`][netviz.ir.serialize.loads] rejects a
document written under another schema. JSON has no tuples: the IR holds no
lists, so every JSON array is read back as a tuple.

Examples:
    >>> from netviz.ir import Graph, Kind, Node
    >>> graph = Graph("g", (Node("x", Kind.INPUT, "input", shape=(3, 8, 8)),), ())
    >>> loads(dumps(graph)) == graph
    True
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from enum import Enum
from typing import Any

import netviz.ir as ir

_PLAIN = frozenset({type(None), bool, int, float, str})
_TYPE = "@"
"""Key naming the IR type of a JSON object; the IR holds no dicts of its own."""


def ir_types() -> dict[str, type]:
    """The IR types by class name: every dataclass and enum in ``netviz.ir.__all__``."""
    found: dict[str, type] = {}
    for name in ir.__all__:
        obj = getattr(ir, name)
        if isinstance(obj, type) and (dataclasses.is_dataclass(obj) or issubclass(obj, Enum)):
            found[obj.__name__] = obj
    return found


def schema_fingerprint() -> str:
    """A short hash of every IR type's field names, types and defaults (enums: members)."""
    lines = []
    for name, cls in sorted(ir_types().items()):
        if issubclass(cls, Enum):
            lines.append(f"{name}: " + ", ".join(f"{m.name}={m.value!r}" for m in cls))
            continue
        if not dataclasses.is_dataclass(cls):
            continue
        described = []
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                default = repr(f.default)
            elif f.default_factory is not dataclasses.MISSING:
                default = "<factory>"
            else:
                default = "<required>"
            described.append(f"{f.name}: {f.type} = {default}")
        lines.append(f"{name}({', '.join(described)})")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def dumps(value: Any) -> bytes:
    """``value`` (a ``Graph``, or any IR value) as compact UTF-8 JSON.

    Raises:
        TypeError: ``value`` holds something that is not an IR value (a list, a dict,
            an object of another type).
    """
    document = {"schema": schema_fingerprint(), "value": _Encoder(ir_types()).encode(value)}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """The value [`dumps`][netviz.ir.serialize.dumps] wrote.

    Raises:
        ValueError: Not such a document, written under another IR schema, or naming
            an unknown IR type or field.
    """
    types = ir_types()

    def restore(obj: dict[str, Any]) -> Any:
        name = obj.pop(_TYPE, None)
        if name is None:
            return obj  # the document wrapper
        cls = types.get(name) if isinstance(name, str) else None
        if cls is None:
            raise ValueError(f"unknown IR type {name!r}")
        try:
            if issubclass(cls, Enum):
                return cls(obj["value"])
            for key, item in obj.items():
                if type(item) is list:
                    obj[key] = _tuples(item)
            return cls(**obj)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed IR value of type {name}: {exc}") from None

    try:
        document = json.loads(data, object_hook=restore)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not an IR document: {exc}") from None
    if not isinstance(document, dict) or set(document) != {"schema", "value"}:
        raise ValueError("not an IR document")
    if document["schema"] != schema_fingerprint():
        raise ValueError("the IR document was written under another IR schema")
    return _tuples(document["value"])


class _Encoder:
    """Turns IR values into JSON values; remembers each type's fields and defaults."""

    def __init__(self, types: dict[str, type]) -> None:
        self._types = types
        self._fields: dict[type, list[tuple[str, Any]]] = {}

    def encode(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is tuple:
            return [item if type(item) in _PLAIN else self.encode(item) for item in value]
        if isinstance(value, Enum):
            return {_TYPE: kind.__name__, "value": value.value}
        if isinstance(value, (bool, int, float, str)):  # subclasses of plain types
            raise TypeError(f"cannot write a {kind.__name__} as an IR value")
        out: dict[str, Any] = {_TYPE: kind.__name__}
        values = vars(value)
        for name, default in self._fields_of(kind):
            item = values[name]
            if type(item) is not type(default) or item != default:
                out[name] = item if type(item) in _PLAIN else self.encode(item)
        return out

    def _fields_of(self, cls: type) -> list[tuple[str, Any]]:
        known = self._fields.get(cls)
        if known is None:
            if self._types.get(cls.__name__) is not cls or not dataclasses.is_dataclass(cls):
                raise TypeError(f"cannot write a {cls.__name__} as an IR value")
            known = [(f.name, f.default) for f in dataclasses.fields(cls)]
            self._fields[cls] = known
        return known


def _tuples(value: Any) -> Any:
    if type(value) is not list:
        return value
    return tuple([_tuples(item) if type(item) is list else item for item in value])
