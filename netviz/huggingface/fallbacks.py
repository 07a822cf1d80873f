"""Inputs netviz has no rule for, tried at sizes the configuration suggests.

[`netviz.huggingface.inputs`][netviz.huggingface.inputs] knows token ids, images,
speech features, raw audio and time series by name. A forward whose main (or a
required) input is none of these, such as hidden states (``inputs_embeds``,
``hidden_states``, ``query_embeds``), latents of an audio decoder (``latents``) or an
image under another name (``input``), gets a short ladder of candidates instead, each
tried with a forward on meta until one runs:

- a sequence of vectors, ``tokens x width`` and ``width x tokens`` (channels first,
  for convolutions; one second of audio samples for one or two channels), for each
  width the configuration names
  ([`WIDTHS`][netviz.huggingface.fallbacks.WIDTHS], in that order, at most
  [`MAX_WIDTHS`][netviz.huggingface.fallbacks.MAX_WIDTHS]);
- an image, ``channels x size x size``.

Two more layouts of known inputs live here too: images in pairs (``2 x channels x
size x size``, for keypoint matchers fed two images at once) and images as flat
patches with their patch grid (``spatial_shapes``, ``pixel_attention_mask``: SigLIP-2's
native-resolution inputs).
"""

from __future__ import annotations

import math
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from netviz.inputs import Fill, NamedInput
from netviz.ir import Shape

Layout = tuple[Shape, str]

WIDTHS = ("hidden_size", "d_model", "n_embd", "embed_dim", "latent_dim", "codebook_dim",
          "encoder_hidden_size", "hidden_dim", "d_latents", "state_dim", "channels",
          "audio_channels")
"""Configuration attributes that may give the width of an input of vectors, in order."""

MAX_WIDTHS = 4
"""Widths tried, at most (the first the configuration names)."""

_INTEGER_HINTS = ("LongTensor", "IntTensor")


WAVEFORM_CHANNELS = 2
"""A channels-first input of at most this many channels is a waveform: it gets
``samples`` steps (one second of audio), not ``sequence``."""


def ladder(
    widths: Sequence[int], sequence: int, image: Shape, float_dtype: str, annotation: Any,
    samples: int,
) -> list[Layout]:
    """The candidate layouts of an input with no rule (see module docs); integer inputs
    (annotated ``LongTensor``) get token ids, or one integer a sequence (a class: the
    frequency of a time series)."""
    if any(hint in str(annotation) for hint in _INTEGER_HINTS):
        return [((sequence,), "int64"), ((), "int64")]
    found: list[Layout] = []
    for width in list(dict.fromkeys(widths))[:MAX_WIDTHS]:
        found.append(((sequence, width), float_dtype))
    for width in list(dict.fromkeys(widths))[:MAX_WIDTHS]:
        steps = samples if width <= WAVEFORM_CHANNELS else sequence
        found.append(((width, steps), float_dtype))
    found.append((image, float_dtype))
    return found


def image_pairs(image: Layout) -> Layout:
    """An image layout as a pair of images (``2 x channels x height x width``)."""
    shape, dtype = image
    return ((2, *shape), dtype)


PATCH_GRID = "spatial_shapes"
PATCH_POSITIONS = "pixel_position_ids"
"""Per patch, its ``(x, y)`` in the grid (Gemma 4's encoder), in place of the grid."""
PATCH_MASK = "pixel_attention_mask"
_POOLS = ("pooling_kernel_size",)


def flat_patches(
    takes: Sequence[str], int_of: Callable[[Sequence[str]], int | None],
    image_side: int, channels: int, float_dtype: str,
) -> tuple[NamedInput, ...] | None:
    """An image as a native-resolution vision encoder takes it, when the forward takes
    ``spatial_shapes`` (or ``pixel_position_ids``): ``num_patches`` rows (else
    ``(image_size / patch_size)²``; a square grid whose side is a multiple of
    ``pooling_kernel_size`` when the configuration names one) of ``channels x
    patch_size²`` values, the grid ``[rows, cols]`` of each image (or each patch's
    position), and a mask of ones over the patches (when the forward takes one)."""
    patch = int_of(("patch_size",))
    grid = next((n for n in (PATCH_GRID, PATCH_POSITIONS) if n in takes), None)
    if grid is None or "pixel_values" not in takes or not patch:
        return None
    count = int_of(("num_patches",)) or (image_side // patch) ** 2
    pool = int_of(_POOLS) or 1  # the patches pool in squares of this side
    side = max(int(math.isqrt(count)) // pool * pool, pool)
    count = side * side
    made = [NamedInput("pixel_values", (count, channels * patch * patch), float_dtype),
            NamedInput(PATCH_GRID, (2,), "int64", Fill(((side, 2),))) if grid == PATCH_GRID
            else NamedInput(grid, (count, 2), "int64")]
    if PATCH_MASK in takes:
        made.append(NamedInput(PATCH_MASK, (count,), "int64", Fill(((1, count),))))
    return tuple(made)


def with_masks(
    takes: dict[str, inspect.Parameter], inputs: tuple[NamedInput, ...]
) -> list[tuple[NamedInput, ...]]:
    """``inputs`` with a mask of ones for each input ``X`` the forward also takes an
    ``X_mask`` of (``input_features_mask``, ``audio_mel_mask``): one a time step, over the
    longer of its first and last dimensions, then the shorter (``bins x frames`` or
    ``frames x bins``); none when the forward takes no such mask."""
    masks = [(i, f"{i.name}_mask") for i in inputs if f"{i.name}_mask" in takes
             and f"{i.name}_mask" not in {j.name for j in inputs} and len(i.shape) >= 2]
    if not masks:
        return []
    found = []
    for rank in (0, 1):  # the longer of the two first: time steps outnumber mel bins
        steps = [sorted((i.shape[0], i.shape[-1]), reverse=True)[rank] for i, _ in masks]
        made = tuple(NamedInput(name, (n,), "bool", Fill(((1, n),)))
                     for (_, name), n in zip(masks, steps))
        found.append((*inputs, *made))
    return found


_ALIGNED = ("_padding", "_mask")


def aligned(inputs: tuple[NamedInput, ...]) -> tuple[NamedInput, ...]:
    """``inputs`` with each ``X_padding`` (or ``X_mask``) made by a ladder as long as ``X``
    when ``X`` is one of them too (``past_values_padding``: one flag a time step of
    ``past_values``), in ``X``'s dtype for a padding, ``bool`` for a mask."""
    by_name = {i.name: i for i in inputs}
    found = []
    for i in inputs:
        stem = next((i.name[: -len(end)] for end in _ALIGNED if i.name.endswith(end)), None)
        of = by_name.get(stem) if stem else None
        if of is None or not of.shape or i.fill or i.shape == of.shape[:1]:
            found.append(i)
            continue
        dtype = "bool" if i.name.endswith("_mask") else of.dtype
        found.append(NamedInput(i.name, of.shape[:1], dtype))
    return tuple(found)
