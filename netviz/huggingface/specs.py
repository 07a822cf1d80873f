"""Which model specs name a transformers model, read without importing torch or transformers.

Two spec forms name one:

- ``hf:CLASS``, e.g. ``hf:GPT2LMHeadModel``: that class of ``transformers`` with its
  default configuration; literal arguments after it change the configuration
  (``hf:LlamaForCausalLM(num_hidden_layers=2)``);
- a checkpoint folder holding a ``config.json``, or that file itself (any ``.json``
  file): the class its ``architectures`` names, else the base model (``AutoModel``)
  of its ``model_type``.

Nothing is downloaded and no weights are read: only the configuration. A
configuration whose ``auto_map`` names modeling code of its own (code in the
checkpoint folder) is refused unless ``trust_remote_code`` is given, as
transformers does.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netviz._spec_import import CallArgs, split_call
from netviz.errors import ModelSpecError

PREFIX = "hf:"
"""The prefix of a spec naming a transformers class."""

CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class HFSpec:
    """A spec naming a transformers model.

    Attributes:
        text: The spec as written.
        class_name: The class of an ``hf:CLASS`` spec; ``""`` for a configuration file.
        config_file: The resolved ``config.json`` (or other ``.json``) path; ``""`` for
            an ``hf:`` spec.
        call: Configuration values written after the class (``hf:CLASS(key=value)``).
    """

    text: str
    class_name: str = ""
    config_file: str = ""
    call: CallArgs | None = None

    @property
    def folder(self) -> str:
        """The checkpoint folder (of the configuration file); ``""`` for an ``hf:`` spec."""
        return str(Path(self.config_file).parent) if self.config_file else ""


def hf_spec(spec: Any) -> HFSpec | None:
    """The transformers model ``spec`` names, or ``None`` when it names none.

    A folder counts when it holds a ``config.json``; a file when its name ends in
    ``.json``. Cheap: a string test and two ``stat`` calls.

    Raises:
        ModelSpecError: A malformed ``hf:`` spec.
    """
    if not isinstance(spec, str):
        return None
    text = spec.strip()
    if text[: len(PREFIX)].lower() == PREFIX:
        target, call = split_call(text[len(PREFIX):].strip())
        name = target.strip()
        if not name.isidentifier():
            raise ModelSpecError(
                f"malformed model spec {spec!r}: write 'hf:CLASS', a transformers model class "
                "such as hf:GPT2LMHeadModel, optionally with configuration values: "
                "hf:LlamaForCausalLM(num_hidden_layers=2)"
            )
        if call is not None and call.args:
            raise ModelSpecError(
                f"malformed model spec {spec!r}: configuration values are keyword arguments "
                "(hf:LlamaForCausalLM(num_hidden_layers=2))"
            )
        return HFSpec(text, class_name=name, call=call)
    if not text or "(" in text or ":" in text.replace(os.sep, "/").split("/")[-1]:
        return None
    path = Path(text).expanduser()
    if path.is_dir() and (path / CONFIG_FILE).is_file():
        return HFSpec(text, config_file=str((path / CONFIG_FILE).resolve()))
    if path.suffix.lower() == ".json" and path.is_file():
        return HFSpec(text, config_file=str(path.resolve()))
    if path.suffix.lower() == ".json":
        raise ModelSpecError(f"cannot load model spec {text!r}: no such file {text!r}")
    return None


def read_config(spec: HFSpec) -> dict[str, Any]:
    """The configuration file of ``spec`` as a dict (no transformers needed).

    Raises:
        ModelSpecError: Unreadable, not JSON, or not a JSON object.
    """
    try:
        text = Path(spec.config_file).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelSpecError(
            f"cannot load model spec {spec.text!r}: {spec.config_file} is not readable JSON "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        ) from None
    if not isinstance(data, dict):
        raise ModelSpecError(
            f"cannot load model spec {spec.text!r}: {spec.config_file} is not a JSON object"
        )
    return data


def check_remote_code(spec: HFSpec, config: dict[str, Any], trust_remote_code: bool) -> None:
    """Refuse a configuration that names its own modeling code, unless trusted.

    Raises:
        ModelSpecError: ``auto_map`` is set and ``trust_remote_code`` is not.
    """
    auto_map = config.get("auto_map")
    if auto_map and not trust_remote_code:
        named = ", ".join(f"{k} -> {v}" for k, v in sorted(auto_map.items())
                          if isinstance(v, str)) if isinstance(auto_map, dict) else str(auto_map)
        raise ModelSpecError(
            f"{spec.config_file} names modeling code of its own (auto_map: {named}); netviz "
            "runs no code from a checkpoint folder unless you pass --trust-remote-code "
            "(trust_remote_code=True in Python), as transformers does"
        )


def identity(spec: HFSpec) -> dict[str, Any]:
    """What a transformers spec depends on, for cache keys: the class and its configuration
    values, or the configuration file's path and content (the cache adds transformers'
    version)."""
    found: dict[str, Any] = {}
    if spec.class_name:
        call = spec.call
        found["hf"] = spec.class_name
        found["config"] = sorted((k, repr(v)) for k, v in call.kwargs) if call else []
        return found
    try:
        content = Path(spec.config_file).read_bytes()
    except OSError:
        content = b""
    found["config_file"] = spec.config_file
    found["config"] = hashlib.sha256(content).hexdigest()
    if b'"auto_map"' in content:  # its own modeling code, copied away by transformers
        folder = Path(spec.folder)
        found["code"] = [
            (path.name, hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(folder.glob("*.py")) if path.is_file()
        ]
    return found


def configurations(config: Any) -> list[Any]:
    """``config`` and its sub-configurations (``text_config``, ``vision_config``...),
    breadth first, each once."""
    found: list[Any] = []
    todo = [config]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        for key in getattr(current, "sub_configs", None) or {}:
            sub = getattr(current, key, None)
            if sub is not None and hasattr(sub, "to_dict"):
                todo.append(sub)
    return found
