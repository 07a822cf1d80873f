"""Parsing a ```` ```netviz ```` fence into [`FenceOptions`][netviz.mkdocs.options.FenceOptions].

A fence body is one ``key: value`` per line (blank lines and ``#`` comments are
ignored); a first line without a colon is the model name::

    model: wrn28_2
    legend: true
    direction: LR

Nothing here imports torch: options are checked before anything is rendered,
and they travel to the render worker as plain, picklable data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from netviz.errors import NetvizError
from netviz.inputs import NamedInput, named_inputs
from netviz.ir import Shape
from netviz.mkdocs.fence_words import DOWNLOADS, FORMATS, SHOWS, THUMBNAIL, FenceError
from netviz.vocabulary import (
    CHART_KINDS,
    DEFAULT_CHART,
    DEFAULT_DIRECTION,
    DEFAULT_THEME,
    DIRECTIONS,
    SUMMARY_SUFFIXES,
    THEMES,
    suffix_of,
)

T = TypeVar("T")

_APPLIES: dict[str, frozenset[str]] = {
    "diagram": frozenset(
        {"format", "legend", "fold", "shapes", "direction", "theme", "input_shape", "download",
         "dpi", "annotate", "depth", "fit"}
    ),
    "pseudocode": frozenset({"input_shape", "download"}),
    "summary": frozenset(
        {"format", "by_group", "depth", "caption", "label", "input_shape", "download"}
    ),
    "chart": frozenset({"chart", "input_shape", "download"}),
}
_COMMON = frozenset({"model", "show", "input_dtype", "train", "input", "trust_remote_code"})
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class FenceOptions:
    """Everything one fence asks for; hashable, so equal fences render once.

    Attributes:
        model: A registered model name, ``package.module:attr`` or ``file.py:attr``.
        show: ``diagram``, ``pseudocode``, ``summary`` (a table) or ``chart``.
        format: Diagram: ``svg`` (inline Graphviz SVG) or ``mermaid``; summary:
            ``markdown`` (an HTML table) or a text format shown as code. Empty:
            the default of ``show``.
        legend: Diagram only: add the legend of the marks used.
        fold: Diagram only: fold repeated blocks into one ``x (N - 1)`` cluster.
        shapes: Diagram only: show spatial sizes in data nodes.
        direction: Diagram only: ``TB`` or ``LR``.
        theme: Diagram only: ``light``, ``dark`` or ``paper``.
        input_shapes: Input shapes without the batch dimension; ``None``: registered.
        chart: Chart only: ``params``, ``macs`` or ``shapes``.
        by_group: Summary only: one row per diagram group (a fence's default: yes,
            but for ``torchsummary``, which lists every layer).
        depth: Summary: the module nesting depth of the rows (default 3); diagram: draw
            each module of this level of the module tree as one box (default: none;
            see [`collapse_depth`][netviz.transforms.depth.collapse_depth]).
        caption: Summary only, LaTeX: wrap the tabular in a ``table`` with this caption.
        label: Summary only, LaTeX: the ``\\label`` of that table.
        downloads: File types also written next to the page and linked below it
            (see [`DOWNLOADS`][netviz.mkdocs.options.DOWNLOADS]).
        input_dtypes: Dtype name per input (``int64`` for token ids); ``None``: registered.
        train: Draw or summarize the training-mode forward.
        dpi: Diagram only: resolution of the PNG download; ``None``: the default
            [`PNG_DPI`][netviz.output.PNG_DPI].
        annotate: Diagram only: counts to write on the figure (``params``, ``macs``;
            see [`annotate`][netviz.transforms.annotate.annotate]).
        inputs: Keyword inputs (option ``input``: ``input_ids=64:int64;
            decoder_input_ids=16``); ``None``: the model's own.
        trust_remote_code: Let a transformers checkpoint folder's own modeling code run.
        fit: Diagram only: a box on paper (``17cmx23cm``) the figure is drawn to fit,
            every label 6 pt or more (see [`fit_figure`][netviz.renderers.fit.fit_figure]);
            empty: its natural size. The direction is chosen too unless ``direction`` is
            given.
        direction_given: With ``fit``: whether the fence gave a ``direction`` (kept, not chosen).
        diff: Another model (B) to compare ``model`` (A) with (see
            [`netviz.diff`][netviz.api.diff]): a diagram shows B's figure with the
            differences marked (with its legend unless ``legend: false``), a summary the
            text form (``markdown``: the changes and a table of numbers; ``text``). Input
            options apply to both. Empty: no diff.
    """

    model: str
    show: str = "diagram"
    format: str = ""
    legend: bool = False
    fold: bool = True
    shapes: bool = False
    direction: str = DEFAULT_DIRECTION
    theme: str = DEFAULT_THEME
    input_shapes: tuple[Shape, ...] | None = None
    chart: str = DEFAULT_CHART
    by_group: bool = True
    depth: int | None = None
    caption: str | None = None
    label: str | None = None
    downloads: tuple[str, ...] = ()
    input_dtypes: tuple[str, ...] | None = None
    train: bool = False
    dpi: int | None = None
    annotate: tuple[str, ...] = ()
    inputs: tuple[NamedInput, ...] | None = None
    trust_remote_code: bool = False
    fit: str = ""
    direction_given: bool = False
    diff: str = ""

    def __post_init__(self) -> None:
        if not self.format and self.show in FORMATS:
            object.__setattr__(self, "format", FORMATS[self.show][0])

    @property
    def summary_depth(self) -> int:
        """The depth of a summary's rows (3 unless given)."""
        return 3 if self.depth is None else self.depth

    @property
    def subject(self) -> Subject:
        """What is traced: the model and its input and mode options."""
        return Subject(self.model, self.input_shapes, self.input_dtypes, self.train, self.inputs,
                       self.trust_remote_code)

    @property
    def subjects(self) -> tuple[Subject, ...]:
        """Every model traced: the model, and the one it is compared with (``diff``)."""
        if not self.diff:
            return (self.subject,)
        return (self.subject, Subject(self.diff, self.input_shapes, self.input_dtypes, self.train,
                                      self.inputs, self.trust_remote_code))


@dataclass(frozen=True)
class Subject:
    """A model as traced: one trace serves every fence with the same subject.

    Attributes:
        model: A registered model name, ``package.module:attr`` or ``file.py:attr``.
        input_shapes: Input shapes without the batch dimension; ``None``: registered.
        input_dtypes: Dtype name per input; ``None``: registered.
        train: The training-mode forward.
        inputs: Keyword inputs; ``None``: the model's own.
        trust_remote_code: Let a transformers checkpoint folder's own modeling code run.
    """

    model: str
    input_shapes: tuple[Shape, ...] | None = None
    input_dtypes: tuple[str, ...] | None = None
    train: bool = False
    inputs: tuple[NamedInput, ...] | None = None
    trust_remote_code: bool = False

    def api_options(self) -> dict[str, Any]:
        """Keyword arguments of the public API functions for this subject."""
        return {"input_shapes": self.input_shapes, "input_dtypes": self.input_dtypes,
                "train": self.train, "inputs": self.inputs,
                "trust_remote_code": self.trust_remote_code}


_RENAMED = {"input_shapes": "input_shape", "downloads": "download", "input_dtypes": "input_dtype",
            "inputs": "input"}
OPTION_NAMES = tuple(_RENAMED.get(f.name, f.name) for f in fields(FenceOptions)
                     if f.name != "direction_given")
"""The option keys a fence accepts."""


def parse_fence(source: str, header: Mapping[str, str] | None = None) -> FenceOptions:
    """Parse a fence body (and options from its header line) into options.

    Args:
        source: The text between the fence lines.
        header: ``key="value"`` options written on the opening fence line.

    Raises:
        FenceError: Unknown option, bad value, missing model, or an option
            that does not apply to what the fence shows.
    """
    raw: dict[str, str] = {}
    for key, value in (header or {}).items():
        raw[_key(key)] = str(value).strip()
    for number, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if ":" not in text:
            if raw or number != _first_content_line(source):
                raise FenceError(f"line {number} {text!r} is not 'key: value'")
            raw["model"] = text
            continue
        key, _, value = text.partition(":")
        key = _key(key)
        if key in raw:
            raise FenceError(f"option {key!r} is given twice")
        raw[key] = value.strip()
    return _build(raw)


def _first_content_line(source: str) -> int:
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() and not line.strip().startswith("#"):
            return number
    return 0


def _key(key: str) -> str:
    return key.strip().lower().replace("-", "_")


def _build(raw: dict[str, str]) -> FenceOptions:
    unknown = sorted(set(raw) - set(OPTION_NAMES))
    if unknown:
        raise FenceError(
            f"unknown option {unknown[0]!r}; known options: {', '.join(OPTION_NAMES)}"
        )
    model = raw.get("model", "")
    if not model:
        raise FenceError("no model given; write 'model: NAME' (see 'netviz list')")
    show = _choice(raw, "show", SHOWS, "diagram")
    diff = raw.get("diff", "")
    if "diff" in raw:
        from netviz.mkdocs.diff_fence import check_diff

        check_diff(raw, show)
    misplaced = sorted(set(raw) - _COMMON - {"diff"} - _APPLIES[show])
    if misplaced:
        allowed = ", ".join(sorted(_APPLIES[show]))
        raise FenceError(
            f"option {misplaced[0]!r} does not apply to 'show: {show}' (it takes: {allowed})"
        )
    fmt = _choice(raw, "format", FORMATS.get(show, ("",)), "")
    return FenceOptions(
        model=model,
        show=show,
        format=fmt,
        legend=_bool(raw, "legend", bool(diff)),
        fold=_bool(raw, "fold", True),
        shapes=_bool(raw, "shapes", False),
        direction=_choice(raw, "direction", DIRECTIONS, DEFAULT_DIRECTION, upper=True),
        theme=_choice(raw, "theme", THEMES, DEFAULT_THEME),
        input_shapes=_shapes(raw.get("input_shape")),
        chart=_choice(raw, "chart", CHART_KINDS, DEFAULT_CHART),
        by_group=_bool(raw, "by_group", fmt != "torchsummary"),  # it has no groups
        depth=_int(raw, "depth", None),
        caption=raw.get("caption") or None,
        label=raw.get("label") or None,
        downloads=_downloads(raw.get("download"), DOWNLOADS[show]),
        input_dtypes=_dtypes(raw.get("input_dtype")),
        train=_bool(raw, "train", False),
        dpi=_dpi(raw),
        annotate=_annotations(raw.get("annotate")),
        inputs=_inputs(raw.get("input")),
        trust_remote_code=_bool(raw, "trust_remote_code", False),
        fit=_fit(raw, show),
        direction_given="direction" in raw and "fit" in raw,
        diff=diff,
    )


def _choice(
    raw: dict[str, str], key: str, allowed: tuple[str, ...], default: str, upper: bool = False
) -> str:
    if key not in raw:
        return default
    value = raw[key].upper() if upper else raw[key].lower()
    if value not in allowed:
        raise FenceError(f"{key}: {raw[key]!r} is not one of: {', '.join(allowed)}")
    return value


def _bool(raw: dict[str, str], key: str, default: bool) -> bool:
    if key not in raw:
        return default
    value = raw[key].lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise FenceError(f"{key}: {raw[key]!r} is not a boolean (true or false)")


def _fit(raw: dict[str, str], show: str) -> str:
    if "fit" not in raw:
        return ""
    from netviz.renderers.fit import parse_box

    if raw.get("format", "svg").lower() != "svg":
        raise FenceError("fit: a box on paper applies to the SVG diagram, not Mermaid")
    try:
        return parse_box(raw["fit"]).text
    except NetvizError as exc:
        raise FenceError(str(exc)) from None


def _int(raw: dict[str, str], key: str, default: int | None) -> int | None:
    if key not in raw:
        return default
    try:
        value = int(raw[key])
    except ValueError:
        raise FenceError(f"{key}: {raw[key]!r} is not an integer") from None
    if value < 0:
        raise FenceError(f"{key}: {value} must be >= 0")
    return value


def _dpi(raw: dict[str, str]) -> int | None:
    if "dpi" not in raw:
        return None
    from netviz.output import check_dpi

    try:
        value = check_dpi(int(raw["dpi"]))
    except ValueError:
        raise FenceError(f"dpi: {raw['dpi']!r} is not a whole number") from None
    except NetvizError as exc:
        raise FenceError(str(exc)) from None
    if "png" not in _downloads(raw.get("download"), DOWNLOADS["diagram"]):
        raise FenceError("dpi sets the resolution of the PNG download: add 'download: png'")
    return value


def _annotations(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    from netviz.transforms.annotate import parse_annotations

    words = text.replace(",", " ").split()
    if not words:
        raise FenceError("annotate: empty; write e.g. 'annotate: params, macs'")
    try:
        return parse_annotations(words)
    except NetvizError as exc:
        raise FenceError(f"annotate: {exc}") from None


def _downloads(text: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if text is None:
        return ()
    parts = text.replace(",", " ").split()
    kinds = tuple(dict.fromkeys(part.strip().lower().lstrip(".") for part in parts))
    for kind in kinds:
        if kind not in allowed:
            raise FenceError(f"download: {kind!r} is not one of: {', '.join(allowed)}")
    return kinds


def _listed(text: str | None, key: str, example: str, parse: Callable[[str], T]) -> tuple[T, ...] | None:
    """The values of a fence option that lists one per input (``3,32,32; 1,32,32``)."""
    if text is None:
        return None
    parts = [part for part in text.replace(";", " ").split() if part]
    if not parts:
        raise FenceError(f"{key}: empty; write e.g. '{key}: {example}'")
    try:
        return tuple(parse(part) for part in parts)
    except NetvizError as exc:
        raise FenceError(f"{key}: {exc}") from None


def _shapes(text: str | None) -> tuple[Shape, ...] | None:
    from netviz.commands._common import parse_shape

    return _listed(text, "input_shape", "3,32,32", parse_shape)


def _inputs(text: str | None) -> tuple[NamedInput, ...] | None:
    if text is None:
        return None
    parts = [part.strip() for part in text.split(";") if part.strip()]
    if not parts:
        raise FenceError("input: empty; write e.g. 'input: input_ids=64:int64; "
                         "decoder_input_ids=16'")
    try:
        return named_inputs(parts)
    except NetvizError as exc:
        raise FenceError(f"input: {exc}") from None


def _dtypes(text: str | None) -> tuple[str, ...] | None:
    from netviz.dtypes import parse_dtype

    return _listed(text.replace(",", " ") if text else text, "input_dtype", "int64", parse_dtype)


def cli_command(options: FenceOptions, output: str | None = None) -> str:
    """The ``netviz`` command line that reproduces what a fence shows.

    Args:
        options: The fence.
        output: Output file name; default: ``<model>.<suffix>`` for the kind shown.
    """
    model = options.model
    stem = model.split("(", 1)[0].rsplit(":", 1)[-1].rsplit("/", 1)[-1].replace(".py", "")
    args = ["netviz"]
    shape_args = [
        f"--input-shape {','.join(str(d) for d in shape)}" for shape in options.input_shapes or ()
    ]
    shape_args += [f"--input-dtype {dtype}" for dtype in options.input_dtypes or ()]
    shape_args += [f"--input {item.text()}" for item in options.inputs or ()]
    shape_args += ["--trust-remote-code"] if options.trust_remote_code else []
    shape_args += ["--train"] if options.train else []
    if options.diff:
        from netviz.mkdocs.diff_fence import diff_args

        return " ".join(["netviz", "diff", _quote(model), _quote(options.diff), *shape_args,
                         *diff_args(options, stem, output)])
    if options.show == "diagram":
        suffix = "svg" if options.format == "svg" else "mmd"
        args += ["render", _quote(model), "-o", output or f"{stem}.{suffix}", *shape_args]
        args += ["--legend"] if options.legend else []
        args += ["--no-fold"] if not options.fold else []
        args += ["--shapes"] if options.shapes else []
        given = options.direction != DEFAULT_DIRECTION or (options.fit and options.direction_given)
        args += [f"--direction {options.direction}"] if given else []
        args += [f"--theme {options.theme}"] if options.theme != DEFAULT_THEME else []
        args += [f"--annotate {','.join(options.annotate)}"] if options.annotate else []
        args += [f"--depth {options.depth}"] if options.depth is not None else []
        args += [f"--fit {options.fit}"] if options.fit else []
    elif options.show == "pseudocode":
        args += ["pseudocode", _quote(model), "-o", output or f"{stem}.txt", *shape_args]
    elif options.show == "summary":
        args += ["summary", _quote(model), f"--format {options.format}", *shape_args]
        if options.format != "torchsummary":  # every layer, whatever the depth
            args += ["--by-group"] if options.by_group else [f"--depth {options.summary_depth}"]
        args += [f"--caption {_quote(options.caption)}"] if options.caption else []
        args += [f"--label {_quote(options.label)}"] if options.label else []
        summary_suffix = suffix_of(options.format, SUMMARY_SUFFIXES)
        if summary_suffix is not None:
            args += ["-o", output or f"{stem}.{summary_suffix}"]
        else:  # torchsummary has no suffix of its own
            args += [">", output or f"{stem}.txt"]
    else:
        args += ["plot", _quote(model), "--kind", options.chart]
        args += ["-o", output or f"{stem}.{options.chart}.svg", *shape_args]
    return " ".join(args)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
