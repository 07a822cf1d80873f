"""Cache keys: what a trace request is, and the software that answers it.

A key is the SHA-256 of a JSON list of everything a result depends on besides the
source files: the kind of result, the [`environment`][netviz.cache.keys.environment]
(netviz's and torch's versions, the IR schema, the Python and the installation
that ran) and the request. Nothing here imports torch: its version comes from its
installed metadata.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netviz.cache.arguments import canonical_arguments, is_dim
from netviz.errors import NetvizError
from netviz.huggingface.specs import hf_spec, identity
from netviz.inputs import InputValue, NamedInput
from netviz.ir import Shape


def torch_version() -> str:
    """torch's installed version (read from its metadata; torch is not imported)."""
    return installed_version("torch")


@functools.lru_cache(maxsize=None)
def installed_version(package: str) -> str:
    """An installed distribution's version, from its metadata (looked up once per process:
    a package that is upgraded under a running process is not what that process runs).

    The version is read from the name of the first ``<name>-<version>.dist-info`` folder
    on ``sys.path`` (what ``importlib.metadata`` finds first too, without importing it:
    a fifth of a warm render); other layouts ask ``importlib.metadata``.
    """
    prefix = re.sub(r"[-_.]+", "_", package).lower() + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and name.lower().startswith(prefix):
                return name[len(prefix) : -len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def netviz_identity() -> list[str]:
    """netviz's version and where this netviz lives (two checkouts of one version differ)."""
    from netviz import _version

    return [_version.__version__, str(Path(_version.__file__).resolve().parent)]


def environment() -> dict[str, Any]:
    """The software a trace depends on, besides the model's own files."""
    from netviz.ir.serialize import schema_fingerprint

    return {
        "netviz": netviz_identity(),
        "torch": torch_version(),
        "ir": schema_fingerprint(),
        "python": list(sys.version_info[:2]),
        "prefix": sys.prefix,
    }


def digest(*parts: Any) -> str:
    """The key of ``parts`` (JSON values; anything else is written as ``str``)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def options_of(options: Any) -> dict[str, Any]:
    """A dataclass of options as a plain dict, every field included."""
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}


@dataclass(frozen=True)
class TraceRequest:
    """Everything a raw trace depends on besides the software and the model's files.

    Each field is part of the cache key; a new trace option is one more field here.

    Attributes:
        spec: The model spec (a string, or an ``nn.Module``, which is never cached).
        input_shapes: Input shapes without the batch dimension; ``None``: the model's own.
        input_dtypes: Input dtypes by name (``"float16"``); ``None``: the default.
        train: Trace in training mode instead of eval mode.
        inputs: Keyword inputs (``input_ids=64:int64``); ``None``: the model's own.
        trust_remote_code: Let a checkpoint folder's own modeling code run.
    """

    spec: Any
    input_shapes: tuple[Shape, ...] | None = None
    input_dtypes: tuple[str, ...] | None = None
    train: bool = False
    inputs: tuple[NamedInput, ...] | None = None
    trust_remote_code: bool = False

    @classmethod
    def of(
        cls,
        spec: Any,
        input_shapes: Sequence[Shape] | Shape | None = None,
        *,
        input_dtypes: Sequence[Any] | None = None,
        train: bool = False,
        inputs: Mapping[str, InputValue] | Sequence[NamedInput | str] | None = None,
        trust_remote_code: bool = False,
    ) -> TraceRequest:
        """A request from the public API's arguments (shapes as tuples, dtypes by their
        canonical names: ``"long"`` and ``torch.int64`` are both ``"int64"``).

        Raises:
            UsageError: An unknown dtype, or malformed keyword inputs.
        """
        return cls(*canonical_arguments(spec, input_shapes, input_dtypes=input_dtypes, train=train,
                                        inputs=inputs, trust_remote_code=trust_remote_code))

    def key(self) -> str | None:
        """The cache key, or ``None`` when this request is not cached (a module
        instance, malformed shapes, a file spec naming no file: errors are never cached)."""
        spec = spec_identity(self.spec)
        if spec is None or not _well_formed(self.input_shapes):
            return None
        fields = options_of(self)
        fields["spec"] = spec
        fields["inputs"] = [i.text() for i in self.inputs] if self.inputs is not None else None
        return digest("trace", environment(), fields)


def spec_identity(spec: Any) -> dict[str, Any] | None:
    """What a string spec names, independent of how it was written; ``None``: not cached.

    A registered name is itself; a file spec is its resolved path and attribute; a
    module spec also depends on where modules are found (``sys.path``, the working
    directory); a transformers spec on transformers' version and the configuration
    (a checkpoint folder's ``config.json`` by content).
    """
    if not isinstance(spec, str) or not spec.strip():
        return None
    spec = spec.strip()
    try:
        hf = hf_spec(spec)
    except NetvizError:
        return None
    if hf is not None:
        return {"transformers": installed_version("transformers"), **identity(hf)}
    if ":" not in spec:
        return {"name": spec}
    target, _, attr = spec.rpartition(":")
    if target.endswith(".py") or "/" in target or os.sep in target:
        path = Path(target).expanduser()
        return {"file": str(path.resolve()), "attr": attr} if path.is_file() else None
    return {"module": target, "attr": attr, "cwd": os.getcwd(), "path": list(sys.path)}


def _well_formed(shapes: Any) -> bool:
    return shapes is None or (
        isinstance(shapes, tuple)
        and bool(shapes)
        and all(isinstance(s, tuple) and s and all(is_dim(d) for d in s) for s in shapes)
    )
