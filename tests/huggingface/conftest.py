"""The transformers tests need transformers (the ``test`` extra installs it)."""

from __future__ import annotations

import pytest

pytest.importorskip("transformers", reason="transformers is not installed (pip install -e '.[test]')")


@pytest.fixture(autouse=True, scope="session")
def quiet_transformers() -> None:
    """transformers logs config warnings (token ids outside a tiny vocabulary) to stderr."""
    import transformers

    transformers.logging.set_verbosity_error()
