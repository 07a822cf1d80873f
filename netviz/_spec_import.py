"""Importing the module or file a model spec names, with one-line errors.

Used by [`netviz.registry.load_model`][netviz.registry.load_model] for
``package.module:attr`` and ``path/to/file.py:attr`` specs. Only what the user
named is imported: a module spec imports that module (the working directory is
searchable during the import, as with ``python -m``); a file spec runs that one
file as ``python file.py`` would, with its folder first on ``sys.path`` while it
loads (so ``from blocks import WIDTH`` finds a sibling ``blocks.py``). Any exception raised by user code,
even ``SystemExit``, becomes a [`ModelSpecError`][netviz.errors.ModelSpecError].
"""

from __future__ import annotations

import ast
import difflib
import functools
import hashlib
import importlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from netviz.errors import ModelSpecError

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
DOTTED = re.compile(rf"{_IDENT}(\.{_IDENT})*\Z")
"""A dotted Python name such as ``package.module`` or ``Outer.attr``."""


@dataclass(frozen=True)
class CallArgs:
    """Literal arguments written after a spec's model, as in ``"pkg.mod:Block(16, 32, stride=2)"``.

    Attributes:
        args: Positional arguments.
        kwargs: Keyword arguments, as ``(name, value)`` pairs in the written order.
    """

    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


def split_call(spec: str) -> tuple[str, CallArgs | None]:
    """Split ``"target(arg, ..., key=value)"`` into the target and its literal arguments.

    The arguments are Python literals only (numbers, strings, tuples, lists, dicts,
    ``True``, ``False``, ``None``), read with ``ast.literal_eval``: nothing is run.

    Returns:
        ``(spec, None)`` when ``spec`` does not end with a call.

    Raises:
        ModelSpecError: The call is malformed or an argument is not a literal.

    Examples:
        >>> split_call("netviz_models.mdnc:BlockPlain2d(16, 32, stride=(1, 2))")
        ('netviz_models.mdnc:BlockPlain2d', CallArgs(args=(16, 32), kwargs=(('stride', (1, 2)),)))
        >>> split_call("wrn28_2")
        ('wrn28_2', None)
    """
    text = spec.strip()
    start = text.find("(")
    if start < 0 or not text.endswith(")"):
        return spec, None
    target = text[:start].strip()
    try:
        call = ast.parse(f"f{text[start:]}", mode="eval").body
    except SyntaxError:
        call = None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise ModelSpecError(
            f"malformed model spec {spec!r}: write its arguments as a call, "
            "e.g. 'pkg.mod:Block(16, 32, stride=2)'"
        )
    try:
        args = tuple(_literal(arg) for arg in call.args)
        kwargs = tuple((kw.arg or "**", _literal(kw.value)) for kw in call.keywords)
    except ValueError as exc:
        raise ModelSpecError(
            f"malformed model spec {spec!r}: argument {exc} is not a Python literal "
            "(numbers, strings, tuples, lists, dicts, True, False, None)"
        ) from None
    if any(name == "**" for name, _ in kwargs):
        raise ModelSpecError(f"malformed model spec {spec!r}: '**' arguments are not supported")
    return target, CallArgs(args, kwargs)


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Starred):
        raise ValueError(repr(ast.unparse(node)))
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(repr(ast.unparse(node))) from None


def bind_args(spec: str, fn: Callable[..., Any], call: CallArgs | None) -> Callable[..., Any]:
    """``fn`` with the spec's call arguments bound (checked against its signature)."""
    if call is None:
        return fn
    try:
        inspect.signature(fn).bind_partial(*call.args, **dict(call.kwargs))
    except TypeError as exc:
        raise ModelSpecError(f"cannot load model spec {spec!r}: {first_line(exc)}") from None
    except ValueError:  # no signature to check against: calling it will tell
        pass
    return functools.partial(fn, *call.args, **dict(call.kwargs))


def check_no_required_args(spec: str, fn: Callable[..., Any]) -> None:
    """Raise when ``fn`` still has required parameters (the spec must give them)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    required = [
        p.name
        for p in sig.parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required:
        raise ModelSpecError(
            f"cannot load model spec {spec!r}: it needs argument(s) {', '.join(required)}; "
            "give them in the spec, e.g. 'pkg.mod:Block(16, 32)', or point it at a builder "
            "that takes no required arguments"
        )


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message."""
    text = str(exc).strip().splitlines()
    return text[0] if text else "(no message)"


def import_module(spec: str, target: str) -> ModuleType:
    """Import the module ``target`` named by ``spec``."""
    cwd = os.getcwd()
    added = cwd not in sys.path and "" not in sys.path
    if added:  # like `python -m`: the user's own packages in the working directory
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name and (target == exc.name or target.startswith(exc.name + ".")):
            raise ModelSpecError(
                f"cannot load model spec {spec!r}: no module named {exc.name!r}"
            ) from None
        raise ModelSpecError(
            f"cannot load model spec {spec!r}: importing {target!r} raised "
            f"ModuleNotFoundError: {first_line(exc)}"
        ) from None
    except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ModelSpecError(
            f"cannot load model spec {spec!r}: importing {target!r} raised "
            f"{type(exc).__name__}: {first_line(exc)}"
        ) from None
    finally:
        if added:
            sys.path.remove(cwd)


def import_file(spec: str, target: str) -> ModuleType:
    """Run the file ``target`` named by ``spec`` as a fresh module and return it."""
    path = Path(target).expanduser()
    if path.suffix != ".py":
        raise ModelSpecError(f"malformed model spec {spec!r}: {target!r} is not a .py file")
    if not path.is_file():
        raise ModelSpecError(f"cannot load model spec {spec!r}: no such file {target!r}")
    resolved = path.resolve()
    digest = hashlib.sha1(str(resolved).encode(), usedforsecurity=False).hexdigest()[:12]
    stem = re.sub(r"\W", "_", resolved.stem)
    mod_name = f"_netviz_file_{stem}_{digest}"
    file_spec = importlib.util.spec_from_file_location(mod_name, resolved)
    if file_spec is None or file_spec.loader is None:
        raise ModelSpecError(f"cannot load model spec {spec!r}: {target!r} is not importable")
    module = importlib.util.module_from_spec(file_spec)
    sys.modules[mod_name] = module
    folder = str(resolved.parent)
    sys.path.insert(0, folder)  # as `python file.py`: its siblings are importable
    try:
        file_spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001
        sys.modules.pop(mod_name, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ModelSpecError(
            f"cannot load model spec {spec!r}: running {target!r} raised "
            f"{type(exc).__name__}: {first_line(exc)}"
        ) from None
    finally:
        sys.path.remove(folder)  # the first entry equal to it: the one inserted above
    return module


def get_attr(spec: str, module: Any, attr_path: str, where: str) -> Any:
    """Resolve the dotted ``attr_path`` in ``module`` (shown as ``where`` in errors);
    suggest close names when one is missing."""
    obj = module
    for part in attr_path.split("."):
        if not hasattr(obj, part):
            names = [n for n in dir(obj) if not n.startswith("_")]
            close = difflib.get_close_matches(part, names, n=3)
            hint = f"; did you mean: {', '.join(close)}?" if close else ""
            raise ModelSpecError(
                f"cannot load model spec {spec!r}: {where!r} has no attribute {part!r}{hint}"
            )
        obj = getattr(obj, part)
        where = f"{where}.{part}"
    return obj
