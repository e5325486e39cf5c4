"""run_benchmark on tiny real crops: run directory, cache, failure isolation, backends."""

from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest

from bench.runner import run_benchmark

METRICS = "qsf,rmse"


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _run(ds, tmp_path, name, **kw):
    kw.setdefault("methods", "average,max-abs")
    kw.setdefault("metrics", METRICS)
    kw.setdefault("jobs", 1)
    kw.setdefault("cache_dir", tmp_path / "cache")
    return run_benchmark(ds, out=tmp_path / name, progress=False, **kw)


def test_run_writes_tidy_results_that_match_direct_computation(tiny_dataset, tmp_path):
    import methods
    import metrics
    from bench.io import read_image

    s = _run(tiny_dataset, tmp_path, "r1")
    assert s.ok and s.tasks == 6 and s.computed == 6 and s.cached == 0
    run = tmp_path / "r1"
    for name in ("scores.csv", "timings.csv", "failures.csv", "run.json"):
        assert (run / name).is_file(), name
    rows = _rows(run / "scores.csv")
    assert list(rows[0]) == ["dataset", "pair", "method", "method_version", "metric", "convention", "value"]
    assert len(rows) == 6 * 2
    # each stored score equals the metric recomputed on the stored fused image
    pair = tiny_dataset["lytro-02"]
    fused, _ = read_image(run / "images" / "lytro-02" / "max-abs.png")
    direct = methods.get_method("max-abs").fuse(pair.a, pair.b).image
    assert np.abs(fused - direct).max() <= 0.5  # 8-bit quantisation only
    stored = next(r for r in rows if r["pair"] == "lytro-02" and r["method"] == "max-abs" and r["metric"] == "rmse")
    assert float(stored["value"]) == pytest.approx(metrics.compute("rmse", pair.a, pair.b, fused), rel=1e-12)
    record = json.loads((run / "run.json").read_text())
    assert record["status"] == "complete"
    assert record["metrics"]["rmse"]["higher_is_better"] is False
    assert "numpy" in record["versions"] and record["summary"]["tasks"] == 6
    assert {"A.png", "B.png", "average.png", "max-abs.png", "max-abs.dm.png"} <= {
        p.name for p in (run / "images" / "lytro-01").iterdir()
    }


def test_second_run_is_all_cached_and_identical(tiny_dataset, tmp_path):
    _run(tiny_dataset, tmp_path, "r1", jobs=2)
    s2 = _run(tiny_dataset, tmp_path, "r2", jobs=2)
    assert s2.cached == 6 and s2.computed == 0 and s2.ok
    assert (tmp_path / "r1" / "scores.csv").read_text() == (tmp_path / "r2" / "scores.csv").read_text()


def test_changing_one_parameter_recomputes_only_that_method(tiny_dataset, tmp_path, write_plugin):
    plugin = write_plugin("gain", """
        @register_method
        class Gain(FusionMethod):
            name = "test-gain"
            version = "1"
            @dataclass
            class Params:
                gain: float = 1.0
            def run(self, a, b, params):
                return FusionResult(image=params.gain * (a + b) / 2)
    """)
    kw = {"methods": "average,test-gain", "plugins": [plugin]}
    _run(tiny_dataset, tmp_path, "r1", **kw)
    s2 = _run(tiny_dataset, tmp_path, "r2", params={"test-gain": {"gain": "0.5"}}, **kw)
    status = {(r["method"], r["status"]) for r in _rows(tmp_path / "r2" / "timings.csv")}
    assert status == {("average", "cached"), ("test-gain", "computed")}
    assert s2.cached == 3 and s2.computed == 3


def test_failures_are_isolated_and_recorded(tiny_dataset, tmp_path, write_plugin):
    means = {p.id: float(p.a.mean()) for p in tiny_dataset}
    hi, lo = max(means, key=means.get), min(means, key=means.get)
    plugin = write_plugin("flaky", f"""
        @register_method
        class Flaky(FusionMethod):
            name = "test-flaky"
            version = "1"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                m = float(a.mean())
                if abs(m - {means[hi]!r}) < 1e-9:
                    raise RuntimeError("flaky method refuses this pair")
                if abs(m - {means[lo]!r}) < 1e-9:
                    return FusionResult(image=np.full(a.shape, np.nan))
                return FusionResult(image=(a + b) / 2)
    """)
    _run(tiny_dataset, tmp_path, "clean", cache_dir=tmp_path / "c0")
    s = _run(tiny_dataset, tmp_path, "r1", methods="average,max-abs,test-flaky", plugins=[plugin], jobs=2)
    assert not s.ok and s.failed == 2 and s.computed == 7
    failures = _rows(tmp_path / "r1" / "failures.csv")
    assert {(f["method"], f["pair"]) for f in failures} == {("test-flaky", hi), ("test-flaky", lo)}
    by_pair = {f["pair"]: f for f in failures}
    assert "RuntimeError: flaky method refuses this pair" in by_pair[hi]["error"]
    assert "Traceback" in by_pair[hi]["traceback"]
    assert "NaN" in by_pair[lo]["error"] and by_pair[lo]["stage"] == "fuse"
    # every other result is intact and identical to a run without the flaky method
    rows = [r for r in _rows(tmp_path / "r1" / "scores.csv") if r["method"] != "test-flaky"]
    assert rows == _rows(tmp_path / "clean" / "scores.csv")
    assert any(r["method"] == "test-flaky" for r in _rows(tmp_path / "r1" / "scores.csv"))
    assert "2 failed" in s.line()
    assert sum("FAILED test-flaky" in ln for ln in s.failure_lines()) == 2


def test_deep_methods_run_in_one_isolated_worker_with_the_device(tiny_dataset, tmp_path, write_plugin):
    plugin = write_plugin("where", f"""
        def _log(tag, params):
            with open({str(tmp_path / "where.log")!r}, "a") as fh:
                fh.write(f"{{tag}} {{os.getpid()}} {{getattr(params, 'device', '-')}}\\n")

        @register_method
        class DeepOne(FusionMethod):
            name = "test-deep"
            kind = "deep"
            @dataclass
            class Params:
                device: str = "auto"
            def run(self, a, b, params):
                _log("deep", params)
                return FusionResult(image=(a + b) / 2)

        @register_method
        class ClassicOne(FusionMethod):
            name = "test-classic"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                _log("classic", params)
                return FusionResult(image=(a + b) / 2)
    """)
    s = _run(tiny_dataset, tmp_path, "r1", methods="test-deep,test-classic", plugins=[plugin], jobs=2,
             device="cpu")
    assert s.ok
    calls = [line.split() for line in (tmp_path / "where.log").read_text().splitlines()]
    deep = {(pid, dev) for tag, pid, dev in calls if tag == "deep"}
    assert len(deep) == 1 and deep.pop()[1] == "cpu"  # one worker process: one model in memory
    assert all(pid != str(os.getpid()) for _tag, pid, _ in calls)  # never in the main process
    record = json.loads((tmp_path / "r1" / "run.json").read_text())
    assert record["device"] == "cpu" and record["methods"]["test-deep"]["params"]["device"] == "cpu"


def test_timeout_stops_a_slow_method(tiny_dataset, tmp_path, write_plugin):
    plugin = write_plugin("slow", """
        @register_method
        class Slow(FusionMethod):
            name = "test-slow"
            version = "1"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                time.sleep(30)
                return FusionResult(image=a)
    """)
    ds = type(tiny_dataset)("one", tiny_dataset.pairs[:1])
    s = _run(ds, tmp_path, "r1", methods="average,test-slow", plugins=[plugin], timeout=3)
    assert s.failed == 1 and s.computed == 1
    assert s.wall_seconds < 20
    (failure,) = _rows(tmp_path / "r1" / "failures.csv")
    assert failure["stage"] == "timeout" and failure["method"] == "test-slow"


def test_skips_are_not_failures(tiny_dataset, tmp_path):
    """qc lacks the vifb convention, rmse has it: qc is skipped, nothing fails."""
    s = _run(tiny_dataset, tmp_path, "r1", metrics="qc,rmse", convention="vifb")
    assert s.ok
    rows = _rows(tmp_path / "r1" / "scores.csv")
    assert {r["metric"] for r in rows} == {"rmse"} and {r["convention"] for r in rows} == {"vifb"}


def test_reference_and_decision_map_metrics_run_only_where_they_can(tiny_dataset, lytro_files, tmp_path):
    """Full-reference metrics need ground truth; decision-map metrics need a map and a mask."""
    from bench.datasets import Dataset
    from bench.runner import file_pair

    (pid, a, b) = lytro_files[0]
    with_gt = file_pair("with-gt", a, b, ground_truth=a, mask=a, crop=(200, 200, 48, 48))
    ds = Dataset("mixed", [with_gt, *tiny_dataset.pairs[:1]])
    s = _run(ds, tmp_path, "r1", methods="average,test-nomap", metrics="rmse-gt,map-iou,qsf",
             plugins=[_nomap_plugin(tmp_path)])
    assert s.ok
    got = {(r["pair"], r["method"], r["metric"]) for r in _rows(tmp_path / "r1" / "scores.csv")}
    assert got == {
        ("with-gt", "average", "rmse-gt"), ("with-gt", "average", "map-iou"), ("with-gt", "average", "qsf"),
        ("with-gt", "test-nomap", "rmse-gt"), ("with-gt", "test-nomap", "qsf"),
        (pid, "average", "qsf"), (pid, "test-nomap", "qsf"),
    }


def _nomap_plugin(tmp_path):
    path = tmp_path / "nomap.py"
    path.write_text(
        "from dataclasses import dataclass\n"
        "from methods.base import FusionMethod, FusionResult, register_method\n"
        "@register_method\n"
        "class NoMap(FusionMethod):\n"
        "    name = 'test-nomap'\n"
        "    @dataclass\n"
        "    class Params:\n"
        "        pass\n"
        "    def run(self, a, b, params):\n"
        "        return FusionResult(image=a)\n"
    )
    return path


def test_method_selection_errors_name_the_problem(tiny_dataset, tmp_path):
    from bench.errors import FusebenchError

    with pytest.raises(FusebenchError, match="averag"):
        _run(tiny_dataset, tmp_path, "r1", methods="averag")
    with pytest.raises(FusebenchError, match="not selected"):
        _run(tiny_dataset, tmp_path, "r2", methods="average", params={"gff": {"r1": "3"}})


def test_dask_backend_matches_the_process_pool(tiny_dataset, tmp_path):
    _run(tiny_dataset, tmp_path, "pool", jobs=2, backend="process", cache_dir=tmp_path / "c1")
    s = _run(tiny_dataset, tmp_path, "dask", jobs=1, backend="dask", dask_processes=False,
             cache_dir=tmp_path / "c2", timeout=None)
    assert s.ok and s.computed == 6
    assert (tmp_path / "dask" / "scores.csv").read_text() == (tmp_path / "pool" / "scores.csv").read_text()
