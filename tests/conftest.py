"""Shared fixtures.

Real data comes from the shared datasets directory: ``FUSEBENCH_TEST_DATA``
if set, else ``../shared/datasets`` beside the repository (where CI puts it).
Tests that need it fail with a clear message when it is absent: they are
never silently skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_datasets() -> Path:
    env = os.environ.get("FUSEBENCH_TEST_DATA")
    return Path(env) if env else REPO.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    path = _shared_datasets()
    if not (path / "lytro").is_dir():
        pytest.fail(
            f"shared datasets not found at {path}: set FUSEBENCH_TEST_DATA to the folder "
            "holding lytro/, mfifb/, vifb/, natural/, mf-voc/"
        )
    return path


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


def _shared_weights() -> Path:
    return _shared_datasets().parent / "weights"


@pytest.fixture(scope="session", autouse=True)
def published_weights_dir():
    """Published weights (bench.weights) come from ../shared/weights, never from the network."""
    mp = pytest.MonkeyPatch()
    if not os.environ.get("FUSEBENCH_WEIGHTS"):
        mp.setenv("FUSEBENCH_WEIGHTS", str(_shared_weights()))
    mp.setenv("FUSEBENCH_OFFLINE", "1")
    yield Path(os.environ["FUSEBENCH_WEIGHTS"])
    mp.undo()
