"""Registry test fixtures: an isolated copy of the registry per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import netviz.registry as registry

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """The built-ins, discovered once; changes made by the test are undone afterwards."""
    registry.list_models()
    snapshot = dict(registry._REGISTRY)
    monkeypatch.setattr(registry, "_REGISTRY", snapshot)
    yield snapshot


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
