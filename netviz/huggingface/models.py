"""Building transformers models from their configurations, offline and without weights.

[`load_transformers`][netviz.huggingface.models.load_transformers] turns an
[`HFSpec`][netviz.huggingface.specs.HFSpec] into a
[`LoadedModel`][netviz.loaded.LoadedModel]: the class and its configuration
(the class's default one, or the checkpoint's ``config.json`` read with
``local_files_only``), a builder that makes the model on any device (meta: no
weights), and the inputs its forward expects
([`model_inputs`][netviz.huggingface.inputs.model_inputs]).

Two choices are made for every model netviz builds, never for a model given as an
instance:

- mixture-of-experts layers compute with transformers' ``batched_mm`` experts
  implementation (``set_experts_implementation``): each token goes through its
  top-k experts with plain batched matrix products, with no data-dependent shape
  (the default ``grouped_mm`` has no float32 meta kernel, and ``eager`` loops over
  the experts a token picked, which needs values);
- a configuration asking for pretrained backbone weights
  (``use_pretrained_backbone``) is told not to: netviz never loads weights;
- no key-value cache (``use_cache``): a single forward from scratch computes the
  same without one, and some hybrid models' caches fail on a first forward.

The model is built in the configuration's ``dtype`` (float32 when it names none).
"""

from __future__ import annotations

import copy
import difflib
import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

from netviz._spec_import import first_line
from netviz.errors import ModelSpecError, NetvizError
from netviz.huggingface.specs import HFSpec, check_remote_code, configurations, read_config
from netviz.loaded import LoadedModel

EXPERTS = "batched_mm"
"""The experts implementation of the mixture-of-experts models netviz builds."""


def transformers_module(spec: str) -> Any:
    """``import transformers``, or a one-line error saying how to install it."""
    try:
        import transformers
    except ImportError:
        raise ModelSpecError(
            f"cannot load model spec {spec!r}: it names a transformers model and the "
            "transformers package is not installed (pip install transformers)"
        ) from None
    return transformers


def load_transformers(
    spec: HFSpec, device: str, *, trust_remote_code: bool = False
) -> LoadedModel:
    """Build the model ``spec`` names on ``device`` (see the module docs).

    Raises:
        ModelSpecError: No such class, no transformers, an unreadable or untrusted
            configuration, or the model cannot be built from it.
    """
    transformers = transformers_module(spec.text)
    if spec.class_name:
        cls = _named_class(transformers, spec)
        config = _default_config(transformers, cls, spec)
        description = f"transformers {cls.__name__}, default configuration"
        if spec.call and spec.call.kwargs:
            given = ", ".join(f"{key}={value!r}" for key, value in spec.call.kwargs)
            description += f" but {given}"
    else:
        data = read_config(spec)
        check_remote_code(spec, data, trust_remote_code)
        config = _checkpoint_config(transformers, spec, trust_remote_code)
        cls = _checkpoint_class(transformers, spec, config, data, trust_remote_code)
        description = f"transformers {cls.__name__} from {spec.config_file}"
    _no_pretrained_weights(config)
    builder = functools.partial(_instantiate, cls, config)
    module = build(spec.text, builder, device)
    return with_model_inputs(LoadedModel(
        name=cls.__name__, module=module, input_shapes=(), description=description,
        build=lambda dev: build(spec.text, builder, dev),
    ))


def with_model_inputs(loaded: LoadedModel) -> LoadedModel:
    """``loaded`` (a transformers model) fed the inputs its forward expects, by keyword
    (see [`model_inputs`][netviz.huggingface.inputs.model_inputs])."""
    from netviz.huggingface.inputs import model_inputs

    inputs = model_inputs(loaded.module)
    fills = tuple(i.fill for i in inputs)
    return replace(loaded, input_shapes=tuple(i.shape for i in inputs),
                   input_dtypes=tuple(i.dtype or "float32" for i in inputs),
                   input_names=tuple(i.name for i in inputs),
                   input_fills=fills if any(fills) else None)


def build(text: str, builder: Any, device: str) -> Any:
    """``builder()`` on ``device``; any failure is one ``ModelSpecError`` line (no retry
    on another device: a model too large for a real build must not be built for real)."""
    from netviz.building import building_on

    try:
        with building_on(device, values=True):  # constants in buffers keep their values
            return builder()
    except NetvizError:
        raise
    except Exception as exc:  # noqa: BLE001 - model code may raise anything
        raise ModelSpecError(
            f"cannot build model {text!r}: {type(exc).__name__}: {first_line(exc)}"
        ) from None


def _instantiate(cls: Any, config: Any) -> Any:
    """A new model of ``cls`` from a copy of ``config`` (a model keeps and may change it)."""
    import torch

    config = copy.deepcopy(config)
    for sub in configurations(config):  # one forward from scratch: a cache changes nothing
        if getattr(sub, "use_cache", False):
            sub.use_cache = False
    model = cls(config)
    setter = getattr(model, "set_experts_implementation", None)
    if callable(setter):
        try:
            setter(EXPERTS)
        except (ValueError, RuntimeError, ImportError):
            pass  # a model whose experts cannot switch keeps its own
    dtype = getattr(config, "dtype", None)
    dtype = getattr(torch, dtype, None) if isinstance(dtype, str) else dtype
    if isinstance(dtype, torch.dtype) and dtype.is_floating_point and dtype != torch.float32:
        model = model.to(dtype)
    return model


def _named_class(transformers: Any, spec: HFSpec) -> Any:
    """The model class an ``hf:CLASS`` spec names."""
    name = spec.class_name
    try:
        cls = getattr(transformers, name)
    except (AttributeError, ImportError, RuntimeError) as exc:
        if isinstance(exc, AttributeError):
            models = [n for n in dir(transformers) if n.endswith(("Model", "LMHeadModel"))
                      or "For" in n]
            close = difflib.get_close_matches(name, models, n=3)
            hint = f"; did you mean: {', '.join(close)}?" if close else ""
            raise ModelSpecError(
                f"cannot load model spec {spec.text!r}: transformers has no class {name!r}{hint}"
            ) from None
        raise ModelSpecError(
            f"cannot load model spec {spec.text!r}: {name}: {first_line(exc)}"
        ) from None
    try:
        is_model = isinstance(cls, type) and issubclass(cls, transformers.PreTrainedModel)
    except (ImportError, RuntimeError) as exc:  # a class needing a missing library
        raise ModelSpecError(f"cannot load model spec {spec.text!r}: {first_line(exc)}") from None
    if not is_model:
        raise ModelSpecError(
            f"cannot load model spec {spec.text!r}: {name} is not a transformers model class "
            "(a PreTrainedModel such as GPT2LMHeadModel)"
        )
    return cls


def _config_class(transformers: Any, cls: Any) -> Any:
    """The configuration class of model class ``cls``: its own ``config_class``, else the
    one transformers' auto mappings pair with it."""
    own = getattr(cls, "config_class", None)
    if own is not None and own is not transformers.PretrainedConfig:
        return own
    from transformers.models.auto import configuration_auto, modeling_auto

    for name in dir(modeling_auto):
        mapping = getattr(modeling_auto, name)
        if not (name.endswith("_MAPPING_NAMES") and isinstance(mapping, dict)):
            continue
        for model_type, classes in mapping.items():
            if cls.__name__ in ((classes,) if isinstance(classes, str) else tuple(classes)):
                return configuration_auto.CONFIG_MAPPING[model_type]
    return None


def _default_config(transformers: Any, cls: Any, spec: HFSpec) -> Any:
    config_class = _config_class(transformers, cls)
    if config_class is None:
        raise ModelSpecError(
            f"cannot load model spec {spec.text!r}: no configuration class is known for "
            f"{cls.__name__}"
        )
    values = dict(spec.call.kwargs) if spec.call else {}
    try:
        return config_class(**values)
    except Exception as exc:  # noqa: BLE001 - configuration code may raise anything
        raise ModelSpecError(
            f"cannot load model spec {spec.text!r}: {config_class.__name__}: "
            f"{type(exc).__name__}: {first_line(exc)}"
        ) from None


def _checkpoint_config(transformers: Any, spec: HFSpec, trust_remote_code: bool) -> Any:
    """The configuration of a checkpoint folder (or file), read with ``local_files_only``."""
    path = spec.folder if Path(spec.config_file).name == "config.json" else spec.config_file
    try:
        return transformers.AutoConfig.from_pretrained(
            path, local_files_only=True, trust_remote_code=trust_remote_code
        )
    except Exception as exc:  # noqa: BLE001 - configuration code may raise anything
        raise ModelSpecError(
            f"cannot load model spec {spec.text!r}: transformers cannot read "
            f"{spec.config_file}: {type(exc).__name__}: {first_line(exc)}"
        ) from None


def _checkpoint_class(
    transformers: Any, spec: HFSpec, config: Any, data: dict[str, Any], trust_remote_code: bool
) -> Any:
    """The class a checkpoint's configuration names in ``architectures``, else the base
    model (``AutoModel``) of its ``model_type``; its own code only when trusted."""
    architectures = [a for a in data.get("architectures") or () if isinstance(a, str)]
    auto_map = data.get("auto_map") if isinstance(data.get("auto_map"), dict) else {}
    if trust_remote_code and auto_map:
        refs = {key: ref for key, ref in auto_map.items() if isinstance(ref, str)}
        ref = next((r for r in refs.values()
                    if architectures and r.rsplit(".", 1)[-1] == architectures[0]),
                   refs.get("AutoModel"))
        if ref:
            from transformers.dynamic_module_utils import get_class_from_dynamic_module

            try:
                return get_class_from_dynamic_module(ref, spec.folder, local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - the checkpoint's own code
                raise ModelSpecError(
                    f"cannot load model spec {spec.text!r}: its code {ref!r}: "
                    f"{type(exc).__name__}: {first_line(exc)}"
                ) from None
    for name in architectures[:1]:
        try:
            cls = getattr(transformers, name, None)
        except (ImportError, RuntimeError) as exc:  # a class needing a missing library
            raise ModelSpecError(f"cannot load model spec {spec.text!r}: {first_line(exc)}") from None
        if cls is not None:
            return cls
    try:
        found = transformers.MODEL_MAPPING[type(config)]
    except (KeyError, ValueError) as exc:
        raise ModelSpecError(
            f"cannot load model spec {spec.text!r}: transformers has no model for "
            f"model_type {getattr(config, 'model_type', '?')!r} ({first_line(exc)})"
        ) from None
    return found[0] if isinstance(found, (list, tuple)) else found


def _no_pretrained_weights(config: Any) -> None:
    """Turn off every (sub-)configuration's request for pretrained backbone weights."""
    for sub in configurations(config):
        if getattr(sub, "use_pretrained_backbone", False):
            sub.use_pretrained_backbone = False
