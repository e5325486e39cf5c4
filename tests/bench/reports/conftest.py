"""A small real run (3 tiny Lytro crops × 3 methods × 2 metrics) shared by report tests."""

from __future__ import annotations

import shutil

import pytest

CROP = (180, 220, 56, 56)
METHODS = "average,max-abs,msvd"
METRICS = "qsf,rmse"  # one higher-is-better, one lower-is-better metric


@pytest.fixture(scope="module")
def run_dir(shared_datasets, tmp_path_factory):
    from bench.datasets import Dataset
    from bench.runner import file_pair, run_benchmark

    d = shared_datasets / "lytro"
    pairs = [
        file_pair(f"lytro-{i:02d}", d / f"lytro-{i:02d}-A.jpg", d / f"lytro-{i:02d}-B.jpg", crop=CROP,
                  # pair 3 gets a (stand-in) ground truth so error maps are drawn for it
                  ground_truth=d / f"lytro-{i:02d}-A.jpg" if i == 3 else None)
        for i in (1, 2, 3)
    ]
    base = tmp_path_factory.mktemp("reports")
    out = base / "run"
    summary = run_benchmark(Dataset("tiny", pairs), methods=METHODS, metrics=METRICS, jobs=1,
                            out=out, cache_dir=base / "cache", progress=False)
    assert summary.ok
    shutil.rmtree(base / "cache")  # reports must need nothing but the run directory
    return out
