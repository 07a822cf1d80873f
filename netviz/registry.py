"""The model registry: names, default input shapes, and loading model specs.

A model *spec* is one of:

- a registered name, e.g. ``"wrn28_2"`` (see [`list_models`][netviz.registry.list_models]);
- ``"package.module:attr"``: imports that module;
- ``"path/to/file.py:attr"``: loads that one file (nothing else on its path);
- ``hf:CLASS``, a transformers model class with its default configuration, or a
  checkpoint folder (its ``config.json``): see [`netviz.huggingface`][netviz.huggingface];
- an ``nn.Module`` instance.

``attr`` may be an ``nn.Module`` subclass or a builder taking no required
arguments (both called on the target device), or a module instance (used as is).
A class or builder (a registered name too) may be followed by literal arguments,
as in ``"netviz_models.mdnc:BlockPlain2d(16, 32, stride=2)"`` or
``"wrn28_2(num_classes=100)"``: they are read with ``ast.literal_eval``, never run.

Built-in models register themselves with [`register_model`][netviz.registry.register_model]
in modules named by the ``netviz.models`` entry-point group; a third-party
package declares the same group to add its own. Nothing here imports torch at
module level.

Examples:
    >>> from netviz.registry import list_models, load_model
    >>> list_models("wrn*")
    ['wrn16_4', 'wrn28_2', 'wrn28_10', 'wrn40_2']
    >>> load_model("wrn28_2").input_shapes
    ((3, 32, 32),)
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from netviz._spec_import import (
    DOTTED,
    CallArgs,
    bind_args,
    check_no_required_args,
    first_line,
    get_attr,
    import_file,
    import_module,
    split_call,
)
from netviz.dtypes import check_dtypes
from netviz.huggingface.specs import hf_spec
from netviz.inputs import Fill, InputValue, NamedInput, named_inputs
from netviz.errors import (
    InputShapeError,
    ModelSpecError,
    NetvizError,
    NetvizWarning,
    UnknownModelError,
    warn,
)
from netviz.ir import Shape
from netviz.loaded import LoadedModel

if TYPE_CHECKING:
    from torch import nn

__all__ = [
    "ENTRY_POINT_GROUP",
    "LoadedModel",
    "ModelEntry",
    "get_entry",
    "list_models",
    "load_model",
    "natural_key",
    "register_model",
]

ENTRY_POINT_GROUP = "netviz.models"
"""Entry-point group whose modules register models when imported."""

Builder = Callable[[], "nn.Module"]
F = TypeVar("F", bound=Callable[..., Any])



@dataclass(frozen=True)
class ModelEntry:
    """One registered model.

    Attributes:
        name: Registry name, e.g. ``"wrn28_2"``.
        builder: Callable with no required arguments returning the ``nn.Module``.
        input_shapes: Default input shapes without the batch dimension, one per input.
        description: One-line description shown by ``netviz list``.
        input_dtypes: Default dtype name per input (``("int64",)`` for token ids);
            ``None``: the model's floating dtype.
    """

    name: str
    builder: Builder
    input_shapes: tuple[Shape, ...]
    description: str
    input_dtypes: tuple[str, ...] | None = None

    def build(self, device: str = "meta") -> nn.Module:
        """Build the model under ``with torch.device(device)`` (meta: no weights allocated;
        a builder that fails there is built on the CPU)."""
        return _call_builder(self.name, self.builder, device)


_REGISTRY: dict[str, ModelEntry] = {}
_discovered = False
_DISCOVERY = threading.RLock()
"""Held while the entry points are imported: the registry is filled once, and a thread
asking for a model meanwhile waits for the whole list instead of reading half of it."""


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders digit runs by value: ``resnet18 < resnet50 < resnet101``."""
    parts = re.split(r"(\d+)", name)
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in parts if p)


def _normalize_shapes(value: Any, what: str) -> tuple[Shape, ...]:
    """Turn one shape or a sequence of shapes into a tuple of int tuples."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise InputShapeError(f"{what}: expected a shape like (3, 32, 32), got {value!r}")
    items = [value] if all(isinstance(d, int) for d in value) else list(value)
    shapes: list[Shape] = []
    for item in items:
        if (
            isinstance(item, (str, bytes))
            or not isinstance(item, Sequence)
            or not item
            or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in item)
        ):
            raise InputShapeError(
                f"{what}: every input shape must be positive integers like (3, 32, 32), "
                f"got {item!r}"
            )
        shapes.append(tuple(item))
    return tuple(shapes)


def register_model(
    name: str,
    *,
    input_shape: Shape | Sequence[Shape],
    description: str,
    input_dtype: str | Sequence[str] | None = None,
) -> Callable[[F], F]:
    """Decorator registering a model class or builder under ``name``.

    Args:
        name: Unique registry name (letters, digits, ``_``, ``-``, ``.``).
        input_shape: Default input shape without the batch dimension, e.g.
            ``(3, 32, 32)``, or a tuple of shapes for a model with several inputs.
        description: One line shown by ``netviz list``.
        input_dtype: Default input dtype (``"int64"`` for token ids), or one per
            input; ``None``: the model's floating dtype.

    Returns:
        The decorator; it returns the builder unchanged.

    Raises:
        ValueError: ``name`` or ``input_shape`` is malformed, or ``name`` is already
            registered to another builder.

    Examples:
        >>> @register_model("tiny", input_shape=(3, 8, 8), description="a tiny net")
        ... def tiny(): ...
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", name or ""):
        raise ValueError(f"invalid model name {name!r}: use letters, digits, '_', '-', '.'")
    try:
        shapes = _normalize_shapes(input_shape, f"model {name!r}")
        dtypes = check_dtypes(
            [input_dtype] * len(shapes) if isinstance(input_dtype, str) else input_dtype,
            len(shapes),
        )
    except NetvizError as exc:
        raise ValueError(f"model {name!r}: {exc}") from None
    line = " ".join(description.split())

    def decorator(builder: F) -> F:
        old = _REGISTRY.get(name)
        if old is not None and _origin(old.builder) != _origin(builder):
            raise ValueError(
                f"model name {name!r} is already registered by "
                f"{old.builder.__module__}.{old.builder.__qualname__}"
            )
        # The same definition seen again (a file spec re-run, a reload) replaces its entry.
        _REGISTRY[name] = ModelEntry(name, builder, shapes, line, dtypes)
        return builder

    return decorator


def _origin(obj: Any) -> tuple[str, str]:
    """Where ``obj`` is defined: (source file, qualified name); stable across re-imports."""
    code = getattr(obj, "__code__", None)
    if code is not None:
        source = code.co_filename
    else:
        module = sys.modules.get(getattr(obj, "__module__", ""), None)
        source = getattr(module, "__file__", None) or getattr(obj, "__module__", "?")
    try:
        source = str(Path(source).resolve())
    except (OSError, ValueError):
        pass
    return source, getattr(obj, "__qualname__", repr(obj))


def _discover() -> None:
    """Import every module of the ``netviz.models`` entry-point group once (under a lock:
    several threads may ask at once; a module that asks again while it is imported gets
    the models registered so far)."""
    global _discovered
    if _discovered:
        return
    with _DISCOVERY:
        if _discovered or _DISCOVERING.get():
            return
        token = _DISCOVERING.set(True)
        try:
            _load_entry_points()
        finally:
            _DISCOVERING.reset(token)
        _discovered = True


_DISCOVERING: ContextVar[bool] = ContextVar("netviz_discovering", default=False)


def _load_entry_points() -> None:
    from importlib.metadata import entry_points

    seen: set[str] = set()
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        if ep.value in seen:
            continue
        seen.add(ep.value)
        try:
            ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plug-in must not break netviz
            warn(
                f"cannot load models from {ep.value!r} (entry point {ep.name!r}): "
                f"{type(exc).__name__}: {first_line(exc)}",
                NetvizWarning,
                stacklevel=2,
            )


def list_models(pattern: str | None = None) -> list[str]:
    """Registered model names, naturally sorted.

    Args:
        pattern: Optional shell-style pattern (``fnmatch``), e.g. ``"resnet*"``, in any case.

    Returns:
        Matching names: ``wrn16_4 < wrn28_2 < wrn28_10``.
    """
    _discover()
    names = list(_REGISTRY)
    if pattern is not None:
        names = [n for n in names if fnmatch.fnmatchcase(n.casefold(), pattern.casefold())]
    return sorted(names, key=natural_key)


def get_entry(name: str) -> ModelEntry:
    """The registry entry called ``name``; any case matches when only one name does.

    Raises:
        UnknownModelError: No such model; the message lists close matches.
    """
    _discover()
    entry = _REGISTRY.get(name) or _REGISTRY.get(_any_case(name))
    if entry is None:
        raise UnknownModelError(_unknown_message(name))
    return entry


def _any_case(name: str) -> str:
    """The registered name that equals ``name`` but for case (``WRN28_2``), if exactly one does."""
    same = [n for n in _REGISTRY if n.casefold() == name.casefold()]
    return same[0] if len(same) == 1 else name


def _unknown_message(name: str) -> str:
    by_lower = {n.lower(): n for n in sorted(_REGISTRY, key=natural_key)}
    close = [by_lower[n] for n in difflib.get_close_matches(name.lower(), list(by_lower), n=3)]
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    return f"unknown model {name!r}{hint} (run 'netviz list' to see all models)"


def load_model(
    spec: Any,
    input_shapes: Sequence[Shape] | Shape | None = None,
    *,
    device: str = "meta",
    input_dtypes: Sequence[str] | None = None,
    inputs: Mapping[str, InputValue] | Sequence[NamedInput | str] | None = None,
    trust_remote_code: bool = False,
) -> LoadedModel:
    """Resolve a model spec and build the model under ``with torch.device(device)``.

    A builder that fails on the meta device (one that computes its layer widths
    with tensor ops, ``.item()``, ``.tolist()``: meta tensors hold no values) is
    built again on the CPU, with real weight initialisation: slower and heavier
    for big models, but nothing is ever downloaded.

    Args:
        spec: A registered name, ``"package.module:attr"``, ``"path/file.py:attr"``
            (each optionally with literal call arguments, ``"pkg.mod:Block(16, 32)"``),
            ``"hf:CLASS"`` or a transformers checkpoint folder, or an ``nn.Module``
            instance.
        input_shapes: Input shapes without the batch dimension, fed positionally;
            they replace the model's own inputs. Default: the registered shapes, else
            an ``input_shape`` attribute of the model, else (transformers models) the
            inputs made from the model.
        device: Device to build on; ``"meta"`` allocates no weights.
        input_dtypes: Dtype name per positional input (``"int64"``); default: the
            registered ones, else an ``input_dtype`` attribute of the model, else the
            model's floating dtype.
        inputs: Keyword inputs (see [`netviz.inputs`][netviz.inputs]): each replaces
            the model's own input of that name, or is fed besides them. An input
            without a dtype keeps the dtype of the input it replaces.
        trust_remote_code: Let a checkpoint folder's own modeling code run (its
            ``config.json`` names it in ``auto_map``), as transformers' flag does.

    Returns:
        The [`LoadedModel`][netviz.loaded.LoadedModel].

    Raises:
        UnknownModelError: ``spec`` names no registered model.
        ModelSpecError: The spec is malformed or cannot be imported or built.
        InputShapeError: No input shape is known, the given one is malformed, the
            number of dtypes does not match the inputs, or a keyword input names no
            parameter of the forward.
        UsageError: An unknown dtype name, or malformed keyword inputs.
    """
    named = named_inputs(inputs)
    loaded = _load(spec, input_shapes, device, trust_remote_code)
    if not loaded.input_shapes and is_transformers_model(loaded.module):
        from netviz.huggingface.models import with_model_inputs

        loaded = with_model_inputs(loaded)
    if not loaded.input_shapes and not named:
        what = repr(spec) if isinstance(spec, str) else repr(type(spec).__name__)
        raise InputShapeError(
            f"no input shape known for model {what}; pass --input-shape C,H,W "
            "or --input NAME=D1,D2[:DTYPE] (input_shapes=... or inputs=... in Python)"
        )
    dtypes = input_dtypes if input_dtypes is not None else (
        loaded.input_dtypes or _dtype_attr(loaded.module))
    loaded = replace(loaded, input_dtypes=check_dtypes(dtypes, len(loaded.input_shapes)))
    return with_keyword_inputs(loaded, named) if named else loaded


def _dtype_attr(module: Any) -> tuple[str, ...] | None:
    value = getattr(module, "input_dtype", None)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _load(
    spec: Any, input_shapes: Sequence[Shape] | Shape | None, device: str,
    trust_remote_code: bool = False,
) -> LoadedModel:
    from torch import nn

    given = None if input_shapes is None else _normalize_shapes(input_shapes, "input shape")
    if isinstance(spec, nn.Module):
        shapes = given or _shape_attr((spec,), repr(type(spec).__name__))
        return LoadedModel(type(spec).__name__, spec, shapes, "", lambda device: spec)
    if not isinstance(spec, str) or not spec.strip():
        what = repr(spec) if isinstance(spec, str) else f"of type {type(spec).__name__}"
        raise ModelSpecError(
            f"invalid model spec {what}: expected a model name, 'package.module:attr', "
            "'path/to/file.py:attr', 'hf:CLASS', a transformers checkpoint folder or an "
            "nn.Module"
        )
    spec = spec.strip()
    hf = hf_spec(spec)
    if hf is not None:
        from netviz.huggingface.models import load_transformers

        loaded = load_transformers(hf, device, trust_remote_code=trust_remote_code)
        if given:  # positional inputs instead of the model's own
            return replace(loaded, input_shapes=given, input_dtypes=None, input_names=None,
                           input_fills=None)
        return loaded
    name, call = split_call(spec)
    if ":" not in name:
        return _load_name(spec, name, given, device, call)
    target, _, attr_path = name.rpartition(":")
    if not target or not DOTTED.match(attr_path):
        raise ModelSpecError(
            f"malformed model spec {spec!r}: expected 'package.module:attr' or 'path/to/file.py:attr'"
        )
    if target.endswith(".py") or "/" in target or os.sep in target:
        module = import_file(spec, target)
    elif DOTTED.match(target):
        module = import_module(spec, target)
    else:
        raise ModelSpecError(
            f"malformed model spec {spec!r}: {target!r} is neither a module path nor a .py file"
        )
    attr = get_attr(spec, module, attr_path, target)
    return _load_attr(spec, attr, attr_path, given, device, call)


def _load_name(
    spec: str, name: str, given: tuple[Shape, ...] | None, device: str, call: CallArgs | None
) -> LoadedModel:
    _discover()
    if name not in _REGISTRY and (name.endswith(".py") or "/" in name or _looks_dotted(name)):
        folder = " (a transformers checkpoint folder holds a config.json)" if os.path.isdir(
            name) else ""
        raise ModelSpecError(
            f"malformed model spec {name!r}: name the model inside it as "
            f"'{name}:attr' (a class, builder or instance), or use a registered name{folder}"
        )
    entry = get_entry(name)
    builder = bind_args(spec, entry.builder, call)
    module = _call_builder(spec, builder, device)
    return LoadedModel(entry.name, module, given or entry.input_shapes, entry.description,
                       lambda dev: _call_builder(spec, builder, dev),
                       None if given else entry.input_dtypes)


def _looks_dotted(name: str) -> bool:
    return "." in name and bool(DOTTED.match(name))


def _load_attr(
    spec: str,
    attr: Any,
    attr_path: str,
    given: tuple[Shape, ...] | None,
    device: str,
    call: CallArgs | None = None,
) -> LoadedModel:
    from torch import nn

    origin = _origin(attr) if callable(attr) else None
    entry = next((e for e in _REGISTRY.values() if _origin(e.builder) == origin), None)
    if isinstance(attr, nn.Module):
        if call is not None:
            raise ModelSpecError(
                f"cannot load model spec {spec!r}: {attr_path!r} is a module instance, "
                "not a class or builder to call with arguments"
            )
        shapes = given or _shape_attr((attr,), repr(spec))
        return LoadedModel(attr_path.rsplit(".", 1)[-1], attr, shapes, "", lambda dev: attr)
    if isinstance(attr, type) and not issubclass(attr, nn.Module):
        raise ModelSpecError(
            f"cannot load model spec {spec!r}: class {attr.__name__!r} is not an nn.Module"
        )
    if not callable(attr):
        raise ModelSpecError(
            f"cannot load model spec {spec!r}: {attr_path!r} is not an nn.Module class, "
            f"builder or instance (it is of type {type(attr).__name__})"
        )
    builder = bind_args(spec, attr, call)
    check_no_required_args(spec, builder)
    module = _call_builder(spec, builder, device)
    dtypes = None
    if entry is not None:
        shapes = given or entry.input_shapes
        name, description = entry.name, entry.description
        dtypes = None if given else entry.input_dtypes
    else:
        shapes = given or _shape_attr((attr, module), repr(spec))
        name = attr.__name__ if isinstance(attr, type) else attr_path.rsplit(".", 1)[-1]
        description = ""
    return LoadedModel(name, module, shapes, description,
                       lambda dev: _call_builder(spec, builder, dev), dtypes)


def _call_builder(spec: str, builder: Callable[[], Any], device: str) -> nn.Module:
    """Build on ``device``; a builder failing on meta is built again on meta with values
    (it computes with constants: see [`building_on`][netviz.building.building_on]), then
    on the CPU."""
    from torch import nn

    from netviz.building import building_on

    attempts = [(device, False)] + ([("meta", True), ("cpu", False)] if device == "meta" else [])
    first: BaseException | None = None
    for where, values in attempts:
        try:
            with building_on(where, values=values):
                module = builder()
            break
        except BaseException as exc:  # noqa: BLE001 - user code may raise anything
            if isinstance(exc, (KeyboardInterrupt, NetvizError)):
                raise
            first = first or exc
            if where == "cpu" or device != "meta":
                message = f"cannot build model {spec!r}: {type(exc).__name__}: {first_line(exc)}"
                on_meta = f"{type(first).__name__}: {first_line(first)}"
                if first is not exc and on_meta not in message:
                    message += f" (on the meta device: {on_meta})"
                raise ModelSpecError(message) from None
    if not isinstance(module, nn.Module):
        raise ModelSpecError(
            f"cannot build model {spec!r}: the builder returned an object of type "
            f"{type(module).__name__}, not an nn.Module"
        )
    return module


def _shape_attr(sources: tuple[Any, ...], what: str) -> tuple[Shape, ...]:
    """The ``input_shape`` attribute of the first source that has one; ``()`` when none has
    (``load_model`` then makes a transformers model's inputs, or says what to pass)."""
    for source in sources:
        value = getattr(source, "input_shape", None)
        if value is not None and not callable(value):
            return _normalize_shapes(value, f"input_shape of {what}")
    return ()


def is_transformers_model(module: Any) -> bool:
    """Whether ``module`` is a transformers ``PreTrainedModel`` (without importing
    transformers: a model of its classes has imported it)."""
    transformers = sys.modules.get("transformers")
    base = getattr(transformers, "PreTrainedModel", None) if transformers else None
    return isinstance(base, type) and isinstance(module, base)


def with_keyword_inputs(loaded: LoadedModel, named: Sequence[NamedInput]) -> LoadedModel:
    """``loaded`` fed the keyword inputs ``named`` too.

    Each replaces the model's own input of that name (a positional one when it is the
    forward parameter at that position), keeping its dtype unless it gives one; the
    others are fed after the model's own inputs.

    Raises:
        InputShapeError: The forward takes no parameter of that name.
    """
    import inspect

    try:
        params = dict(inspect.signature(loaded.module.forward).parameters)
    except (TypeError, ValueError):
        params = {}
    open_ended = any(p.kind is p.VAR_KEYWORD for p in params.values())
    positional = [n for n, p in params.items() if p.kind in (p.POSITIONAL_ONLY,
                                                             p.POSITIONAL_OR_KEYWORD)]
    count = len(loaded.input_shapes)
    names = list(loaded.input_names or (None,) * count)
    shown = [n if n is not None else (positional[i] if i < len(positional) else None)
             for i, n in enumerate(names)]
    shapes = list(loaded.input_shapes)
    dtypes: list[str | None] = list(loaded.input_dtypes or (None,) * count)
    fills: list[Fill | None] = list(loaded.input_fills or (None,) * count)
    for item in named:
        if item.name not in params and not open_ended:
            takes = ", ".join(n for n, p in params.items()
                              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
            raise InputShapeError(
                f"{loaded.name} takes no input named {item.name!r} (its forward takes: {takes})"
            )
        if item.name in shown:
            at = shown.index(item.name)
            shapes[at] = item.shape
            dtypes[at] = item.dtype or dtypes[at]
            fills[at] = item.fill  # the given input replaces the model's, values included
        else:
            names.append(item.name)
            shown.append(item.name)
            shapes.append(item.shape)
            dtypes.append(item.dtype)
            fills.append(item.fill)
    if any(d is None for d in dtypes):
        default = _float_name(loaded.module)
        dtypes = [d or default for d in dtypes]
    return replace(loaded, input_shapes=tuple(shapes), input_dtypes=tuple(str(d) for d in dtypes),
                   input_names=tuple(names) if any(n is not None for n in names) else None,
                   input_fills=tuple(fills) if any(fills) else None)


def _float_name(module: Any) -> str:
    """The model's floating dtype by name (``float32`` when it has no float weight)."""
    for param in module.parameters():
        if param.is_floating_point():
            return str(param.dtype).removeprefix("torch.")
    return "float32"
