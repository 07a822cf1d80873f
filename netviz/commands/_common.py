"""Arguments and parsing shared by the model-taking commands."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from netviz.dtypes import parse_dtype
from netviz.errors import InputShapeError

if TYPE_CHECKING:
    from netviz.inputs import NamedInput
    from netviz.ir import Shape

MODEL_HELP = (
    "a registered model name (see 'netviz list'), 'package.module:attr', "
    "'path/to/file.py:attr', 'hf:CLASS' (a transformers model class with its default "
    "configuration, e.g. hf:GPT2LMHeadModel) or a transformers checkpoint folder "
    "(or its config.json: built from the configuration, no weights loaded)"
)


def add_model_arguments(
    parser: argparse.ArgumentParser, *, metavar: str = "MODEL", help: str = MODEL_HELP
) -> None:
    """Add the ``MODEL`` positional (``metavar``, ``help``), ``--input-shape``,
    ``--input-dtype``, ``--input``, ``--trust-remote-code`` and ``--train``."""
    parser.add_argument("model", metavar=metavar, help=help)
    parser.add_argument(
        "--input-shape",
        dest="input_shapes",
        metavar="C,H,W",
        action="append",
        type=parse_shape,
        help="input shape without the batch dimension (repeat for several inputs); "
        "default: the model's registered shape",
    )
    parser.add_argument(
        "--input-dtype",
        dest="input_dtypes",
        metavar="DTYPE",
        action="append",
        type=parse_dtype,
        help="dtype of the input (repeat, in the order of --input-shape): int64 (long) for "
        "token ids, int32, float16, bfloat16, bool...; integer inputs are zeros; "
        "default: the model's registered dtype, else its float dtype",
    )
    parser.add_argument(
        "--input",
        dest="inputs",
        metavar="NAME=D1,D2[:DTYPE]",
        action="append",
        type=parse_input,
        help="a keyword input of the forward (repeatable), e.g. --input input_ids=64:int64 "
        "--input decoder_input_ids=16:int64; it replaces the model's own input of that "
        "name or is fed besides them; the dtype defaults to that input's, else the model's "
        "float dtype. transformers models need none: netviz makes the inputs they expect",
    )
    parser.add_argument(
        "--trust-remote-code",
        action="store_true",
        help="let a transformers checkpoint folder's own modeling code run (its config.json "
        "names it in auto_map); without it such a folder is refused, as transformers does",
    )
    parser.add_argument(
        "--train",
        action="store_true",
        help="trace the training-mode forward (default: eval mode, the inference graph)",
    )


def model_options(args: argparse.Namespace) -> dict[str, Any]:
    """The model options every model-taking command passes to the API."""
    return {"input_shapes": args.input_shapes, "input_dtypes": args.input_dtypes,
            "train": args.train, "inputs": _checked_inputs(args.inputs),
            "trust_remote_code": args.trust_remote_code}


def _checked_inputs(inputs: list[NamedInput] | None) -> tuple[NamedInput, ...] | None:
    """The ``--input`` values, each name once (``UsageError`` otherwise)."""
    from netviz.inputs import named_inputs

    return named_inputs(inputs) if inputs else None


def parse_input(text: str) -> NamedInput:
    """``--input``'s value (see [`netviz.inputs.parse_input`][netviz.inputs.parse_input];
    imported when given: ``netviz --help`` stays light)."""
    from netviz import inputs

    return inputs.parse_input(text)


def parse_shape(text: str) -> Shape:
    """Parse ``"3,32,32"`` (or ``3x32x32``) into ``(3, 32, 32)``.

    Raises:
        InputShapeError: Not a list of positive integers.
    """
    parts = [p.strip() for p in text.replace("x", ",").split(",")]
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        raise InputShapeError(
            f"malformed input shape {text!r}: expected positive integers like 3,32,32"
        ) from None
    if not dims or any(d <= 0 for d in dims):
        raise InputShapeError(
            f"malformed input shape {text!r}: every dimension must be a positive integer"
        )
    if len(dims) > 5:
        raise InputShapeError(f"input shape {text!r} has {len(dims)} dimensions; at most 5")
    return dims
