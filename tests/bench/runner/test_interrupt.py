"""A killed ``bench run`` loses nothing; re-running with --resume recomputes only the rest."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

N_PAIRS = 6


def _plugin(tmp_path: Path, lytro_dir: Path) -> Path:
    """A sleepy method that logs each call, and a dataset of six tiny real crops."""
    path = tmp_path / "sleepy_plugin.py"
    path.write_text(f"""
from dataclasses import dataclass
import os, time
from bench.datasets import Dataset, register_dataset
from bench.runner import file_pair
from methods.base import FusionMethod, FusionResult, register_method

@register_method
class Sleepy(FusionMethod):
    name = "test-sleepy"
    version = "1"
    @dataclass
    class Params:
        pass
    def run(self, a, b, params):
        with open(os.environ["SLEEPY_LOG"], "a") as fh:
            fh.write("call\\n")
        time.sleep(0.6)
        return FusionResult(image=(a + b) / 2)

@register_dataset("test-crops")
def _crops(arg, data_dir, **options):
    d = {str(lytro_dir)!r}
    return Dataset("test-crops", [
        file_pair(f"p{{i}}", f"{{d}}/lytro-{{i:02d}}-A.jpg", f"{{d}}/lytro-{{i:02d}}-B.jpg", crop=(0, 0, 40, 40))
        for i in range(1, {N_PAIRS + 1})
    ])
""")
    return path


def test_killed_run_resumes_with_only_unfinished_tasks(tmp_path, shared_datasets):
    plugin = _plugin(tmp_path, shared_datasets / "lytro")
    log = tmp_path / "calls.log"
    env = dict(os.environ, FUSEBENCH_CACHE=str(tmp_path / "cache"), SLEEPY_LOG=str(log))
    cmd = [sys.executable, "-m", "bench", "run", "--dataset", "test-crops", "--methods", "test-sleepy",
           "--metrics", "qsf", "--jobs", "1", "--plugin", str(plugin), "--runs-root", str(tmp_path / "runs"),
           "--no-report", "--no-progress", "--resume"]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fused_dir = tmp_path / "cache" / "fused"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(fused_dir.glob("*/*.json"))) < 2:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list(fused_dir.glob("*/*.json")))
    assert 2 <= done < N_PAIRS, "the run was not killed halfway"
    (run_dir,) = list((tmp_path / "runs").iterdir())
    with open(run_dir / "scores.csv") as fh:
        kept = list(csv.DictReader(fh))
    assert len(kept) >= done - 1  # rows were flushed as tasks finished (one may be in flight)

    calls_before = len(log.read_text().splitlines())
    out = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"{N_PAIRS} tasks, {done} cached, {N_PAIRS - done} computed, 0 failed" in out.stdout
    assert len(log.read_text().splitlines()) - calls_before == N_PAIRS - done
    assert list((tmp_path / "runs").iterdir()) == [run_dir]  # --resume reused the run directory
    with open(run_dir / "scores.csv") as fh:
        assert len(list(csv.DictReader(fh))) == N_PAIRS
