"""netviz's MACs of torchvision's models against torchvision's published table.

torchvision's weights carry ``meta["_ops"]`` ("GFLOPS" in its model table, which are
multiply-accumulates: ResNet-50 4.09) and ``meta["num_params"]``. For every model
``torchvision.models.list_models()`` names, this builds the model on the meta device
(no weights; on CPU when its builder needs values, as netviz's model specs do), traces it
with netviz at the input size of its default weights' transforms, and prints one row per model: published and netviz GMACs, their ratio,
and the parameter counts. Models netviz cannot trace at that input (detection models
take a list of images) are listed with the reason.

Needs torchvision, so it is not a test; run it in an environment that has it::

    PYTHONPATH=. NETVIZ_NO_CACHE=1 /work/venv-tv/bin/python benchmarks/torchvision_macs.py
    ... benchmarks/torchvision_macs.py swin_t resnet50     # only these models

The last line counts the models whose GMACs equal the published ones to the table's
three decimals.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import time
import warnings
from typing import Any

os.environ.setdefault("NETVIZ_NO_CACHE", "1")


def input_shape(weights: Any) -> tuple[int, ...] | None:
    """The input (without batch) torchvision's table was computed at: the crop of the
    classification and video transforms, 520x520 for segmentation."""
    transforms = weights.transforms()
    kind = type(transforms).__name__
    crop = getattr(transforms, "crop_size", None)
    if kind == "ImageClassification":
        return (3, crop[0], crop[0])
    if kind == "VideoClassification":
        return (3, 16, crop[0], crop[1])
    if kind == "SemanticSegmentation":
        return (3, 520, 520)
    return None


def _variants(name: str, crop: int | None) -> list[str]:
    """Model specs to try, in order: the builder with each setting torchvision's weights
    may build with (an auxiliary head, the image size of ViT weights), then plain."""
    from torchvision import models

    builder = models.get_model_builder(name)
    params = inspect.signature(builder).parameters
    args = ["weights=None"]
    if "weights_backbone" in params:
        args.append("weights_backbone=None")  # nothing is downloaded
    if "quantize" in params:
        args.append("quantize=False")
    extras = ["aux_loss=True", "aux_logits=True", "aux_logits=False"]
    if crop and crop != 224:
        extras.append(f"image_size={crop}")
    spec = f"{builder.__module__}:{builder.__name__}"
    return [f"{spec}({', '.join([*args, extra])})" for extra in extras] + [
        f"{spec}({', '.join(args)})"]


def measure(name: str) -> dict[str, Any]:
    """Build ``name`` as netviz builds a model spec (on meta, on CPU if that fails), trace
    it, and compare with its default weights' meta. Of the configurations tried, the one
    whose parameter count equals the table's is kept (that is what the table measured)."""
    from torchvision import models

    import netviz
    from netviz.registry import load_model

    weights = models.get_model_weights(name).DEFAULT
    row: dict[str, Any] = {"name": name, "published": float(weights.meta["_ops"]),
                           "params_published": int(weights.meta["num_params"])}
    shape = input_shape(weights)
    if shape is None:
        row["error"] = f"{type(weights.transforms()).__name__}: input convention not published"
        return row
    row["input"] = "x".join(map(str, shape))
    for spec in _variants(name, shape[-1]):
        try:
            model = load_model(spec, [shape]).module.eval()
        except Exception as exc:  # noqa: BLE001 - reported in the table
            row["error"] = f"cannot build: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}"
            continue
        row.pop("error", None)
        if sum(p.numel() for p in model.parameters()) == row["params_published"]:
            break
    if "error" in row:
        return row
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            graph = netviz.trace(model, [shape])
    except Exception as exc:  # noqa: BLE001 - reported in the table
        row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
        return row
    row["spec"] = spec
    row["seconds"] = time.perf_counter() - start
    row["netviz"] = sum(node.macs for node in graph.nodes) / 1e9
    # what ``netviz summary`` reports: every parameter once, used in the forward or not
    row["params"] = sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
    row["lower_bound"] = "data_dependent" in dict(graph.meta)
    row["warnings"] = sorted({w.category.__name__ for w in caught
                              if w.category.__module__.startswith("netviz")})
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model names (default: all)")
    args = parser.parse_args()
    from torchvision import models

    names = args.models or models.list_models()
    within = compared = 0
    print("| model | input | published GMACs | netviz GMACs | ratio | params (netviz / published) |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for name in names:
        row = measure(name)
        if "error" in row:
            print(f"| {name} | {row.get('input', '')} | {row['published']:.3f} | - | - | "
                  f"{row['error']} |")
            continue
        compared += 1
        ratio = row["netviz"] / row["published"] if row["published"] else float("nan")
        within += round(row["netviz"], 3) == round(row["published"], 3)
        bound = " (lower bound)" if row["lower_bound"] else ""
        params = ("same" if row["params"] == row["params_published"]
                  else f"{row['params']:,} / {row['params_published']:,}")
        print(f"| {name} | {row['input']} | {row['published']:.3f} | {row['netviz']:.4f}{bound} "
              f"| {ratio:.3f} | {params} |", flush=True)
    print(f"\n{within} of {compared} traced models equal the published GMACs to its three "
          f"decimals ({len(names) - compared} not traced)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
