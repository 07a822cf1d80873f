"""A zoo of small models written like real research code, with what netviz must make of each.

Each [`ZooCase`][] names a class of [`tests.zoo.models`][] and either the counts a
correct figure has (conv *calls*, unique parameters the forward reads, conv labels)
or the specific [`NetvizError`][netviz.errors.NetvizError] it must fail with.

Counting rules (see ``models.py``): a module called twice is two convs; a
parameter counts once however often it is used or tied; parameters of modules
the forward never calls are not in the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from netviz.errors import InputShapeError, ModelForwardError, NetvizError, TraceError
from netviz.ir import Shape

MODELS_FILE = Path(__file__).with_name("models.py")
"""The zoo's source file; ``f"{MODELS_FILE}:Name"`` is a file spec."""

IMAGE: tuple[Shape, ...] = ((3, 16, 16),)


@dataclass(frozen=True)
class ZooCase:
    """One zoo model and what netviz must make of it.

    Attributes:
        id: Test id (the class name unless the same class is used twice).
        model: Class name in ``tests/zoo/models.py``.
        shapes: Input shapes without the batch dimension.
        convs: Conv calls a correct figure stands for.
        params: Parameters it stands for; ``None``: every unique parameter of the model.
        conv_labels: Sorted labels of the convs of the unfolded figure (when given).
        error: The error it must fail with (``None``: it must render).
        words: Regular expression the error message must match.
        may_fail: It may either render correctly or fail with ``error``/``words``.
        fallback: torch.fx cannot trace it: a ``TraceFallbackWarning`` is expected.
    """

    id: str
    model: str = ""
    shapes: tuple[Shape, ...] = IMAGE
    convs: int = 0
    params: int | None = None
    conv_labels: tuple[str, ...] = ()
    error: type[NetvizError] | None = None
    words: str = ""
    may_fail: bool = False
    fallback: bool = False

    @property
    def cls(self) -> str:
        """Class name in ``models.py``."""
        return self.model or self.id

    @property
    def spec(self) -> str:
        """The file spec naming this model."""
        return f"{MODELS_FILE}:{self.cls}"

    @property
    def shape_args(self) -> list[str]:
        """``--input-shape`` arguments for the CLI."""
        return [a for s in self.shapes for a in ("--input-shape", ",".join(map(str, s)))]

    def build(self, device: str = "cpu"):  # type: ignore[no-untyped-def]
        """Build the model under ``torch.device(device)``."""
        import torch

        from tests.zoo import models

        with torch.device(device):
            return getattr(models, self.cls)()


_EMPTY = r"(?i)empty|no (layers?|ops|operations)|nothing to (draw|trace|show)"

ZOO: tuple[ZooCase, ...] = (
    ZooCase("FunctionalOps", convs=4),
    ZooCase("ModuleListNet", convs=6),
    ZooCase(
        "PlainListNet", convs=3, params=224 + 2 * 584, fallback=True, may_fail=True, error=TraceError,
        words=r"(?i)plain|list|not (installed|registered)|submodule",
    ),
    ZooCase("SharedConv", convs=3, params=824),
    ZooCase("TiedParams", shapes=((4, 8, 8),), convs=2, params=172),
    ZooCase("DataDependent", convs=2, fallback=True),
    ZooCase("TwoInputs", shapes=((3, 8, 8), (1, 4, 4)), convs=2),
    ZooCase("TwoOutputs", convs=2),
    ZooCase("DictOutput", convs=2),
    ZooCase(
        "Anisotropic", convs=2,
        conv_labels=("1x3 8C (1,2)S (0,1)P", "3x1 8C (2,1)S (1,0)P"),
    ),
    ZooCase(
        "GroupedConvs", convs=4,
        conv_labels=("1x1 32C 1S 0P", "3x3 16C 1S 1P", "3x3 16C 1S 1P 4G",
                     "3x3 16C 1S 2P 2D 16G"),
    ),
    ZooCase(
        "Conv1dNet", shapes=((4, 16),), convs=3,
        conv_labels=("3 8C 1S 1P", "3 8C 1S 2P 2D", "5 8C 1S 2P"),
    ),
    ZooCase(
        "Conv3dNet", shapes=((1, 4, 8, 8),), convs=2,
        conv_labels=("1x3x3 4C 1S (0,1,1)P", "3x3x3 4C (1,2,2)S 1P"),
    ),
    ZooCase("PostActNet", convs=6),
    ZooCase("PreActNet", convs=14),
    ZooCase(
        "ResNeXtBlock", shapes=((16, 8, 8),), convs=4,
        conv_labels=("1x1 32C 1S 0P", "1x1 64C 1S 0P", "1x1 64C 2S 0P", "3x3 32C 2S 1P 8G"),
    ),
    ZooCase(
        "EncoderDecoder", convs=5,
        conv_labels=("1x1 2C 1S 0P", "3x3 8C 1S 1P", "3x3 8C 2S 1P", "3x3 8C 2S 1P",
                     "ConvT 2x2 8C 2S 0P"),
    ),
    ZooCase("CifarResNet", convs=1 + 6 * 2 + 1),
    ZooCase("SqueezeExcite", shapes=((8, 8, 8),), convs=3),
    ZooCase("ChunkNet", convs=3),
    ZooCase("BufferNormalize", convs=1),
    # the conv never called is drawn nowhere; its 148 parameters count as not reached
    ZooCase("UnusedLayer", convs=1, params=112 + 148),
    ZooCase("OptionalArg", convs=1),
    ZooCase("NastyNames", convs=2),
    ZooCase("NastyLeafFallback", convs=2, fallback=True),
    ZooCase("NastyClassName", convs=1),
    # Must fail, each with its own specific message.
    ZooCase("EmptyModel", error=NetvizError, words=_EMPTY),
    ZooCase("EmptySequential", error=NetvizError, words=_EMPTY),
    ZooCase("ForwardRaises", error=ModelForwardError, words=r"boom: the user's forward is broken"),
    ZooCase("UntraceableRaises", error=ModelForwardError, words=r"no such head"),
    ZooCase("WrongChannels", error=InputShapeError, words=r"'b'.*16 input channels.*got 8"),
    ZooCase(
        "ResNeXtWrongChannels", model="ResNeXtBlock", error=InputShapeError,
        words=r"16 input channels.*got 3",
    ),
    ZooCase(
        "AnisotropicTooSmall", model="Anisotropic", shapes=((3, 1, 1),),
        error=InputShapeError, words=r"(?i)too small",
    ),
    ZooCase(
        "Conv1dWrongRank", model="Conv1dNet", shapes=((4, 16, 16),),
        error=InputShapeError, words=r"(?i)stem|dimension|expected|input",
    ),
    ZooCase(
        "TwoInputsOneShape", model="TwoInputs", shapes=((3, 8, 8),),
        error=InputShapeError, words=r"takes 2 input",
    ),
)
"""Every zoo case; ids are unique."""

RENDERS = tuple(c for c in ZOO if c.error is None or c.may_fail)
"""Cases that must (or may) render a figure."""
FAILS = tuple(c for c in ZOO if c.error is not None and not c.may_fail)
"""Cases that must fail with their specific error."""
