"""The bad-input corpus (issue 6): every bad invocation fails with one clear line.

Each case runs ``netviz.cli.main`` in-process and asserts: a non-zero exit, exactly
one line on stderr, starting with ``netviz: error:`` and matching the case's words,
no traceback, nothing on stdout, and no output or temporary file left behind (the
whole tmp folder is listed before and after).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from netviz.cli import main
from tests.zoo import MODELS_FILE

SPEC_FILES = {
    "raises.py": "import torch\nraise RuntimeError('checkpoint config missing')\n",
    "syntax.py": "def broken(:\n    pass\n",
    "exits.py": "import sys\nsys.exit(3)\n",
    "needs_dep.py": "import netviz_no_such_dependency\n",
    "notes.txt": "not python\n",
    "lm.py": (
        "from torch import nn\n\n\n"
        "def build():\n"
        "    return nn.Sequential(nn.Embedding(20, 8), nn.Linear(8, 20))\n"
    ),
    "deep.py": (
        "from torch import nn\n"
        "from netviz_models.wideresnet import WideResNet\n\n\n"
        "def huge_invalid():\n"
        "    return WideResNet(10**6 + 1, 1)\n\n\n"
        "def nested():\n"
        "    inner = nn.Conv2d(3, 4, 3, padding=1)\n"
        "    for _ in range(2000):\n"
        "        inner = nn.Sequential(inner)\n"
        "    return inner\n"
    ),
}
_EMPTY = r"(?i)empty|no (layers?|ops|operations)|nothing to (draw|trace|show)"
_NO_DOT = r"Graphviz 'dot' binary is not installed"


@dataclass
class Env:
    """Where a case runs: ``out`` is inside the listed tmp folder, ``spec`` outside it."""

    out: Path
    spec: Path
    monkeypatch: pytest.MonkeyPatch
    undo: list[Callable[[], None]]


Setup = Callable[[Env], None]


@dataclass(frozen=True)
class Bad:
    """One bad invocation: its argv (``{out}``, ``{spec}``, ``{zoo}`` filled in) and
    a regular expression its error line must match."""

    id: str
    argv: tuple[str, ...]
    words: str
    setup: Setup | None = None


def no_dot(env: Env) -> None:
    empty = env.out.parent / "empty-path"
    empty.mkdir()
    env.monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None


def out_dir_named(name: str) -> Setup:
    def setup(env: Env) -> None:
        (env.out / name).mkdir()

    return setup


def out_file_named(name: str) -> Setup:
    def setup(env: Env) -> None:
        (env.out / name).write_text("a file, not a folder\n")

    return setup


def read_only_out(env: Env) -> None:
    """A folder nobody may write to: mode 0555, or (root ignores modes) immutable."""
    if os.geteuid() != 0:
        env.out.chmod(0o555)
        return
    chattr = shutil.which("chattr")
    made = chattr is not None and not subprocess.run(
        [chattr, "+i", str(env.out)], check=False, capture_output=True
    ).returncode
    if not made:
        pytest.skip("running as root without 'chattr +i' here: a read-only folder cannot be made")
    env.undo.append(lambda: subprocess.run([chattr, "-i", str(env.out)], check=True))


def rename_fails(env: Env) -> None:
    def replace(src: str, dst: str) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    env.monkeypatch.setattr("netviz.output.os.replace", replace)
    env.monkeypatch.setenv("NETVIZ_NO_CACHE", "1")  # os is patched for the cache's writes too


def disk_full(env: Env) -> None:
    real = os.fdopen

    class Full:
        def __init__(self, fd: int) -> None:
            self.handle = real(fd, "wb")

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    env.monkeypatch.setattr("netviz.output.os.fdopen", lambda fd, mode="r": Full(fd))
    env.monkeypatch.setenv("NETVIZ_NO_CACHE", "1")  # os is patched for the cache's writes too


def terminal(env: Env) -> None:
    """stdout is a terminal (as far as netviz can tell)."""
    env.monkeypatch.setattr(sys.stdout, "isatty", lambda: True)


def R(id: str, *argv: str, words: str, setup: Setup | None = None) -> Bad:  # noqa: N802
    """A ``netviz render`` case."""
    return Bad(id, ("render", *argv), words, setup)


CASES: list[Bad] = [
    # --- model names and specs ---------------------------------------------------
    R("unknown-model", "nosuchmodel", "-o", "{out}/d.dot", words=r"unknown model 'nosuchmodel'"),
    R("misspelled-model", "wrn28-2x", "-o", "{out}/d.dot", words=r"did you mean: .*\bwrn28_2\b"),
    R("misspelled-resnet", "resnet5O", "-o", "{out}/d.dot", words=r"did you mean: .*\bresnet50\b"),
    R("empty-spec", "", "-o", "{out}/d.dot", words=r"(?i)invalid model spec|model"),
    R("blank-spec", "   ", "-o", "{out}/d.dot", words=r"(?i)invalid model spec|model"),
    R("colon-only", ":", "-o", "{out}/d.dot", words=r"malformed model spec ':'"),
    R("spec-without-target", ":Net", "-o", "{out}/d.dot", words=r"malformed model spec"),
    R("spec-without-attr", "netviz_models.wideresnet:", "-o", "{out}/d.dot", words=r"malformed model spec"),
    R("attr-not-identifier", "netviz_models.wideresnet:wrn28-2", "-o", "{out}/d.dot",
      words=r"malformed model spec"),
    R("target-not-module-path", "not a module:Net", "-o", "{out}/d.dot",
      words=r"neither a module path nor a \.py file"),
    R("missing-module", "no_such_pkg_xyz.models:Net", "-o", "{out}/d.dot",
      words=r"no module named 'no_such_pkg_xyz'"),
    R("missing-attr", "netviz_models.wideresnet:wrn28_3", "-o", "{out}/d.dot",
      words=r"has no attribute 'wrn28_3'; did you mean: .*wrn28_2"),
    R("missing-file", "{spec}/missing.py:Net", "-o", "{out}/d.dot", words=r"no such file"),
    R("not-a-py-file", "{spec}/notes.txt:Net", "-o", "{out}/d.dot", words=r"not a \.py file"),
    R("folder-as-model", "{spec}", "-o", "{out}/d.dot", words=r"name the model inside it"),
    R("file-without-attr", "{zoo}", "-o", "{out}/d.dot", words=r"name the model inside it"),
    R("file-raises-on-import", "{spec}/raises.py:Net", "-o", "{out}/d.dot",
      words=r"raised RuntimeError: checkpoint config missing"),
    R("file-syntax-error", "{spec}/syntax.py:Net", "-o", "{out}/d.dot", words=r"SyntaxError"),
    R("file-calls-sys-exit", "{spec}/exits.py:Net", "-o", "{out}/d.dot", words=r"SystemExit"),
    R("file-missing-dependency", "{spec}/needs_dep.py:Net", "-o", "{out}/d.dot",
      words=r"ModuleNotFoundError: .*netviz_no_such_dependency"),
    R("attr-is-an-object", "{zoo}:NOT_A_MODULE_INSTANCE", "-o", "{out}/d.dot",
      words=r"not an nn\.Module"),
    R("attr-is-a-callable-object", "{zoo}:CALLABLE_INSTANCE", "-o", "{out}/d.dot",
      words=r"(?i)not an nn\.Module|needs argument"),
    R("attr-is-a-dict", "{zoo}:CONFIG", "-o", "{out}/d.dot", words=r"it is of type dict"),
    R("attr-is-a-tensor", "{zoo}:A_TENSOR", "-o", "{out}/d.dot", words=r"it is of type Tensor"),
    R("attr-is-a-number", "{zoo}:A_NUMBER", "-o", "{out}/d.dot",
      words=r"not an nn\.Module class, builder or instance \(it is of type int\)"),
    R("attr-is-a-plain-class", "{zoo}:NotAModule", "-o", "{out}/d.dot",
      words=r"'NotAModule' is not an nn\.Module"),
    R("builder-needs-args", "{zoo}:needs_args_builder", "-o", "{out}/d.dot",
      words=r"needs argument\(s\) width"),
    R("class-needs-args", "{zoo}:NeedsArgs", "-o", "{out}/d.dot", words=r"needs argument\(s\) width"),
    R("class-needs-args-reference", "netviz_models.wideresnet:WideResNet", "-o", "{out}/d.dot",
      words=r"needs argument\(s\) depth, widen_factor"),
    R("builder-returns-none", "{zoo}:builder_returns_none", "-o", "{out}/d.dot",
      words=r"NoneType, not an nn\.Module"),
    R("builder-raises", "{zoo}:builder_raises", "-o", "{out}/d.dot",
      words=r"ValueError: depth should be 6n\+4"),
    R("no-input-shape-known", "{zoo}:FunctionalOps", "-o", "{out}/d.dot",
      words=r"no input shape known .*--input-shape"),
    # --- models that cannot be drawn ----------------------------------------------
    R("empty-model", "{zoo}:EmptyModel", "--input-shape", "3,8,8", "-o", "{out}/d.dot",
      words=_EMPTY),
    R("empty-sequential", "{zoo}:EmptySequential", "--input-shape", "3,8,8", "-o", "{out}/d.dot",
      words=_EMPTY),
    R("forward-raises", "{zoo}:ForwardRaises", "--input-shape", "3,8,8", "-o", "{out}/d.svg",
      words=r"model forward raised .*boom: the user's forward is broken"),
    R("untraceable-and-forward-raises", "{zoo}:UntraceableRaises", "--input-shape", "3,8,8",
      "-o", "{out}/d.mmd", words=r"KeyError: .*no such head"),
    R("model-disagrees-with-itself", "{zoo}:WrongChannels", "--input-shape", "3,8,8",
      "-o", "{out}/d.dot", words=r"'b' .*expects 16 input channels, got 8"),
    R("huge-depth-invalid", "{spec}/deep.py:huge_invalid", "--input-shape", "3,32,32",
      "-o", "{out}/d.dot", words=r"depth must be 6N \+ 4"),
    R("huge-nesting", "{spec}/deep.py:nested", "--input-shape", "3,8,8", "-o", "{out}/d.dot",
      words=r"recursion depth"),
    # --- input shapes ---------------------------------------------------------------
    R("shape-letters", "wrn28_2", "--input-shape", "a,b,c", "-o", "{out}/d.dot",
      words=r"malformed input shape 'a,b,c'"),
    R("shape-negative", "wrn28_2", "--input-shape=-3,32,32", "-o", "{out}/d.dot",
      words=r"positive integer"),
    R("shape-zero", "wrn28_2", "--input-shape", "0,32,32", "-o", "{out}/d.dot",
      words=r"positive integer"),
    R("shape-empty-dim", "wrn28_2", "--input-shape", "3,,32", "-o", "{out}/d.dot",
      words=r"malformed input shape"),
    R("shape-float", "wrn28_2", "--input-shape", "3,32.5,32", "-o", "{out}/d.dot",
      words=r"malformed input shape"),
    R("shape-empty", "wrn28_2", "--input-shape=", "-o", "{out}/d.dot", words=r"malformed input shape"),
    R("shape-too-many-dims", "wrn28_2", "--input-shape", "1,2,3,4,5,6", "-o", "{out}/d.dot",
      words=r"at most 5"),
    R("shape-wrong-channels", "wrn28_2", "--input-shape", "1,32,32", "-o", "{out}/d.dot",
      words=r"expects 3 input channels, got 1"),
    R("shape-too-small", "wrn28_2", "--input-shape", "3,2,2", "-o", "{out}/d.dot",
      words=r"too small"),
    R("shape-wrong-rank", "wrn28_2", "--input-shape", "3,32", "-o", "{out}/d.dot",
      words=r"(?i)\bdim"),
    R("shape-two-for-one-input", "wrn28_2", "--input-shape", "3,32,32", "--input-shape", "3,32,32",
      "-o", "{out}/d.dot", words=r"takes 1 input"),
    R("shape-one-for-two-inputs", "{zoo}:TwoInputs", "--input-shape", "3,8,8", "-o", "{out}/d.dot",
      words=r"takes 2 input"),
    R("shape-3d-for-conv1d", "{zoo}:Conv1dNet", "--input-shape", "4,16,16", "-o", "{out}/d.dot",
      words=r"(?i)'stem'|dimension"),
    # --- keyword inputs (--input NAME=D1,D2[:DTYPE]) ----------------------------------
    R("input-no-equals", "wrn28_2", "--input", "x", "-o", "{out}/d.dot",
      words=r"malformed input 'x': no '='; write NAME=D1,D2\[:DTYPE\]"),
    R("input-bad-name", "wrn28_2", "--input", "3x=3,32,32", "-o", "{out}/d.dot",
      words=r"malformed input '3x=3,32,32': '3x' is not a parameter name"),
    R("input-letters", "wrn28_2", "--input", "x=a,b", "-o", "{out}/d.dot",
      words=r"malformed input 'x=a,b': 'a,b' is not a list of positive integers"),
    R("input-no-shape", "wrn28_2", "--input", "x=:int64", "-o", "{out}/d.dot",
      words=r"malformed input 'x=:int64': no shape"),
    R("input-zero", "wrn28_2", "--input", "x=3,0,32", "-o", "{out}/d.dot",
      words=r"every dimension must be a positive integer"),
    R("input-bad-dtype", "wrn28_2", "--input", "x=3,32,32:int99", "-o", "{out}/d.dot",
      words=r"malformed input 'x=3,32,32:int99': unknown input dtype 'int99'"),
    R("input-no-dtype", "wrn28_2", "--input", "x=3,32,32:", "-o", "{out}/d.dot",
      words=r"no dtype after ':'"),
    R("input-twice", "wrn28_2", "--input", "x=3,32,32", "--input", "x=3,64,64",
      "-o", "{out}/d.dot", words=r"input 'x' is given twice"),
    R("input-unknown-name", "wrn28_2", "--input", "y=3,32,32", "-o", "{out}/d.dot",
      words=r"wrn28_2 takes no input named 'y' \(its forward takes: x\)"),
    R("input-wrong-shape", "wrn28_2", "--input", "x=1,32,32", "-o", "{out}/d.dot",
      words=r"expects 3 input channels, got 1"),
    # --- input dtypes -------------------------------------------------------------------
    R("dtype-unknown", "wrn28_2", "--input-dtype", "int65", "-o", "{out}/d.dot",
      words=r"unknown input dtype 'int65'; choose one of: .*int64"),
    R("dtype-count-mismatch", "wrn28_2", "--input-dtype", "float32", "--input-dtype", "float32",
      "-o", "{out}/d.dot", words=r"2 input dtype\(s\) given for 1 input"),
    R("dtype-float-for-embedding", "{spec}/lm.py:build", "--input-shape", "8", "--input-dtype",
      "float32", "-o", "{out}/d.dot", words=r"'0' \(Embedding\) expects integer indices, got float32"),
    R("dtype-default-float-for-embedding", "{spec}/lm.py:build", "--input-shape", "8",
      "-o", "{out}/d.svg", words=r"expects integer indices.*--input-dtype int64"),
    Bad("summary-dtype-float-for-embedding",
        ("summary", "{spec}/lm.py:build", "--input-shape", "8", "--input-dtype", "half", "-o",
         "{out}/s.json"), r"expects integer indices, got float16"),
    R("shape-with-batch-dim", "wrn28_2", "--input-shape", "1,3,32,32", "-o", "{out}/d.dot",
      words=r"got 5D .*leave out the batch dimension: use 3,32,32$"),
    R("shape-with-batch-of-8", "resnet18", "--input-shape", "8,3,64,64", "-o", "{out}/d.dot",
      words=r"leave out the batch dimension: if 8 is the batch size, use 3,64,64$"),
    R("shape-with-batch-dim-conv1d", "{zoo}:Conv1dNet", "--input-shape", "1,4,16",
      "-o", "{out}/d.dot", words=r"leave out the batch dimension: use 4,16$"),
    R("shape-with-batch-dim-fallback", "{zoo}:DataDependent", "--input-shape", "1,3,8,8",
      "-o", "{out}/d.dot", words=r"leave out the batch dimension: use 3,8,8$"),
    # --- formats ----------------------------------------------------------------------
    R("unknown-suffix", "wrn28_2", "-o", "{out}/d.xyz", words=r"cannot tell the format"),
    R("no-suffix", "wrn28_2", "-o", "{out}/diagram", words=r"cannot tell the format"),
    R("summary-suffix-for-render", "wrn28_2", "-o", "{out}/d.md", words=r"cannot tell the format"),
    R("format-contradicts-suffix", "wrn28_2", "-o", "{out}/d.svg", "--format", "mmd",
      words=r"--format mmd contradicts the suffix"),
    R("unknown-format", "wrn28_2", "--format", "jpeg", "-o", "{out}/d.jpeg",
      words=r"invalid choice: 'jpeg'"),
    R("bad-direction", "wrn28_2", "--direction", "XY", "-o", "{out}/d.dot", words=r"invalid choice"),
    R("bad-theme", "wrn28_2", "--theme", "neon", "-o", "{out}/d.dot", words=r"invalid choice"),
    # --- PNG resolution -----------------------------------------------------------------
    R("dpi-zero", "wrn28_2", "--dpi", "0", "-o", "{out}/d.png",
      words=r"--dpi must be a whole number from 36 to 1200, not 0$"),
    R("dpi-negative", "wrn28_2", "--dpi=-72", "-o", "{out}/d.png", words=r"from 36 to 1200, not -72"),
    R("dpi-absurd", "wrn28_2", "--dpi", "100000", "-o", "{out}/d.png",
      words=r"from 36 to 1200, not 100000"),
    R("dpi-not-a-number", "wrn28_2", "--dpi", "high", "-o", "{out}/d.png",
      words=r"--dpi: 'high' is not a whole number"),
    R("dpi-fraction", "wrn28_2", "--dpi", "150.5", "-o", "{out}/d.png", words=r"not a whole number"),
    R("dpi-for-svg", "wrn28_2", "--dpi", "300", "-o", "{out}/d.svg",
      words=r"--dpi applies to PNG output only, not svg"),
    R("png-to-a-terminal", "wrn28_2", "--format", "png", words=r"png is binary .*-o FILE$",
      setup=terminal),
    R("pdf-to-a-terminal", "wrn28_2", "--format", "PDF", "-o", "-", words=r"pdf is binary .*-o FILE",
      setup=terminal),
    # --- paper figures: annotations, print width ------------------------------------
    R("annotate-unknown", "wrn28_2", "--annotate", "flops", "-o", "{out}/d.tex",
      words=r"unknown annotation 'flops'; choose from: params, macs$"),
    R("annotate-unknown-in-a-list", "wrn28_2", "--annotate", "params,flops", "-o", "{out}/d.svg",
      words=r"unknown annotation 'flops'"),
    R("annotate-the-listing", "wrn28_2", "--annotate", "params", "-o", "{out}/d.txt",
      words=r"annotate applies to figures, not the txt listing"),
    R("width-unknown-unit", "wrn28_2", "--width", "8.5furlong", "-o", "{out}/d.tex",
      words=r"unknown unit 'furlong'; use one of: cm, mm, in, pt$"),
    R("width-without-unit", "wrn28_2", "--width", "8.5", "-o", "{out}/d.pdf",
      words=r"'8.5' is not a number and a unit"),
    R("width-negative", "wrn28_2", "--width=-8.5cm", "-o", "{out}/d.svg",
      words=r"width must be positive, not '-8.5cm'"),
    R("width-zero", "wrn28_2", "--width", "0mm", "-o", "{out}/d.tikz",
      words=r"width must be positive, not '0mm'"),
    R("width-absurd", "wrn28_2", "--width", "5000cm", "-o", "{out}/d.svg",
      words=r"wider than 100 in"),
    R("width-for-dot-text", "wrn28_2", "--width", "8.5cm", "-o", "{out}/d.dot",
      words=r"width applies to figures with a size \(svg, png, pdf, tex, tikz\), not dot"),
    R("width-for-mermaid", "wrn28_2", "--width", "8.5cm", "-o", "{out}/d.mmd",
      words=r"not mmd"),
    R("width-for-the-listing", "wrn28_2", "--width", "8.5cm", "-o", "{out}/d.txt",
      words=r"width applies to figures, not the txt listing"),
    R("no-dot-tex", "wrn28_2", "-o", "{out}/d.tex", words=_NO_DOT, setup=no_dot),
    R("no-dot-tikz", "wrn28_2", "-o", "{out}/d.tikz", words=_NO_DOT, setup=no_dot),
    # --- output paths -----------------------------------------------------------------
    R("output-is-a-folder", "wrn28_2", "-o", "{out}/d.svg", words=r"is a directory",
      setup=out_dir_named("d.svg")),
    R("output-is-the-tmp-folder", "wrn28_2", "--format", "dot", "-o", "{out}",
      words=r"is a directory"),
    R("missing-parent-folder", "wrn28_2", "-o", "{out}/missing/d.dot", words=r"does not exist"),
    R("parent-is-a-file", "wrn28_2", "-o", "{out}/afile/d.dot", words=r"(?i)does not exist|not a",
      setup=out_file_named("afile")),
    R("read-only-folder", "wrn28_2", "-o", "{out}/d.dot", words=r"not writable",
      setup=read_only_out),
    R("unwritable-proc", "wrn28_2", "-o", "/proc/netviz-bad-input.dot", words=r"cannot write"),
    R("unwritable-sys", "wrn28_2", "-o", "/sys/netviz-bad-input.dot", words=r"cannot write"),
    R("rename-fails", "wrn28_2", "-o", "{out}/d.dot", words=r"cannot write .*cross-device",
      setup=rename_fails),
    R("disk-full", "wrn28_2", "-o", "{out}/d.mmd", words=r"cannot write .*No space left",
      setup=disk_full),
    # --- the Graphviz binary ------------------------------------------------------------
    R("no-dot-svg", "wrn28_2", "-o", "{out}/d.svg", words=_NO_DOT, setup=no_dot),
    R("no-dot-png", "wrn28_2", "-o", "{out}/d.png", words=_NO_DOT, setup=no_dot),
    R("no-dot-pdf", "wrn28_2", "-o", "{out}/d.pdf", words=_NO_DOT, setup=no_dot),
    R("no-dot-to-stdout", "wrn28_2", "--format", "svg", "-o", "-", words=_NO_DOT, setup=no_dot),
    R("no-dot-checked-before-the-model", "nosuchmodel", "-o", "{out}/d.svg", words=_NO_DOT,
      setup=no_dot),
    # --- usage -------------------------------------------------------------------------
    Bad("render-without-model", ("render",), r"required: MODEL"),
    Bad("misspelled-command", ("rendr", "wrn28_2"), r"invalid choice: 'rendr'"),
    R("unknown-option", "wrn28_2", "--fold", "-o", "{out}/d.dot", words=r"unrecognized arguments"),
    Bad("no-command", (), r"required: COMMAND"),
    # --- pseudocode -------------------------------------------------------------------
    Bad("pseudocode-misspelled", ("pseudocode", "wrn28-2x", "-o", "{out}/p.txt"), r"wrn28_2"),
    Bad("pseudocode-missing-parent", ("pseudocode", "wrn28_2", "-o", "{out}/no/p.txt"),
        r"does not exist"),
    Bad("pseudocode-forward-raises",
        ("pseudocode", "{zoo}:ForwardRaises", "--input-shape", "3,8,8", "-o", "{out}/p.txt"),
        r"boom"),
    Bad("pseudocode-bad-shape", ("pseudocode", "wrn28_2", "--input-shape", "3,x,3"),
        r"malformed input shape"),
    # --- summary ----------------------------------------------------------------------
    Bad("summary-unknown-format", ("summary", "wrn28_2", "--format", "xml"), r"invalid choice: 'xml'"),
    Bad("summary-unknown-suffix", ("summary", "wrn28_2", "-o", "{out}/s.xyz"),
        r"cannot tell the format"),
    Bad("summary-negative-depth", ("summary", "wrn28_2", "--depth", "-1", "-o", "{out}/s.txt"),
        r"--depth must be 0 or more"),
    Bad("summary-depth-not-a-number", ("summary", "wrn28_2", "--depth", "two"), r"invalid int value"),
    Bad("summary-format-contradicts-suffix",
        ("summary", "wrn28_2", "--format", "latex", "-o", "{out}/s.csv"), r"contradicts"),
    Bad("summary-torchsummary-contradicts-suffix",
        ("summary", "wrn28_2", "--format", "torchsummary", "-o", "{out}/s.json"), r"contradicts"),
    Bad("summary-output-is-a-folder", ("summary", "wrn28_2", "--format", "text", "-o", "{out}"),
        r"is a directory"),
    Bad("summary-unknown-model", ("summary", "wrn28-2x", "-o", "{out}/s.md"), r"wrn28_2"),
    Bad("summary-shape-with-batch-dim",
        ("summary", "wrn28_2", "--input-shape", "1,3,32,32", "-o", "{out}/s.md"),
        r"leave out the batch dimension: use 3,32,32$"),
    Bad("pseudocode-shape-with-batch-dim", ("pseudocode", "wrn28_2", "--input-shape", "1,3,32,32"),
        r"leave out the batch dimension: use 3,32,32$"),
    Bad("summary-wrong-channels", ("summary", "wrn28_2", "--input-shape", "1,32,32", "-o", "{out}/s.md"),
        r"(?i)channel"),
    Bad("summary-forward-raises",
        ("summary", "{zoo}:ForwardRaises", "--input-shape", "3,8,8", "-o", "{out}/s.json"), r"boom"),
    Bad("summary-empty-model",
        ("summary", "{zoo}:EmptyModel", "--input-shape", "3,8,8", "-o", "{out}/s.json"), _EMPTY),
    # --- plot ------------------------------------------------------------------------
    Bad("plot-unknown-kind", ("plot", "wrn28_2", "--kind", "flops", "-o", "{out}/p.svg"),
        r"invalid choice: 'flops'"),
    Bad("plot-unknown-suffix", ("plot", "wrn28_2", "-o", "{out}/p.txt"), r"cannot tell the format"),
    Bad("plot-without-output", ("plot", "wrn28_2"), r"required: -o/--output"),
    Bad("plot-format-contradicts-suffix", ("plot", "wrn28_2", "--format", "png", "-o", "{out}/p.svg"),
        r"contradicts"),
    Bad("plot-png-to-a-terminal", ("plot", "wrn28_2", "-o", "-", "--format", "png"),
        r"png is binary", terminal),
    Bad("plot-unknown-model", ("plot", "wrn28-2x", "-o", "{out}/p.svg"), r"wrn28_2"),
    Bad("plot-missing-parent", ("plot", "wrn28_2", "-o", "{out}/no/p.png"), r"does not exist"),
    Bad("plot-forward-raises",
        ("plot", "{zoo}:ForwardRaises", "--input-shape", "3,8,8", "-o", "{out}/p.svg"), r"boom"),
    # --- diff (errors exit 2: its 1 means "the models differ") -----------------------
    Bad("diff-unknown-b", ("diff", "wrn28_2", "wrn28-2x", "-o", "{out}/d.txt"), r"did you mean"),
    Bad("diff-unknown-a", ("diff", "nosuchmodel", "wrn28_2"), r"unknown model 'nosuchmodel'"),
    Bad("diff-without-b", ("diff", "wrn28_2"), r"required: B"),
    Bad("diff-bad-shape-b", ("diff", "wrn28_2", "wrn28_10", "--input-shape-b", "3,x,32"),
        r"malformed input shape"),
    Bad("diff-shape-not-fitting-b", ("diff", "wrn28_2", "wrn28_10", "--input-shape-b", "1,32,32",
                                     "-o", "{out}/d.svg"), r"expects 3 input channels, got 1"),
    Bad("diff-unknown-suffix", ("diff", "wrn28_2", "wrn28_10", "-o", "{out}/d.xyz"),
        r"cannot tell the format"),
    Bad("diff-dpi-for-text", ("diff", "wrn28_2", "wrn28_10", "-o", "{out}/d.md", "--dpi", "100"),
        r"--dpi applies to figures, not the md text form"),
    Bad("diff-width-for-dot", ("diff", "wrn28_2", "wrn28_10", "-o", "{out}/d.dot", "--width", "8cm"),
        r"width applies to figures with a size"),
    Bad("diff-format-contradicts-suffix",
        ("diff", "wrn28_2", "wrn28_10", "--format", "md", "-o", "{out}/d.svg"), r"contradicts"),
    Bad("diff-missing-parent", ("diff", "wrn28_2", "wrn28_10", "-o", "{out}/no/d.svg"),
        r"does not exist"),
    Bad("diff-png-to-a-terminal", ("diff", "wrn28_2", "wrn28_10", "--format", "png"),
        r"png is binary", terminal),
    Bad("diff-no-dot", ("diff", "wrn28_2", "wrn28_10", "-o", "{out}/d.pdf"), _NO_DOT, no_dot),
    Bad("diff-forward-raises", ("diff", "{zoo}:ForwardRaises", "wrn28_2", "--input-shape", "3,8,8",
                                "--input-shape-b", "3,32,32", "-o", "{out}/d.txt"), r"boom"),
    # --- list -------------------------------------------------------------------------
    Bad("list-matches-nothing", ("list", "zzz*"), r"no registered model matches 'zzz\*'"),
]


@pytest.fixture(scope="module")
def spec_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bad spec files, outside the folder each case lists."""
    folder = tmp_path_factory.mktemp("specs")
    for name, text in SPEC_FILES.items():
        (folder / name).write_text(text)
    return folder


def listing(root: Path) -> list[str]:
    """Every file and folder under ``root`` (hidden temp files included)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def run(argv: list[str]) -> int:
    """``main(argv)``; argparse usage errors exit through ``SystemExit``."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def test_the_corpus_is_big_and_ids_are_unique() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_fails_with_one_line(
    case: Bad, tmp_path: Path, spec_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    undo: list[Callable[[], None]] = []
    try:
        if case.setup is not None:
            case.setup(Env(out, spec_dir, monkeypatch, undo))
        before = listing(tmp_path)
        fill = {"out": str(out), "spec": str(spec_dir), "zoo": str(MODELS_FILE)}
        argv = [arg.format(**fill) for arg in case.argv]

        code = run(argv)
        after = listing(tmp_path)
    finally:
        for step in undo:
            step()

    captured = capsys.readouterr()
    err = captured.err
    assert code != 0, f"exit code 0 for {argv}"
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), f"expected one line, got: {err!r}"
    assert lines[0].startswith("netviz: error: "), lines[0]
    assert re.search(case.words, lines[0]), f"{lines[0]!r} does not match {case.words!r}"
    assert captured.out == ""
    assert after == before, "an output or temporary file was left behind"


HUGE = """
from netviz_models.wideresnet import WideResNet


def huge():
    return WideResNet(10**6, 1)  # 3 x 166,666 blocks, ~3.5 million modules
"""
HUGE_GUARD_S = 45
"""Not a timing assertion: a guard so a netviz without a size limit fails instead of
building ~3.5 million modules for ~10 minutes and ~15 GB."""


def test_huge_depth_is_rejected_quickly_and_clearly(tmp_path: Path) -> None:
    """WideResNet(10**6, 1) must be refused by a size limit with one clear line."""
    spec = tmp_path / "huge.py"
    spec.write_text(HUGE)
    out = tmp_path / "out"
    out.mkdir()
    argv = [sys.executable, "-m", "netviz", "render", f"{spec}:huge",
            "--input-shape", "3,32,32", "-o", str(out / "d.dot")]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=HUGE_GUARD_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"netviz did not refuse WideResNet(10**6, 1) within {HUGE_GUARD_S} s: "
                    "it needs a model size limit (see the report of issue 6)")
    assert proc.returncode != 0
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("netviz: error: "), proc.stderr
    assert re.search(r"(?i)too (large|big|many)|limit", lines[0]), lines[0]
    assert list(out.iterdir()) == []
