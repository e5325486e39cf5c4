"""Fault injection: issue 19's findings, each reproduced with a real plugin or file.

Every test asserts the new behaviour: innocent methods' results equal a clean run's,
the culprit fails named, run.json's status is honest, no orphan processes, no stray
temporaries. Numbers in the test names refer to the issue's list of findings.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bench.datasets import Dataset, load_dataset
from bench.errors import ParameterError, RunDirectoryError
from bench.results import RunLock, pair_folder
from bench.runner import array_pair, run_benchmark
from bench.runner.cache import FusedCache

METRICS = "qsf,rmse"
ROOT = Path(__file__).resolve().parents[3]  # the checkout whose bench/ is under test


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _run(ds, tmp_path, name, **kw):
    kw.setdefault("metrics", METRICS)
    kw.setdefault("jobs", 1)
    kw.setdefault("cache_dir", tmp_path / "cache")
    return run_benchmark(ds, out=tmp_path / name, progress=False, **kw)


def _status(run_dir) -> str:
    return json.loads((Path(run_dir) / "run.json").read_text())["status"]


def _scores(run_dir, exclude=()) -> list[dict]:
    return [r for r in _rows(Path(run_dir) / "scores.csv") if r["method"] not in exclude]


def _means(ds) -> dict[str, float]:
    return {p.id: float(p.a.mean()) for p in ds}


def _culprit(write_plugin, tmp_path, name: str, action: str, mean: float):
    """A method that does ``action`` on the pair whose A has mean ``mean`` while the flag
    file exists, and otherwise averages; every call is logged."""
    flag, log = tmp_path / f"{name}.flag", tmp_path / f"{name}.log"
    flag.touch()
    path = write_plugin(name, f"""
        import ctypes

        @register_method
        class Culprit(FusionMethod):
            name = "test-{name}"
            version = "1"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                with open({str(log)!r}, "a") as fh:
                    fh.write(f"{{os.getpid()}}\\n")
                if abs(float(a.mean()) - {mean!r}) < 1e-9 and os.path.exists({str(flag)!r}):
                    {action}
                return FusionResult(image=(a + b) / 2)
    """)
    return path, flag, log


# -- 1: in-place edits ---------------------------------------------------------------
def test_1_plugin_writing_into_its_inputs_poisons_nothing(tiny_dataset, tmp_path, write_plugin):
    plugin = write_plugin("bad", """
        @register_method
        class Bad(FusionMethod):
            name = "test-bad"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                a *= 0
                return FusionResult(image=b.copy())
    """)
    clean = _run(tiny_dataset, tmp_path, "clean", methods="average,dwt,gff", cache_dir=tmp_path / "c0")
    s = _run(tiny_dataset, tmp_path, "r1", methods="test-bad,average,dwt,gff", plugins=[plugin], jobs=2)
    assert clean.ok and s.failed == 3 and s.computed == 9
    assert _scores(tmp_path / "r1", exclude={"test-bad"}) == _scores(tmp_path / "clean")
    errors = {f["error"] for f in _rows(tmp_path / "r1" / "failures.csv")}
    assert len(errors) == 1 and "method 'test-bad' wrote into its read-only input arrays" in errors.pop()
    assert _status(tmp_path / "r1") == "complete-with-failures"


# -- 2: crashes, with --jobs 2 and 1 --------------------------------------------------
@pytest.mark.parametrize("jobs", [2, 1])
def test_2_a_crashing_worker_fails_only_its_task_and_a_rerun_recomputes_it(
        tiny_dataset, tmp_path, write_plugin, jobs):
    means = _means(tiny_dataset)
    ids = list(means)
    segv_m, exit_m = f"test-segv{jobs}", f"test-exit{jobs}"  # one registration per plugin file
    segv, segv_flag, segv_log = _culprit(write_plugin, tmp_path, f"segv{jobs}", "ctypes.string_at(0)",
                                         means[ids[0]])
    exit_, exit_flag, _ = _culprit(write_plugin, tmp_path, f"exit{jobs}", "os._exit(7)", means[ids[1]])
    methods = f"average,{segv_m},max-abs,{exit_m}"
    clean = _run(tiny_dataset, tmp_path, "clean", methods="average,max-abs", cache_dir=tmp_path / "c0")
    s = _run(tiny_dataset, tmp_path, "r1", methods=methods, plugins=[segv, exit_], jobs=jobs)
    assert clean.ok and s.failed == 2 and s.computed == 10, s.failure_lines()
    failures = {(f["method"], f["pair"]): f for f in _rows(tmp_path / "r1" / "failures.csv")}
    assert set(failures) == {(segv_m, ids[0]), (exit_m, ids[1])}
    assert "killed by SIGSEGV" in failures[segv_m, ids[0]]["error"]
    assert "exit code 7" in failures[exit_m, ids[1]]["error"]
    assert all(f["stage"] == "worker" and f["pair"] in f["error"] for f in failures.values())
    assert _scores(tmp_path / "r1", exclude={segv_m, exit_m}) == _scores(tmp_path / "clean")
    assert _status(tmp_path / "r1") == "complete-with-failures"

    segv_flag.unlink()
    exit_flag.unlink()
    calls = len(segv_log.read_text().splitlines())
    s2 = _run(tiny_dataset, tmp_path, "r1", methods=methods, plugins=[segv, exit_], jobs=jobs,
              resume=True)
    assert (s2.computed, s2.cached, s2.failed) == (2, 10, 0)
    assert len(segv_log.read_text().splitlines()) == calls + 1  # only the failed task re-ran
    assert _status(tmp_path / "r1") == "complete" and not _rows(tmp_path / "r1" / "failures.csv")
    assert len(_scores(tmp_path / "r1")) == 12 * 2


def test_2_a_pair_that_crashes_its_loader_fails_its_own_tasks_only(tiny_dataset, tmp_path):
    import ctypes
    from functools import partial

    from bench.datasets.base import Pair

    crash = Pair("crasher", "multi-focus", partial(ctypes.string_at, 0), partial(ctypes.string_at, 0),
                 hash_fn=partial(str, "c" * 64))
    ds = Dataset("mixed", [crash, *tiny_dataset.pairs[:1]])
    s = _run(ds, tmp_path, "r1", methods="average,max-abs", jobs=2)
    assert (s.failed, s.computed) == (2, 2)
    failures = _rows(tmp_path / "r1" / "failures.csv")
    assert {f["pair"] for f in failures} == {"crasher"}
    assert all("killed by SIGSEGV while loading the pair" in f["error"] for f in failures)


# -- 3: timeouts ---------------------------------------------------------------------
def test_3_a_plugin_catching_the_timeout_is_still_ended(tiny_dataset, tmp_path, write_plugin):
    means = _means(tiny_dataset)
    pid = list(means)[0]
    plugin, _, _ = _culprit(write_plugin, tmp_path, "stubborn", """while True:
                        try:
                            time.sleep(0.05)
                        except BaseException:
                            pass""", means[pid])
    t0 = time.perf_counter()
    s = _run(tiny_dataset, tmp_path, "r1", methods="test-stubborn,average", plugins=[plugin],
             timeout=1.0, jobs=2)
    assert time.perf_counter() - t0 < 20
    assert s.failed == 1 and s.computed == 5
    (f,) = _rows(tmp_path / "r1" / "failures.csv")
    assert (f["method"], f["pair"], f["stage"]) == ("test-stubborn", pid, "timeout")
    assert "1 s timeout" in f["error"]


@pytest.mark.parametrize("backend", ["threading", "dask"])
def test_3_backends_that_cannot_stop_a_method_refuse_a_timeout(tiny_dataset, tmp_path, backend):
    with pytest.raises(ParameterError, match=f"--backend {backend} cannot stop a running method"):
        _run(tiny_dataset, tmp_path, "r1", methods="average", backend=backend, timeout=5)
    assert not (tmp_path / "r1").exists()


# -- 4: stale or corrupt data ------------------------------------------------------------
def test_4_ground_truth_change_is_a_new_result(tmp_path):
    import metrics

    ds = load_dataset("synthetic:count=1,size=48")
    pair = ds.pairs[0]
    a, b, gt = pair.a, pair.b, pair.ground_truth
    gt2 = np.clip(gt + 9.0, 0, 255)
    for name, truth in (("r1", gt), ("r2", gt2)):
        _run(Dataset("d", [array_pair("p", a, b, ground_truth=truth)]), tmp_path, name,
             methods="average", metrics="rmse-gt")
    (v1,), (v2,) = ([float(r["value"]) for r in _rows(tmp_path / n / "scores.csv")] for n in ("r1", "r2"))
    fused = np.rint((a + b) / 2)
    assert v2 == pytest.approx(metrics.compute("rmse-gt", a, b, fused, reference=gt2), rel=1e-12)
    assert v1 != v2


def test_4_editing_a_plugin_without_a_version_bump_recomputes(tiny_dataset, tmp_path, write_plugin):
    body = """
        GAIN = 1.0

        @register_method
        class Edited(FusionMethod):
            name = "test-edited"
            version = "1"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                return FusionResult(image=GAIN * (a + b) / 2)
    """
    plugin = write_plugin("edited", body)
    ds = Dataset("one", tiny_dataset.pairs[:1])
    s1 = _run(ds, tmp_path, "r1", methods="test-edited", plugins=[plugin], metrics="qsf")
    plugin.write_text(plugin.read_text().replace("GAIN = 1.0", "GAIN = 0.5"))  # same version
    s2 = _run(ds, tmp_path, "r2", methods="test-edited", plugins=[plugin], metrics="qsf")
    assert (s1.computed, s2.computed, s2.cached) == (1, 1, 0)
    v1, v2 = (float(_rows(tmp_path / n / "scores.csv")[0]["value"]) for n in ("r1", "r2"))
    assert v1 != v2
    record = json.loads((tmp_path / "r2" / "run.json").read_text())
    assert len(record["methods"]["test-edited"]["source_sha256"]) == 16


def _cache_entry(tmp_path, run_dir, method="average"):
    cache = FusedCache(tmp_path / "cache")
    (key,) = [p.stem for p in (tmp_path / "cache" / "fused").glob("*/*.json")
              if json.loads(p.read_text())["method"] == method]
    return cache, key


@pytest.mark.parametrize("damage", ["truncated png", "edited score", "non-numeric score"])
def test_4_a_damaged_cache_entry_is_recomputed_and_said(tiny_dataset, tmp_path, damage):
    ds = Dataset("one", tiny_dataset.pairs[:1])
    _run(ds, tmp_path, "clean", methods="average")
    cache, key = _cache_entry(tmp_path, tmp_path / "clean")
    if damage == "truncated png":
        png = cache.image_path(key)
        png.write_bytes(png.read_bytes()[:200])
    else:
        meta = json.loads(cache.meta_path(key).read_text())
        k = next(k for k in meta["scores"] if k.startswith("rmse|"))
        meta["scores"][k] = 0.0 if damage == "edited score" else "oops"
        cache.meta_path(key).write_text(json.dumps(meta))
    s = _run(ds, tmp_path, "r2", methods="average")
    assert s.ok and s.notes == 1 and "1 recomputed (bad cache entries)" in s.line()
    (timing,) = _rows(tmp_path / "r2" / "timings.csv")
    assert timing["note"].endswith("recomputed") and _status(tmp_path / "r2") == "complete"
    assert _scores(tmp_path / "r2") == _scores(tmp_path / "clean")
    s3 = _run(ds, tmp_path, "r3", methods="average")  # repaired: served from the cache again
    assert (s3.cached, s3.notes) == (1, 0)


def test_4_overwriting_a_run_image_does_not_touch_the_cache(tiny_dataset, tmp_path):
    ds = Dataset("one", tiny_dataset.pairs[:1])
    _run(ds, tmp_path, "r1", methods="average")
    img = tmp_path / "r1" / "images" / pair_folder(ds.pairs[0].id) / "average.png"
    cache, key = _cache_entry(tmp_path, tmp_path / "r1")
    before = cache.image_path(key).read_bytes()
    img.write_bytes(b"overwritten")
    assert cache.image_path(key).read_bytes() == before
    s = _run(ds, tmp_path, "r2", methods="average")
    assert s.cached == 1 and s.notes == 0


# -- 5: run directories ----------------------------------------------------------------
def test_5_a_second_run_on_a_locked_directory_refuses(tiny_dataset, tmp_path):
    with RunLock(tmp_path / "r1"):
        with pytest.raises(RunDirectoryError, match=rf"{tmp_path / 'r1'} is in use by another run "
                                                    rf"\(pid {os.getpid()}"):
            _run(tiny_dataset, tmp_path, "r1", methods="average")
    assert not (tmp_path / "r1" / "scores.csv").exists()


def test_5_a_stale_lock_is_taken_over_and_an_existing_run_needs_resume(tiny_dataset, tmp_path):
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "run.lock").write_text("999999999 somewhere 0\n")  # a dead process's
    assert _run(tiny_dataset, tmp_path, "r1", methods="average").ok
    with pytest.raises(RunDirectoryError, match="already holds a run .*--resume"):
        _run(tiny_dataset, tmp_path, "r1", methods="average")
    assert len(_scores(tmp_path / "r1")) == 6


def test_5_resume_with_another_selection_adds_rows(tiny_dataset, tmp_path):
    _run(tiny_dataset, tmp_path, "r1", methods="average,max-abs", metrics="qsf,rmse")
    first = _scores(tmp_path / "r1")
    s = _run(tiny_dataset, tmp_path, "r1", methods="max-abs", metrics="qabf", resume=True)
    assert s.ok and s.cached == 3
    rows = _scores(tmp_path / "r1")
    assert len(rows) == 12 + 3 and all(r in rows for r in first)
    record = json.loads((tmp_path / "r1" / "run.json").read_text())
    assert set(record["methods"]) == {"average", "max-abs"} and set(record["metrics"]) == {
        "qsf", "rmse", "qabf"}
    assert record["status"] == "complete" and len(record["history"]) == 1
    with pytest.raises(RunDirectoryError, match="holds a run of dataset 'tiny', not 'other'"):
        _run(Dataset("other", tiny_dataset.pairs), tmp_path, "r1", methods="average", resume=True)
    assert _scores(tmp_path / "r1") == rows


def test_5_a_disk_error_ends_the_run_as_failed(tiny_dataset, tmp_path, monkeypatch):
    from bench.results import RunStore

    real = RunStore.append

    def full(self, name, rows):
        if name == "timings" and rows:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, name, rows)

    monkeypatch.setattr(RunStore, "append", full)
    with pytest.raises(RunDirectoryError, match="No space left on device"):
        _run(tiny_dataset, tmp_path, "r1", methods="average")
    record = json.loads((tmp_path / "r1" / "run.json").read_text())
    assert record["status"] == "failed" and "No space left" in record["error"]


def test_5_an_unexpected_error_is_never_reported_complete(tiny_dataset, tmp_path, monkeypatch):
    from bench.runner import benchmark

    def broken(self, result):
        raise RuntimeError("recorder bug")

    monkeypatch.setattr(benchmark._Recorder, "consume", broken)
    with pytest.raises(RuntimeError, match="recorder bug"):
        _run(tiny_dataset, tmp_path, "r1", methods="average")
    record = json.loads((tmp_path / "r1" / "run.json").read_text())
    assert record["status"] == "failed" and record["error"] == "RuntimeError: recorder bug"


# -- 6: bad input ------------------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--jobs", "0"], "--jobs 0: expected a whole number of workers >= 1"),
    (["--jobs", "-3"], "--jobs -3: expected"),
    (["--timeout", "-1"], "--timeout -1.0: expected seconds > 0"),
    (["--metrics", ""], "--metrics is empty"),
    (["--out", "FILE"], "--out FILE: is a file, expected a directory"),
    (["--cache-dir", "FILE"], "--cache-dir FILE: is a file, expected a directory"),
    (["--backend", "threading", "--timeout", "5"], "cannot stop a running method"),
    (["--isolate", "off", "--jobs", "2"], "--isolate off runs every task in the main process"),
    (["--convention", "bogus"], "--convention 'bogus': none of the selected metrics has it"),
])
def test_6_cli_refuses_bad_options_in_one_line(tmp_path, monkeypatch, capsys, args, message):
    from bench.cli import main

    monkeypatch.chdir(tmp_path)
    Path("FILE").write_text("not a directory")
    code = main(["run", "--dataset", "synthetic:count=1,size=32", "--methods", "average",
                 "--no-report", "--no-progress", *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == [f"error: {err[0][7:]}"] and message in err[0]
    assert not Path("runs").exists()


def test_6_wrong_output_dtype_and_nan_decision_map_are_named(tiny_dataset, tmp_path, write_plugin):
    plugin = write_plugin("wrong", """
        @register_method
        class Wide(FusionMethod):
            name = "test-uint16"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                return FusionResult(image=np.rint((a + b) / 2 * 257).astype(np.uint16))

        @register_method
        class NanMap(FusionMethod):
            name = "test-nanmap"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                return FusionResult(image=(a + b) / 2, decision_map=np.full(a.shape[:2], np.nan))
    """)
    ds = Dataset("one", tiny_dataset.pairs[:1])
    s = _run(ds, tmp_path, "r1", methods="test-uint16,test-nanmap", plugins=[plugin])
    assert s.failed == 2
    errors = {f["method"]: f["error"] for f in _rows(tmp_path / "r1" / "failures.csv")}
    assert "method 'test-uint16' returned a uint16 image for 8-bit sources" in errors["test-uint16"]
    assert "decision map with 2304 non-finite (NaN/inf) values" in errors["test-nanmap"]


def test_6_pair_ids_that_look_alike_get_their_own_image_folders(tmp_path):
    rng = np.random.default_rng(0)
    a1, b1, a2, b2 = (rng.integers(0, 256, (16, 16)).astype(float) for _ in range(4))
    ds = Dataset("d", [array_pair("sub/x", a1, b1), array_pair("sub_x", a2, b2)])
    assert _run(ds, tmp_path, "r1", methods="average", metrics="qsf").ok
    from bench.io import read_image

    folders = {pair_folder("sub/x"), pair_folder("sub_x")}
    assert {p.name for p in (tmp_path / "r1" / "images").iterdir()} == folders
    got = read_image(tmp_path / "r1" / "images" / pair_folder("sub/x") / "average.png")[0]
    assert np.abs(got - (a1 + b1) / 2).max() <= 0.5


# -- 8: leftovers --------------------------------------------------------------------------
def test_8_killing_one_worker_fails_only_its_task(tiny_dataset, tmp_path, write_plugin):
    means = _means(tiny_dataset)
    pid_file = tmp_path / "victim.pid"
    plugin, _, _ = _culprit(write_plugin, tmp_path, "victim",
                            f"open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)",
                            means[list(means)[1]])

    def killer():
        deadline = time.time() + 60
        while time.time() < deadline:
            if pid_file.is_file() and pid_file.read_text():
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
                return
            time.sleep(0.02)

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    s = _run(tiny_dataset, tmp_path, "r1", methods="test-victim,average", plugins=[plugin], jobs=2)
    t.join()
    assert s.failed == 1 and s.computed == 5
    (f,) = _rows(tmp_path / "r1" / "failures.csv")
    assert f["method"] == "test-victim" and f["pair"] == list(means)[1]
    assert "worker process killed by SIGKILL" in f["error"]


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state  # a zombie waiting for a reaper is not running


def _slow_cli(tmp_path, shared_datasets, write_plugin):
    """A `bench run` command whose method blocks while a flag file exists (4 pairs, 2 workers)."""
    log, flag = tmp_path / "calls.log", tmp_path / "slow.flag"
    flag.touch()
    lytro = shared_datasets / "lytro"
    plugin = write_plugin("slowcrops", f"""
        from bench.datasets import Dataset, register_dataset
        from bench.runner import file_pair

        @register_method
        class Slow(FusionMethod):
            name = "test-slow"
            @dataclass
            class Params:
                pass
            def run(self, a, b, params):
                with open({str(log)!r}, "a") as fh:
                    fh.write(f"{{os.getpid()}}\\n")
                while os.path.exists({str(flag)!r}):
                    time.sleep(0.05)
                return FusionResult(image=(a + b) / 2)

        @register_dataset("test-slowcrops")
        def _crops(arg, data_dir, **options):
            return Dataset("test-slowcrops", [
                file_pair(f"p{{i}}", f"{lytro}/lytro-{{i:02d}}-A.jpg", f"{lytro}/lytro-{{i:02d}}-B.jpg",
                          crop=(0, 0, 40, 40)) for i in (1, 2, 3, 4)])
    """)
    env = {**os.environ, "FUSEBENCH_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "bench", "run", "--dataset", "test-slowcrops", "--methods",
           "test-slow", "--metrics", "qsf", "--jobs", "2", "--plugin", str(plugin), "--out",
           str(tmp_path / "run"), "--no-report", "--no-progress", "--resume"]
    return cmd, env, log, flag


def _start_and_wait_for_workers(cmd, env, tmp_path, log):
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and (not log.is_file() or len(log.read_text().split()) < 2):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    workers = {int(p) for p in log.read_text().split()}
    assert len(workers) == 2
    return proc, workers


def _wait_gone(workers):
    deadline = time.time() + 10
    while time.time() < deadline and not all(_gone(p) for p in workers):
        time.sleep(0.1)
    return all(_gone(p) for p in workers)


def test_8_no_orphans_after_the_main_process_is_killed_and_no_stray_temporaries(
        tmp_path, shared_datasets, write_plugin):
    cmd, env, log, flag = _slow_cli(tmp_path, shared_datasets, write_plugin)
    proc, workers = _start_and_wait_for_workers(cmd, env, tmp_path, log)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _wait_gone(workers), "workers outlived the killed main process"
    assert _status(tmp_path / "run") == "running"  # killed: nothing could say otherwise

    stray = tmp_path / "cache" / "fused" / ".old.png.999999999.tmp.png"  # a dead writer's
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"half")
    flag.unlink()
    out = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "4 tasks, 0 cached, 4 computed, 0 failed" in out.stdout
    assert _status(tmp_path / "run") == "complete"
    leftovers = [p for root in (tmp_path / "cache", tmp_path / "run") for p in root.rglob(".*tmp*")]
    assert leftovers == []


def test_8_sigterm_interrupts_the_run_honestly(tmp_path, shared_datasets, write_plugin):
    cmd, env, log, flag = _slow_cli(tmp_path, shared_datasets, write_plugin)
    proc, workers = _start_and_wait_for_workers(cmd, env, tmp_path, log)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and b"interrupted" in err
    assert _wait_gone(workers)
    assert _status(tmp_path / "run") == "interrupted"
