"""The inputs a transformers model's forward expects, made from the model itself.

A ``PreTrainedModel`` names its main input (``main_input_name``); its forward's
signature says which other inputs it takes, and its configuration (and
sub-configurations: ``text_config``, ``vision_config``...) gives their sizes.
Every input is fed by keyword:

- token ids (``input_ids``; ``decoder_input_ids`` for an encoder-decoder):
  [`SEQUENCE`][netviz.huggingface.inputs.SEQUENCE] tokens, ``int64``, fewer when the
  configuration allows fewer positions;
- images (``pixel_values``): ``num_channels x image_size x image_size``, with
  ``num_frames`` in front for video models (``pixel_values_videos``: 16 frames unless
  the configuration says);
- time series (``past_values``): ``context_length`` steps of ``num_input_channels``;
- speech features (``input_features``): ``num_mel_bins x 2·max_source_positions``
  (the frames a Whisper-style encoder halves), or the other way round, or as a
  one-channel image;
- raw audio (``input_values``): one second at 16 kHz;
- an image as patches and their grid, for a vision encoder that takes a ``grid_thw``
  (Qwen2-VL's and its kin): ``image_size / patch_size`` patches a side (a multiple of
  ``spatial_merge_size``) as rows without a batch dimension, and their grid.

- anything else the forward needs (hidden states, latents, an image under another name),
  images as flat patches with their grid (``spatial_shapes``) and images in pairs: see
  [`netviz.huggingface.fallbacks`][netviz.huggingface.fallbacks].

A model whose forward also takes others of these inputs gets them too (both towers
of CLIP, the vision tower of a multimodal model), unless its forward refuses them:
then only its main input (and decoder ids). A multimodal model that puts its image
features in place of image tokens (``config.image_token_id``) gets as many of those
tokens leading its ids as its ``get_image_features`` makes of the image, then up to
[`SEQUENCE`][netviz.huggingface.inputs.SEQUENCE] text tokens (and their multimodal token
types, ``mm_token_type_ids``, when its forward takes them). When there is a choice (which inputs, which layout), each candidate
set is tried with a forward on the meta device (nothing allocated) and the first
one the model accepts is used. When the model accepts none, the errors it raised mend
the first ones: see [`netviz.huggingface.repairs`][netviz.huggingface.repairs].
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Sequence
from typing import Any

from torch import nn

from netviz.errors import InputShapeError
from netviz.huggingface.fallbacks import WIDTHS, aligned, flat_patches, image_pairs, ladder, with_masks
from netviz.huggingface.probes import (
    NEEDS_VALUES, REJECTED, RUNS, feature_tokens, verdict,
)
from netviz.huggingface.probes import float_dtype as model_float_dtype
from netviz.huggingface.repairs import companions, mended, resized_tokens
from netviz.huggingface.specs import configurations
from netviz.inputs import Fill, NamedInput
from netviz.ir import Shape

SEQUENCE = 128
"""Tokens of a text input (fewer when the model has fewer positions)."""

AUDIO_SAMPLES = 16_000
"""Samples of a raw-audio input: one second at 16 kHz."""

IMAGE_SIZE = 224
"""Height and width of an image input whose configuration names none."""

MEL_BINS = 80
FRAMES = 3000
"""Speech features whose configuration names no sizes: 80 mel bins, 30 s of 10 ms frames."""
_MEL_LADDER = (MEL_BINS, 128, 64)
"""Mel bins tried in turn when the configuration names none (the common sizes)."""

MAX_CANDIDATES = 10
"""Candidate input sets tried, at most."""

# Configuration attributes giving each size, in the order they are looked for.
_POSITIONS = ("max_position_embeddings", "n_positions", "max_seq_len", "max_sequence_length",
              "seq_length", "n_ctx")
_TARGET_POSITIONS = ("max_target_positions", *_POSITIONS)
_IMAGE_SIZE = ("image_size", "img_size", "input_size", "crop_size")
_CHANNELS = ("num_channels", "in_channels", "in_chans", "num_image_channels")
_FRAMES = ("num_frames",)
_MEL_BINS = ("feature_projection_input_dim", "num_mel_bins", "feature_size",
             "input_feat_per_channel", "input_feat_size", "n_mels")
_SOURCE_POSITIONS = ("max_source_positions",)
_AUDIO_LENGTH = ("max_length",)
_CONTEXT = ("context_length",)
_LARGER = (2, 4)
"""Scales of the configuration's image size tried when it is refused (a model that cuts
its input into tiles of that size: Depth Pro); video frames are tried at twice the size
(frames padded to a larger size: TVP)."""
_VIDEO_FRAMES = 16
"""Frames of a video input whose configuration names none."""

TOKEN_INPUTS = ("input_ids", "decoder_input_ids")
OTHER_INPUTS = ("input_ids", "pixel_values", "input_features", "input_values")
"""The inputs a model may also need besides its main one (both towers of CLIP)."""

Layout = tuple[Shape, str]  # shape without batch, dtype name (float: the model's)


def _value(config: Any, names: Sequence[str]) -> Any:
    """The first of ``names`` set to a number (or a size list) in ``config`` or its
    sub-configurations."""
    for sub in configurations(config):
        for name in names:
            value = getattr(sub, name, None)
            if isinstance(value, (int, list, tuple)) and not isinstance(value, bool):
                return value
    return None


def _int(config: Any, names: Sequence[str]) -> int | None:
    value = _value(config, names)
    return value if isinstance(value, int) and value > 0 else None


def _size(value: Any) -> tuple[int, int]:
    """``224`` or ``[224, 224]`` (or ``[3, 224, 224]``) as height and width."""
    if isinstance(value, int) and value > 0:
        return value, value
    if isinstance(value, (list, tuple)) and value and all(
        isinstance(v, int) and v > 0 for v in value
    ):
        return (value[-2], value[-1]) if len(value) >= 2 else (value[0], value[0])
    return IMAGE_SIZE, IMAGE_SIZE


def layouts(name: str, config: Any, float_dtype: str) -> list[Layout]:
    """The candidate shapes of input ``name`` (``[]``: netviz cannot make it)."""
    if name in TOKEN_INPUTS or name.endswith("_input_ids"):  # qformer_input_ids too
        limit = _int(config, _TARGET_POSITIONS if name.startswith("decoder") else _POSITIONS)
        return [((min(SEQUENCE, limit or SEQUENCE),), "int64")]
    if name in ("pixel_values", "pixel_values_videos") or name.endswith("_pixel_values"):
        height, width = _size(_value(config, _IMAGE_SIZE))
        channels = _int(config, _CHANNELS) or 3
        image = ((channels, height, width), float_dtype)
        video = _int(config, _FRAMES)
        if video or name == "pixel_values_videos":
            video = video or _VIDEO_FRAMES
            return [((video, channels, height, width), float_dtype),
                    ((channels, video, height, width), float_dtype), image,
                    ((video, channels, 2 * height, 2 * width), float_dtype)]  # as images'
        larger = [((channels, height * k, width * k), float_dtype) for k in _LARGER]
        return [image, image_pairs(image), *larger]  # larger: a model that tiles its input
    if name == "input_features" or (("_mel" in name or name.startswith("mel"))
                                     and not name.endswith("mask")):  # audio_mel
        named = _int(config, _MEL_BINS)
        source = _int(config, _SOURCE_POSITIONS)
        frames = 2 * source if source else FRAMES
        return [layout for bins in ((named,) if named else _MEL_LADDER) for layout in (
            ((bins, frames), float_dtype), ((frames, bins), float_dtype),
            ((1, frames, bins), float_dtype))]  # a spectrogram as a one-channel image
    if name == "past_values":  # a time series: context_length steps of its channels
        steps = _int(config, _CONTEXT)
        channels = _int(config, ("num_input_channels", "input_size")) or 1
        return [((steps, channels), float_dtype), ((steps,), float_dtype)] if steps else []
    if name == "input_values":
        found: list[Layout] = [((AUDIO_SAMPLES,), float_dtype), ((1, AUDIO_SAMPLES), float_dtype)]
        mels, length = _int(config, ("num_mel_bins",)), _int(config, _AUDIO_LENGTH)
        return [((length, mels), float_dtype), *found] if mels and length else found
    return []


def _parameters(module: nn.Module) -> dict[str, inspect.Parameter]:
    try:
        return dict(inspect.signature(module.forward).parameters)
    except (TypeError, ValueError):
        return {}


def input_candidates(module: nn.Module) -> list[tuple[NamedInput, ...]]:
    """Candidate input sets of a transformers model, the fullest first (see module docs)."""
    config = getattr(module, "config", None)
    takes = _parameters(module)
    float_dtype = str(model_float_dtype(module)).removeprefix("torch.")
    main = getattr(module, "main_input_name", "input_ids")
    mains = [main] if isinstance(main, str) else [n for n in main if isinstance(n, str)]
    base = [name for name in mains if name in takes]
    required = {n for n, p in takes.items() if p.default is p.empty
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    if not base:  # a forward that takes no input of the name the model gives: its first required
        base = [n for n in takes if n in required][:1]
    if (getattr(config, "is_encoder_decoder", False) and "decoder_input_ids" in takes
            and "decoder_input_ids" not in base):
        base.append("decoder_input_ids")

    def options(name: str) -> list[Layout]:
        """The layouts of input ``name``: its rule's, else (for an input the forward
        needs) the ladder of [`netviz.huggingface.fallbacks`][netviz.huggingface.fallbacks]."""
        known = layouts(name, config, float_dtype)
        if known or (name not in required and name not in base):
            return known
        return _ladder(config, takes[name].annotation, float_dtype, name)

    extra = [n for n in OTHER_INPUTS
             if n in takes and n not in base and layouts(n, config, float_dtype)]
    found: list[tuple[NamedInput, ...]] = []
    flat = flat_patches(list(takes), lambda names: _int(config, names),
                        _size(_value(config, _IMAGE_SIZE))[0], _int(config, _CHANNELS) or 3,
                        float_dtype)
    if flat:  # images as patches with their grid (SigLIP-2): before any other
        made = [NamedInput(n, *layouts(n, config, float_dtype)[0])
                for n in (*base, *extra) if n not in {i.name for i in flat}
                and layouts(n, config, float_dtype)]
        if required <= {i.name for i in (*made, *flat)}:
            found.append((*made, *flat))
    for grid in _patch_grids(config, takes, float_dtype):  # patches and their grid
        made = [NamedInput(n, *layouts(n, config, float_dtype)[0]) for n in base
                if n not in {i.name for i in grid} and layouts(n, config, float_dtype)]
        inputs = (*made, *grid)
        if required <= {i.name for i in inputs}:
            tokens = _with_image_tokens(module, inputs)
            found += [tokens] if tokens else []
            found.append(inputs)
    plain: list[tuple[NamedInput, ...]] = []  # the main input alone: always tried, last
    for alone, names in ((False, base + extra), (True, base)) if extra else ((False, base),):
        names = [*names, *(n for n in takes if n in required and n not in names
                           and not n.endswith("_mask"))]  # masks: with_masks
        choices = [options(name) for name in names]
        masks = {f"{n}_mask" for n in names}
        if not names or not all(choices) or not required - masks <= set(names):
            continue
        for combo in itertools.product(*choices):
            inputs = aligned(tuple(NamedInput(n, shape, dtype) for n, (shape, dtype) in
                                   zip(names, combo)))
            if alone:
                plain.append(inputs)
                continue
            first = all(c == o[0] for c, o, n in zip(combo, choices, names)
                        if n.startswith("pixel_values"))  # the image as configured
            tokens = _with_image_tokens(module, inputs) if first else None  # (costs a forward)
            found += [tokens] if tokens else []
            found.append(inputs)
    found = [variant for inputs in found for variant in (inputs, *with_masks(takes, inputs))]
    return found[:MAX_CANDIDATES - len(plain[:2])] + plain[:2]


def _ladder(config: Any, annotation: Any, float_dtype: str, name: str = "") -> list[Layout]:
    """Candidate layouts of an input netviz has no rule for (see
    [`ladder`][netviz.huggingface.fallbacks.ladder]); the configuration's widths named
    like the input (``visual_feat_dim`` for ``visual_feats``) first."""
    stem = name.split("_")[0]
    own = [value for sub in configurations(config) for key, value in vars(sub).items()
           if stem and key.startswith(stem + "_") and key.endswith(("_size", "_dim"))
           and isinstance(value, int) and not isinstance(value, bool) and value > 0]
    widths = own + [w for w in (_int(config, (name,)) for name in WIDTHS) if w]
    limit = _int(config, _POSITIONS)
    height, width = _size(_value(config, _IMAGE_SIZE))
    image = (_int(config, _CHANNELS) or 3, height, width)
    return ladder(widths, min(SEQUENCE, limit or SEQUENCE), image, float_dtype, annotation,
                  AUDIO_SAMPLES)


_GRIDS = ("image_grid_thw", "grid_thw")
_PATCHES = ("pixel_values", "hidden_states")


def _patch_grids(
    config: Any, takes: dict[str, inspect.Parameter], float_dtype: str
) -> list[tuple[NamedInput, ...]]:
    """An image as a vision encoder of the Qwen2-VL kind takes it, when the forward takes
    a ``grid_thw`` and the configuration a ``patch_size``: its patches as rows without a
    batch dimension (``grid_h x grid_w`` of ``channels x temporal_patch_size x
    patch_size²`` values, or of ``channels x patch_size x patch_size``), and their grid
    (``[[1, grid_h, grid_w]]``)."""
    grid = next((name for name in _GRIDS if name in takes), None)
    patches = next((name for name in _PATCHES if name in takes), None)
    patch = _int(config, ("patch_size",))
    if grid is None or patches is None or not patch:
        return []
    merge = _int(config, ("spatial_merge_size", "merge_size")) or 1
    height, width = _size(_value(config, _IMAGE_SIZE))
    rows, cols = (max(merge, (side // patch) // merge * merge) for side in (height, width))
    channels = _int(config, _CHANNELS) or 3
    temporal = _int(config, ("temporal_patch_size",))
    flat, where = Fill(batched=False), Fill(((1, 1), (rows, 1), (cols, 1)), False)
    sizes: Any = NamedInput(grid, (1, 3), "int64", where)
    if _MERGES in takes:  # and how much each image's patches merge (VideoLLaMA 3)
        sizes = (sizes, NamedInput(_MERGES, (1,), "int64", Fill(((merge, 1),), False)))
    grids = sizes if isinstance(sizes, tuple) else (sizes,)
    found = [(NamedInput(patches, (rows * cols, channels * (temporal or 1) * patch * patch),
                         float_dtype, flat), *grids),
             (NamedInput(patches, (rows * cols, channels, patch, patch), float_dtype, flat),
              *grids)]
    if temporal is None:  # unnamed: the code's default of two frames a patch, Qwen2-VL's
        found.append((NamedInput(patches, (rows * cols, channels * 2 * patch * patch),
                                 float_dtype, flat), *grids))
    return found


_MERGES = "merge_sizes"


_IMAGE_TOKEN = ("image_token_id", "image_token_index")
"""Configuration attributes naming the token a multimodal model replaces by image features."""


def _with_image_tokens(
    module: nn.Module, inputs: tuple[NamedInput, ...]
) -> tuple[NamedInput, ...] | None:
    """``inputs`` with as many image tokens leading the ids as the image has features, for
    a multimodal model that places its image features at those tokens; else ``None``.

    The count comes from the model itself: its ``get_image_features`` of the image, on
    meta, divided by the width of its token embeddings (the check transformers makes:
    tokens x width = feature elements).
    """
    by_name = {i.name: i for i in inputs}
    config = getattr(module, "config", None)
    token = next((getattr(config, a) for a in _IMAGE_TOKEN
                  if isinstance(getattr(config, a, None), int)), None)
    features = getattr(module, "get_image_features", None)
    if token is None or not callable(features) or not {"input_ids", "pixel_values"} <= set(
            by_name):
        return None
    count = feature_tokens(module, [i for i in inputs if i.name != "input_ids"])
    ids = by_name["input_ids"]
    limit = _int(config, _POSITIONS)
    if not count or (limit and count + 1 > limit):
        return None
    text = min(SEQUENCE, (limit or count + SEQUENCE) - count)
    tokens = NamedInput("input_ids", (count + text,), ids.dtype, Fill(((token, count),)))
    kinds = ((NamedInput(_TOKEN_TYPES, (count + text,), "int64", Fill(((_IMAGE_TYPE, count),))),)
             if _TOKEN_TYPES in _parameters(module) else ())  # what the processor returns too
    return (*(tokens if i.name == "input_ids" else i for i in inputs), *kinds)


_TOKEN_TYPES = "mm_token_type_ids"
"""Per token, text (0), image (1) or video (2): what a processor returns alongside the ids
of a model whose multimodal rotary positions need it (Qwen2-VL and its kin)."""
_IMAGE_TYPE = 1


def model_inputs(module: nn.Module) -> tuple[NamedInput, ...]:
    """The inputs to feed ``module`` (see module docs).

    Raises:
        InputShapeError: netviz knows no input of this model; the message says how to
            give them (``--input NAME=D1,D2[:DTYPE]``).
    """
    candidates = input_candidates(module)
    if not candidates:
        main = getattr(module, "main_input_name", "?")
        takes = ", ".join(n for n in _parameters(module) if n not in ("args", "kwargs"))
        raise InputShapeError(
            f"netviz cannot make the input {main!r} of {type(module).__name__} from its "
            f"configuration; give the inputs with --input NAME=D1,D2[:DTYPE] (its forward "
            f"takes: {takes})"
        )
    verdicts, rejected = [], []
    check = (len(candidates) > 1 or bool(set(_parameters(module)) - _PLAIN)
             or _int(getattr(module, "config", None), _CODEBOOKS) is not None)
    for candidate in candidates:
        said, why = verdict(module, candidate) if check else (RUNS, "")
        if said == RUNS:
            return candidate
        verdicts.append(said)
        rejected += [(candidate, why)] if said == REJECTED else []
        if said == REJECTED and candidate is candidates[0]:
            named = _named_inputs(module, candidate, why) or resized_tokens(
                module, candidate, why)
            if named:
                return named
    # none runs on meta: the first that got past the model's checks of its inputs (it
    # reads a weight-derived value, so it needs a real forward), else one mended from the
    # model's errors, else the likeliest
    if NEEDS_VALUES in verdicts:
        return candidates[verdicts.index(NEEDS_VALUES)]
    config, forward = getattr(module, "config", None), _parameters(module)
    float_dtype = str(model_float_dtype(module)).removeprefix("torch.")
    fixed = mended(module, rejected[:_MENDED], list(forward), config, float_dtype,
                   lambda n: _ladder(config, forward[n].annotation, float_dtype, n),
                   lambda n: layouts(n, config, float_dtype))
    return fixed or candidates[0]


_PLAIN = {"input_ids", "attention_mask", "position_ids", "token_type_ids", "past_key_values",
          "inputs_embeds", "use_cache", "cache_position", "labels", "output_attentions",
          "output_hidden_states", "return_dict", "logits_to_keep", "head_mask", "args", "kwargs"}
"""The inputs of a plain text model's forward: one that takes no other has its one
candidate used without a forward on meta first (a forward of a large language model is
not free); any other is checked, and mended when rejected."""

_CODEBOOKS = ("num_codebooks",)
"""A configuration naming codebooks: token ids may come one a codebook (checked too)."""

_MENDED = 3
"""Rejected candidates (the first) whose errors are read to mend them."""


def _named_inputs(
    module: nn.Module, inputs: tuple[NamedInput, ...], error: str
) -> tuple[NamedInput, ...] | None:
    """``inputs`` and the optional inputs the forward's error names ("encoder_hidden_states
    must be given"), made by the ladder (the widths whose names share the input's first
    word first: ``encoder_hidden_size`` for ``encoder_hidden_states``), when one such set
    runs; else ``None``."""
    config = getattr(module, "config", None)
    takes = _parameters(module)
    have = {i.name for i in inputs}
    named = [n for n in takes if n not in have and n not in ("args", "kwargs")
             and re.search(rf"\b{re.escape(n)}\b", error)]
    if not named:
        return None
    float_dtype = str(model_float_dtype(module)).removeprefix("torch.")
    steps = next((i.shape[0] for i in inputs if i.name == "input_ids" and i.shape), SEQUENCE)
    choices = [[(i.shape, i.dtype or float_dtype) for own in companions(
        (), [n], config, float_dtype, steps) for i in own]  # a convention's layout first
        + _ladder(config, takes[n].annotation, float_dtype, n) for n in named]
    for combo in itertools.islice(itertools.product(*choices), MAX_CANDIDATES):
        found = (*inputs, *(NamedInput(n, shape, dtype) for n, (shape, dtype) in
                            zip(named, combo)))
        if verdict(module, found)[0] == RUNS:
            return found
    return None


