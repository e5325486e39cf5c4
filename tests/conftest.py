"""Shared fixtures.

Real data comes from the shared datasets directory: ``FUSEBENCH_TEST_DATA``
if set, else ``../shared/datasets`` beside the repository (where CI puts it);
the ``shared_datasets`` fixture is defined in the root ``conftest.py`` (the
doctests use the same folder). Tests that need it fail with a clear message
when it is absent: they are never silently skipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def shared_reference(shared_datasets) -> Path:
    return shared_datasets.parent / "reference"


@pytest.fixture(scope="session")
def lytro_pair(shared_datasets):
    """Lytro pair 01 as float64 arrays (A, B)."""
    from bench.io import read_image

    a, _ = read_image(shared_datasets / "lytro" / "lytro-01-A.jpg")
    b, _ = read_image(shared_datasets / "lytro" / "lytro-01-B.jpg")
    return a, b


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
