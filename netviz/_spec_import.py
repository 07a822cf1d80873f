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

import difflib
import hashlib
import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from netviz.errors import ModelSpecError

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
DOTTED = re.compile(rf"{_IDENT}(\.{_IDENT})*\Z")
"""A dotted Python name such as ``package.module`` or ``Outer.attr``."""


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
