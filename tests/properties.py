"""Hypothesis settings the property tests share: the same examples on every run."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def steady(max_examples: int) -> settings:
    """Settings drawing ``max_examples`` examples, the same ones on every run
    (derandomized, no example database), with no deadline (meta traces of generated
    models take a while to build)."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
