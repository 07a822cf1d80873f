"""Candidate inputs mended from the error a model's forward raised on them.

When no candidate input set of [`netviz.huggingface.inputs`][netviz.huggingface.inputs]
runs on meta, the model's own error often says what it wanted. Each mender here reads one
kind of message and proposes changed inputs, which are tried in turn (each with a forward
on meta); a changed set the model rejects for another reason is mended again, within
[`BUDGET`][netviz.huggingface.repairs.BUDGET] forwards in all:

- an image of the wrong size ("Input height (224) doesn't match model (336)", "Input image
  size (448*448) doesn't match model (224*224)"): the size the model says (or its share
  of it, for images the model joins into one of that size);
- a length that must be a multiple ("length 16000 is not a multiple of 1920"): rounded up;
- an input said to be too long ("should be less than or equal to"): halved, again while
  the model says so;
- vectors of the wrong width for a linear layer ("mat1 and mat2 shapes cannot be
  multiplied (128x80 and 320x1024)", on meta "a and b must have same reduction dim, but
  got [128, 80] X [320, 1024]"): the width the layer takes; for a layer norm
  ("normalized_shape=[160] ... got input of size [1, 160, 10000]"): that dimension last;
- a size the model cannot broadcast against its own tensor ("had torch.Size([80, 560]);
  but expected shape should be broadcastable to [1, 80, 3000]"): the tensor's;
- float indices an embedding refuses: integers;
- token ids the model wants per codebook (a view to ``[1, 9, -1]``, a broadcast against
  ``[33]``): ``tokens x codebooks`` for each small number the message names; token ids
  as long as another input must be ("size of tensor a (128) must match ... (33)");
- inputs added: the optional inputs the message names ("`visual_feats` cannot be
  `None`"), the optional inputs of [`COMPANIONS`][netviz.huggingface.repairs.COMPANIONS]
  (transformers' conventions for inputs a forward needs but cannot name: ``bbox``,
  ``lang_ids``...), a ``decoder_X`` like ``X``, an image's patch grid
  ([`GRID_SIZES`][netviz.huggingface.repairs.GRID_SIZES]), and every other input netviz
  has a rule for.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from torch import nn

from netviz.huggingface.probes import NEEDS_VALUES, REJECTED, RUNS, verdict
from netviz.huggingface.specs import configurations
from netviz.inputs import Fill, NamedInput

Inputs = tuple[NamedInput, ...]
Layout = tuple[tuple[int, ...], str]

BUDGET = 16
"""Forwards on meta spent mending, at most, per model."""

_INTEGERS = ("int64", "int32", "bool")
_NUMBER = r"(?<![\w.])(\d+)(?![\w.])"
_MOST_CODEBOOKS = 64
"""The most codebooks a number read from an error may stand for."""

COMPANIONS: dict[str, tuple[str, tuple[int | str, ...]]] = {
    "bbox": ("int64", (4,)),  # a box per token (LayoutLM, Bros, UDOP): x0, y0, x1, y1
    "lang_ids": ("int64", ()),  # the language of each sequence (X-MOD's adapters)
    "visual_feats": ("float", ("visual_feat_dim",)),  # region features (LXMERT)
    "visual_pos": ("float", ("visual_pos_dim",)),  # their boxes
    "states": ("float", ("state_dim",)),  # a trajectory (Decision Transformer)
    "actions": ("float", ("act_dim",)),
    "rewards": ("float", (1,)),
    "returns_to_go": ("float", (1,)),
    "timesteps": ("int64", ()),
    "image_attention_mask": ("int64", (2,)),  # each token's view of the images (IDEFICS):
    # as many as a pair of images, the second image layout tried
    "image_embeds_position_mask": ("int64", ()),  # where image features go (Kosmos-2):
    # the first tokens, as many as LEADING_ONES names
}
"""Optional inputs a forward may need though its error does not name them: dtype
(``float``: the model's) and the size of each position after the tokens' (a number, or
the configuration attribute giving it); each is a sequence as long as the token ids."""

LEADING_ONES = {"image_embeds_position_mask": "latent_query_num"}
"""Companions whose first values are ones, as many as the configuration attribute says."""


def _replace(inputs: Inputs, old: NamedInput, new: NamedInput) -> Inputs:
    return tuple(new if i is old else i for i in inputs)


def _reshaped(inputs: Inputs, old: NamedInput, shape: tuple[int, ...]) -> Inputs:
    return _replace(inputs, old, NamedInput(old.name, shape, old.dtype, old.fill))


def resized_images(inputs: Inputs, error: str) -> list[Inputs]:
    """Images at the size the model says its input must have."""
    found = re.search(r"[Ii]nput image size \((\d+)\*(\d+)\) doesn't match model \((\d+)\*(\d+)\)",
                      error)
    pairs: list[tuple[int, int]] = []
    if found:
        h, w, mh, mw = (int(g) for g in found.groups())
        pairs = [(h, mh), (w, mw)]
    for side in ("height", "width"):
        one = re.search(rf"[Ii]nput {side} \((\d+)\) doesn't match model \((\d+)\)", error)
        if one:
            pairs.append((int(one.group(1)), int(one.group(2))))
    made = []
    for image in (i for i in inputs if len(i.shape) >= 3 and i.dtype not in _INTEGERS):
        if found and image.shape[-2:] == (mh, mw) and h % mh == 0 and w % mw == 0:
            # already the model's size: the model joins its images (SegGPT: an image
            # and its prompt, one above the other) into one of that size
            shape = (*image.shape[:-2], mh * mh // h, mw * mw // w)
        elif found:
            shape = (*image.shape[:-2], mh, mw)
        else:
            sizes = dict(pairs)
            shape = (*image.shape[:-2], *(sizes.get(d, d) for d in image.shape[-2:]))
        if shape != image.shape:
            made.append(_reshaped(inputs, image, shape))
    if len(made) > 1:  # every image at once first
        together = inputs
        for proposal in made:
            changed = next(i for i, j in zip(proposal, inputs) if i != j)
            together = tuple(changed if i.name == changed.name else i for i in together)
        made.insert(0, together)
    return made


def shortened(inputs: Inputs, error: str) -> list[Inputs]:
    """Each float input with its longest dimension halved, when the model says an input is
    too long ("should be less than or equal to the swin input size")."""
    if not re.search(r"less than or equal|too long|exceeds? the maximum", error):
        return []
    made = []
    for i in inputs:
        if i.dtype not in _INTEGERS and not i.fill and i.shape and max(i.shape) > _STEPS:
            at = i.shape.index(max(i.shape))
            made.append(_reshaped(inputs, i, (*i.shape[:at], i.shape[at] // 2, *i.shape[at + 1:])))
    return made


def broadcast_sizes(inputs: Inputs, error: str) -> list[Inputs]:
    """Float inputs with a size the model could not broadcast against one of its own
    tensors replaced by that tensor's ("had torch.Size([80, 560]); but expected shape
    should be broadcastable to [1, 80, 3000]": features 560 wide, not 3000)."""
    found = re.search(r"had torch\.Size\(\[([\d, ]*)\]\); but expected shape should be "
                      r"broadcastable to \[([\d, ]*)\]", error)
    if not found:
        return []
    had, wanted = ([int(n) for n in g.split(",") if n.strip()] for g in found.groups())
    pairs = [(w, h) for h, w in zip(reversed(had), reversed(wanted)) if h != w and 1 not in (h, w)]
    made = []
    for i in inputs:
        if i.dtype in _INTEGERS or i.fill:
            continue
        for size, own in pairs:
            if size in i.shape:
                at = i.shape.index(size)
                made.append(_reshaped(inputs, i, (*i.shape[:at], own, *i.shape[at + 1:])))
    return made


def padded_lengths(inputs: Inputs, error: str) -> list[Inputs]:
    """Inputs with a dimension rounded up to the multiple the model asks for."""
    found = re.search(r"(\d+) is not a multiple of (\d+)", error)
    if not found:
        return []
    length, step = int(found.group(1)), int(found.group(2))
    made = []
    for i in inputs:
        if length in i.shape and step > 0:
            at = i.shape.index(length)
            shape = (*i.shape[:at], math.ceil(length / step) * step, *i.shape[at + 1:])
            made.append(_reshaped(inputs, i, shape))
    return made


def linear_widths(inputs: Inputs, error: str) -> list[Inputs]:
    """Vectors at the width the linear layer that refused them takes."""
    found = (re.search(r"got \[(\d+), (\d+)\] X \[(\d+), \d+\]", error)
             or re.search(r"cannot be multiplied \((\d+)x(\d+) and (\d+)x\d+\)", error))
    if not found:
        return []
    rows, width, wanted = (int(g) for g in found.groups())
    made = []
    for i in inputs:
        if i.dtype in _INTEGERS or not i.shape or i.shape[-1] != width:
            continue
        made.append(_reshaped(inputs, i, (*i.shape[:-1], wanted)))
        if len(i.shape) > 2:  # an image-like input read as vectors: one row of them
            made.append(_reshaped(inputs, i, (rows, wanted)))
        if len(i.shape) == 2:  # one vector a sample (OneFormer's task tokens)
            made.append(_reshaped(inputs, i, (wanted,)))
    return made


def integer_indices(inputs: Inputs, error: str) -> list[Inputs]:
    """A float input other than the first as integers (one a sequence, then one a step),
    when an embedding refused float indices."""
    if not re.search(r"'indices' to have one of the following scalar types", error):
        return []
    made = []
    for i in inputs[1:]:
        if i.dtype not in _INTEGERS and not i.fill:
            made += [_replace(inputs, i, NamedInput(i.name, shape, "int64"))
                     for shape in ((), i.shape[:1])]
    return made


def layer_widths(inputs: Inputs, error: str) -> list[Inputs]:
    """An input a layer norm refused, with the width it normalises last: the dimension
    of that size moved last (features first where the model wants them last), or a
    sequence of vectors of that width in place of a one-dimensional input."""
    found = re.search(r"normalized_shape=\[(\d+)\], expected input with shape \[\*?,? ?\d+\], "
                      r"but got input of size\s*(?:torch\.Size\()?\[([\d, ]+)\]", error)
    if not found:
        return []
    width = int(found.group(1))
    made = []
    for i in inputs:
        if i.dtype in _INTEGERS or i.fill or not i.shape:
            continue
        if width in i.shape[:-1]:
            at = i.shape.index(width)
            made.append(_reshaped(inputs, i, (*i.shape[:at], *i.shape[at + 1:], width)))
        elif len(i.shape) == 1:
            made.append(_reshaped(inputs, i, (min(i.shape[0], _STEPS), width)))
    return made


def token_codebooks(inputs: Inputs, error: str) -> list[Inputs]:
    """Token ids as ``tokens x codebooks``, for each small number the error names."""
    ids = [i for i in inputs if i.name.endswith("input_ids") and len(i.shape) == 1
           and not i.fill]
    numbers = [int(n) for n in re.findall(_NUMBER, error)]
    made = []
    for i in ids:
        for count in dict.fromkeys(n for n in numbers if 1 < n <= _MOST_CODEBOOKS):
            made.append(_reshaped(inputs, i, (*i.shape, count)))
    return made


def _config_int(config: Any, name: str) -> int | None:
    """Attribute ``name`` of the configuration or a sub-configuration, when an integer."""
    return next((getattr(c, name) for c in configurations(config) if name
                 and isinstance(getattr(c, name, None), int)), None)


def _steps(inputs: Inputs) -> int:
    """The length of the token ids (else of the first input's first dimension)."""
    return next((i.shape[0] for i in inputs if i.name.endswith("input_ids") and i.shape),
                next((i.shape[0] for i in inputs if i.shape), _STEPS))


_STEPS = 128


def companions(inputs: Inputs, takes: Sequence[str], config: Any,
               float_dtype: str, steps: int | None = None) -> list[Inputs]:
    """``inputs`` and every optional input of [`COMPANIONS`][netviz.huggingface.repairs.COMPANIONS]
    the forward takes, ``steps`` long (else as long as the token ids, see ``_steps``)."""
    have = {i.name for i in inputs}
    steps = steps or _steps(inputs)
    made = []
    for name, (dtype, sizes) in COMPANIONS.items():
        if name not in takes or name in have:
            continue
        dims = [s if isinstance(s, int) else _config_int(config, s) for s in sizes]
        ones = _config_int(config, LEADING_ONES.get(name, ""))
        fill = Fill(((1, min(ones, steps)),)) if ones else None
        if all(isinstance(d, int) and d > 0 for d in dims):
            made.append(NamedInput(name, (steps, *dims),  # type: ignore[arg-type]
                                   float_dtype if dtype == "float" else dtype, fill))
    return [(*inputs, *made)] if made else []


GRID_SIZES = ("target_sizes",)
"""Optional inputs giving an image's patch grid, ``[rows, cols]`` (MiniCPM-V's encoders)."""


def patch_grid(inputs: Inputs, takes: Sequence[str], config: Any) -> list[Inputs]:
    """``inputs`` and the patch grid of their image (``channels x height x width``,
    cut in ``patch_size`` squares), for a forward that takes one of
    [`GRID_SIZES`][netviz.huggingface.repairs.GRID_SIZES]."""
    name = next((n for n in GRID_SIZES if n in takes and n not in {i.name for i in inputs}),
                None)
    image = next((i for i in inputs if len(i.shape) == 3 and i.dtype not in _INTEGERS), None)
    patch = _config_int(config, "patch_size")
    if name is None or image is None or not patch:
        return []
    rows, cols = image.shape[1] // patch, image.shape[2] // patch
    return [(*inputs, NamedInput(name, (2,), "int64", Fill(((rows, 1), (cols, 1)))))]


def known_inputs(inputs: Inputs, takes: Sequence[str],
                 rules_of: Callable[[str], list[Layout]]) -> list[Inputs]:
    """``inputs`` and every other input the forward takes that netviz has a rule for,
    at its first layout (an audio-video encoder needs its video as well as its audio)."""
    have = {i.name for i in inputs}
    made = tuple(NamedInput(n, *rules_of(n)[0]) for n in takes
                 if n not in have and rules_of(n))
    return [(*inputs, *made)] if made else []


def decoder_mirrors(inputs: Inputs, takes: Sequence[str]) -> list[Inputs]:
    """``inputs`` and a ``decoder_X`` like each input ``X`` the forward also takes a
    ``decoder_X`` of (an encoder-decoder fed the same kind of input on both sides:
    ``decoder_input_values``)."""
    have = {i.name for i in inputs}
    made = tuple(NamedInput(f"decoder_{i.name}", i.shape, i.dtype) for i in inputs
                 if f"decoder_{i.name}" in takes and f"decoder_{i.name}" not in have)
    return [(*inputs, *made)] if made else []


def named_inputs(inputs: Inputs, error: str, takes: Sequence[str], config: Any,
                 float_dtype: str, layouts_of: Callable[[str], list[Layout]]) -> list[Inputs]:
    """``inputs`` and the optional inputs the error names, at their layout of
    [`COMPANIONS`][netviz.huggingface.repairs.COMPANIONS] if any, then each of the ladder's."""
    have = {i.name for i in inputs}
    named = [n for n in takes if n not in have and n not in ("args", "kwargs")
             and re.search(rf"\b{re.escape(n)}\b", error)]
    if not named:
        return []
    made = []
    for name in named[:2]:
        own = companions((), [name], config, float_dtype, steps=_steps(inputs))
        made += [(*inputs, *extra) for extra in own]
        for shape, dtype in layouts_of(name)[:4]:
            made.append((*inputs, NamedInput(name, shape, dtype)))
    return made


def resized_tokens(
    module: nn.Module, inputs: tuple[NamedInput, ...], error: str
) -> tuple[NamedInput, ...] | None:
    """``inputs`` with token ids as long as the forward's error says, when it refused them
    for a length that must match another input's ("size of tensor a (128) must match the
    size of tensor b (33)": text aligned with audio frames); else ``None``."""
    ids = next((i for i in inputs if i.name == "input_ids" and len(i.shape) == 1
                and not i.fill), None)
    if ids is None or not re.search(r"match|broadcast", error):
        return None
    numbers = [int(n) for n in re.findall(r"(?<![\w.])(\d+)(?![\w.])", error)]
    if ids.shape[0] not in numbers:
        return None
    for length in dict.fromkeys(n for n in numbers if 1 < n <= _LONGEST and n != ids.shape[0]):
        found = tuple(NamedInput(i.name, (length,), i.dtype) if i is ids else i for i in inputs)
        if verdict(module, found)[0] == RUNS:
            return found
    return None


_LONGEST = 4096
"""The most tokens a length read from an error may ask for."""


def mended(
    module: nn.Module, rejected: Sequence[tuple[Inputs, str]], takes: Sequence[str],
    config: Any, float_dtype: str, layouts_of: Callable[[str], list[Layout]],
    rules_of: Callable[[str], list[Layout]] = lambda name: [],
) -> Inputs | None:
    """The first mended input set that runs (see module docs), else the first that fails
    on meta only for want of a weight's value (it needs a real forward), else ``None``."""
    queue = deque(rejected)
    seen: set[Inputs] = {inputs for inputs, _ in rejected}
    budget, needs_values = BUDGET, None
    while queue and budget > 0:
        inputs, error = queue.popleft()
        again = shortened(inputs, error)  # too long again: halved again
        proposals = [*named_inputs(inputs, error, takes, config, float_dtype, layouts_of),
                     *companions(inputs, takes, config, float_dtype),
                     *decoder_mirrors(inputs, takes), *patch_grid(inputs, takes, config),
                     *known_inputs(inputs, takes, rules_of),
                     *resized_images(inputs, error), *padded_lengths(inputs, error),
                     *shortened(inputs, error), *broadcast_sizes(inputs, error),
                     *linear_widths(inputs, error), *layer_widths(inputs, error),
                     *integer_indices(inputs, error), *token_codebooks(inputs, error)]
        for proposal in proposals:
            if proposal in seen or budget <= 0:
                continue
            seen.add(proposal)
            budget -= 1
            said, why = verdict(module, proposal)
            if said == RUNS:
                return proposal
            if said == REJECTED and (why != error or proposal in again):
                queue.append((proposal, why))
            needs_values = needs_values or (proposal if said == NEEDS_VALUES else None)
    return needs_values
