"""What the docs build's workers hand back: plain, picklable results.

Kept apart from [`netviz.mkdocs.worker`][netviz.mkdocs.worker] (which makes them) and
[`netviz.mkdocs.artifacts`][netviz.mkdocs.artifacts] (which caches them), so neither
imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    """One fence's artifact, or why there is none.

    Attributes:
        text: SVG / Mermaid / pseudocode / summary text; empty on error.
        files: ``(file type, bytes)`` of each download the fence asked for.
        error: One-line reason; empty on success.
        seconds: Time spent rendering.
    """

    text: str = ""
    files: tuple[tuple[str, bytes], ...] = ()
    error: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class ModelInfo:
    """A model of the gallery (registered, or named by a spec), for its gallery page.

    Attributes:
        name: Registry name, or the page name of a spec (``bert``).
        description: One-line description.
        input_shapes: Default input shapes, e.g. ``"3x32x32"``, or for a spec the
            inputs netviz makes, as ``--input`` would give them
            (``input_ids=128:int64``).
        params: Parameter count, or ``None`` when the model fails to build.
        error: Why the model could not be built; empty when it could.
        spec: The model spec the page draws (``hf:BertModel``); empty: ``name``, a
            registered model.
    """

    name: str
    description: str
    input_shapes: str
    params: int | None
    error: str = ""
    spec: str = ""

    @property
    def model(self) -> str:
        """What the page's fences draw: the spec, else the registered name."""
        return self.spec or self.name
