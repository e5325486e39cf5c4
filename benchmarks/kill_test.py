"""Kill test: SIGKILL ``bench run`` (or one of its workers) at random moments, re-run, compare.

    python benchmarks/kill_test.py --dataset mfifb:lytro --data-dir ../shared/datasets \\
        --methods classic --jobs 2 --main-kills 10 --worker-kills 5
    python benchmarks/kill_test.py --count 4 --main-kills 3 --worker-kills 2     # smaller

1. A clean run (fresh cache) gives the reference ``scores.csv`` and fused images and its
   wall time T.
2. ``--main-kills`` times: a fresh cache and run directory, ``bench run`` SIGKILLed at a
   uniformly random moment in (0.05 T, 0.95 T); no process of that run may outlive it
   (workers die with their parent); the same command with ``--resume`` must then end
   ``complete`` with scores and fused images bit-identical to the clean run's.
3. ``--worker-kills`` times: the same, but one worker process is SIGKILLed instead; the
   run must finish with at most one failed task, failed as ``killed by SIGKILL`` (zero
   when the worker was between jobs), then the re-run must be complete and bit-identical.

``--count N`` keeps the first N pairs (a small dataset wrapper is loaded as a plugin).
Prints one line per trial and a summary; exit status 1 when any check fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SUBSET = '''
from bench.datasets import Dataset, load_dataset, register_dataset

@register_dataset("kill-subset")
def _subset(arg, data_dir, **options):
    ds = load_dataset({dataset!r}, data_dir)
    return Dataset("kill-subset", ds.pairs[:{count}], modality=ds.modality)
'''


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _fingerprint(run_dir: Path) -> tuple[list, dict]:
    scores = sorted(tuple(r.values()) for r in _rows(run_dir / "scores.csv"))
    images = {str(p.relative_to(run_dir)): p.read_bytes() for p in sorted((run_dir / "images").rglob("*.png"))}
    return scores, images


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="mfifb:lytro")
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "datasets"))
    ap.add_argument("--count", type=int, default=0, help="first N pairs only (0: all)")
    ap.add_argument("--methods", default="classic")
    ap.add_argument("--metrics", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--main-kills", type=int, default=10)
    ap.add_argument("--worker-kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", default=None, help="work folder to keep (default: a temporary one)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(args.keep or tempfile.mkdtemp(prefix="fb-kill-"))
    work.mkdir(parents=True, exist_ok=True)
    dataset = args.dataset
    extra = []
    if args.count:
        plugin = work / "kill_subset.py"
        plugin.write_text(SUBSET.format(dataset=args.dataset, count=args.count))
        dataset, extra = "kill-subset", ["--plugin", str(plugin)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}

    def command(tag: str) -> list[str]:
        cmd = [sys.executable, "-m", "bench", "run", "--dataset", dataset, "--data-dir", args.data_dir,
               "--methods", args.methods, "--jobs", str(args.jobs), "--out", str(work / tag),
               "--cache-dir", str(work / f"cache-{tag}"), "--no-report", "--no-progress", "--resume",
               *extra]
        return cmd + (["--metrics", args.metrics] if args.metrics else [])

    t0 = time.perf_counter()
    clean = subprocess.run(command("clean"), env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if clean.returncode != 0:
        print(clean.stdout, clean.stderr)
        return 1
    reference = _fingerprint(work / "clean")
    print(f"clean run: {wall:.1f} s, {len(reference[0])} scores, {len(reference[1])} images "
          f"({clean.stdout.strip().splitlines()[-1]})")
    problems: list[str] = []
    trials = [("main", i) for i in range(args.main_kills)] + [("worker", i) for i in range(args.worker_kills)]
    for kind, i in trials:
        tag = f"{kind}-{i}"
        when = rng.uniform(0.05, 0.95) * wall
        proc = subprocess.Popen(command(tag), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        time.sleep(when)
        line, failed_before = "", None
        if proc.poll() is not None:
            line = "finished before the kill"
        elif kind == "main":
            family = _tree(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            deadline = time.time() + 10
            while time.time() < deadline and any(_alive(p) for p in family):
                time.sleep(0.1)
            orphans = [p for p in family if _alive(p)]
            if orphans:
                problems.append(f"{tag}: orphans {orphans}")
            line = f"main killed at {when:.1f} s, {len(family)} child processes, {len(orphans)} left"
        else:
            workers = [w for kid in _children(proc.pid) for w in _children(kid)]  # forkserver's children
            if workers:
                victim = rng.choice(workers)
                os.kill(victim, signal.SIGKILL)
            out, err = proc.communicate()
            fails = _rows(work / tag / "failures.csv")
            failed_before = len(fails)
            bad = [f for f in fails if "killed by SIGKILL" not in f["error"]]
            if len(fails) > 1 or bad:
                problems.append(f"{tag}: {len(fails)} failures after killing one worker: {fails[:3]}")
            line = (f"worker {victim if workers else '-'} killed at {when:.1f} s; "
                    f"{failed_before} task(s) failed before the rerun")
        rerun = subprocess.run(command(tag), env=env, capture_output=True, text=True)
        status = json.loads((work / tag / "run.json").read_text())["status"]
        same = _fingerprint(work / tag) == reference
        if rerun.returncode != 0 or status != "complete" or not same:
            problems.append(f"{tag}: rerun rc {rerun.returncode}, status {status}, identical {same}")
        summary = rerun.stdout.strip().splitlines()[-1] if rerun.stdout.strip() else rerun.stderr[-200:]
        print(f"{tag}: {line}; rerun: {status}, bit-identical {same} ({summary})")
    strays = [p for p in work.rglob(".*tmp*")]
    if strays:
        problems.append(f"stray temporaries: {strays[:5]}")
    print(f"{len(trials)} kills, {len(problems)} problems" + "".join(f"\n  {p}" for p in problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
