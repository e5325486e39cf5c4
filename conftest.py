"""Root pytest configuration, shared by the test suite (tests/) and the doctests.

The doctests of ``bench``, ``methods`` and ``metrics`` run with
``--doctest-modules`` (pyproject ``[tool.pytest.ini_options]``). The name
``data_dir`` is available in every doctest: the shared datasets folder,
``$FUSEBENCH_TEST_DATA`` or ``../shared/datasets`` beside the repository (the
same folder the tests' ``shared_datasets`` fixture gives), so examples can
use real data, e.g. ``load_dataset("lytro", data_dir=data_dir)``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent


def shared_datasets_dir() -> Path:
    """``$FUSEBENCH_TEST_DATA``, else ``../shared/datasets`` beside the repository."""
    env = os.environ.get("FUSEBENCH_TEST_DATA")
    return Path(env) if env else REPO.parent / "shared" / "datasets"


# The sparse methods (asr, csr) need the authors' released dictionaries: in tests,
# the shared weights folder beside the datasets (only here, never in the library).
os.environ.setdefault("FUSEBENCH_SPARSE_DICTIONARIES",
                      str(shared_datasets_dir().parent / "weights" / "sparse-dictionaries"))


def _check(path: Path) -> Path:
    if not (path / "lytro").is_dir():
        pytest.fail(
            f"shared datasets not found at {path}: set FUSEBENCH_TEST_DATA to the folder "
            "holding lytro/, mfifb/, vifb/, natural/, mf-voc/"
        )
    return path


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The shared datasets folder; fails (never skips) with a clear message when absent."""
    return _check(shared_datasets_dir())


@pytest.fixture(scope="session", autouse=True)
def _doctest_data_dir(doctest_namespace):
    doctest_namespace["data_dir"] = shared_datasets_dir()


@pytest.fixture(scope="session", autouse=True)
def published_weights_dir():
    """Published weights (bench.weights) come from ../shared/weights, never from the network."""
    mp = pytest.MonkeyPatch()
    if not os.environ.get("FUSEBENCH_WEIGHTS"):
        mp.setenv("FUSEBENCH_WEIGHTS", str(shared_datasets_dir().parent / "weights"))
    mp.setenv("FUSEBENCH_OFFLINE", "1")
    yield Path(os.environ["FUSEBENCH_WEIGHTS"])
    mp.undo()
