"""Pure Graph → Graph functions that turn a raw trace into the notation graph."""

from netviz.transforms.pipeline import NotationOptions, to_notation

__all__ = ["NotationOptions", "to_notation"]
