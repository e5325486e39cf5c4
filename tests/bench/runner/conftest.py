"""Fixtures for runner tests: tiny real crops of Lytro pairs and test plugin files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

CROP = (200, 200, 48, 48)  # top, left, height, width: small but real image content


@pytest.fixture(scope="session")
def lytro_files(shared_datasets) -> list[tuple[str, Path, Path]]:
    d = shared_datasets / "lytro"
    return [(f"lytro-{i:02d}", d / f"lytro-{i:02d}-A.jpg", d / f"lytro-{i:02d}-B.jpg") for i in (1, 2, 3)]


@pytest.fixture
def tiny_dataset(lytro_files):
    from bench.datasets import Dataset
    from bench.runner import file_pair

    return Dataset("tiny", [file_pair(pid, a, b, crop=CROP) for pid, a, b in lytro_files])


def pair_means(dataset) -> dict[str, float]:
    return {p.id: float(p.a.mean()) for p in dataset}


PLUGIN_HEADER = """
from dataclasses import dataclass
import os, time
import numpy as np
from methods.base import FusionMethod, FusionResult, register_method
"""


@pytest.fixture
def write_plugin(tmp_path):
    """Write a plugin file from source text; return its path."""

    def _write(name: str, body: str) -> Path:
        path = tmp_path / f"{name}.py"
        path.write_text(PLUGIN_HEADER + textwrap.dedent(body))
        return path

    return _write
