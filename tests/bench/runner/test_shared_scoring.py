"""A job scores all its methods with the sources' features shared: same values as alone."""

from __future__ import annotations

import csv

import pytest

from bench.runner import run_benchmark


@pytest.mark.parametrize("convention", ["default", "mefb"])
def test_scores_of_a_shared_job_equal_each_metric_computed_alone(tiny_dataset, tmp_path, convention):
    import metrics
    from bench.io import read_image

    names = ["qabf", "qlabf", "qmi", "qag", "qsf"]
    s = run_benchmark(tiny_dataset, methods="average,max-abs", metrics=names, convention=convention,
                      jobs=1, isolate=False, out=tmp_path / "run", cache_dir=tmp_path / "cache", progress=False)
    assert s.ok and s.computed == 6
    with open(tmp_path / "run" / "scores.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6 * len(names)
    for pair in tiny_dataset:
        for method in ("average", "max-abs"):
            fused, _ = read_image(tmp_path / "run" / "images" / pair.id / f"{method}.png")
            for r in (r for r in rows if r["pair"] == pair.id and r["method"] == method):
                alone = metrics.compute(r["metric"], pair.a, pair.b, fused, convention=convention)
                assert float(r["value"]) == alone, (pair.id, method, r["metric"])
