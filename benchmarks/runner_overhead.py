"""Runner overhead of a cold run: wall × jobs against the summed task time (issue 18).

    python benchmarks/runner_overhead.py --dataset lytro --data-dir ../shared/datasets \\
        --methods classic --jobs 2 --pairs 5

Runs ``run_benchmark`` once with empty temporary cache and run folders and reads
the run's ``timings.csv``: the task time is Σ (fuse_seconds + score_seconds)
over the computed tasks (what the workers spend inside the method and the
metrics), the capacity ``jobs × wall``; the overhead is capacity − task time
(reading and converting images, writing the cache PNGs and results, pickling,
scheduling, the workers' start and the last tasks' tail), printed as a share of
the task time (issue 18's target: ≤ 10 %). On a loaded machine both sides
stretch alike, but the tail (one worker idle while the other finishes) grows
with the longest task; ``--pairs`` keeps the first N pairs. Not a test.

The overhead is split with the time each result reaches the main process (a
job = one pair's tasks, run by one worker): *startup* (run start to the first
job's first task: planning, reading and hashing the sources, the pool and
its workers' imports), *in jobs* (a job's span from its first task's start to
its last result, less its tasks' time: quantising, cache PNGs and scores,
results), *between/after jobs* (workers idle or waiting: the tail when fewer
jobs than workers remain, dispatch) and *closing* (after the last result:
results and manifest files).
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    from bench.datasets import Dataset, load_dataset
    from bench.runner import run_benchmark

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="lytro")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--methods", default="classic")
    ap.add_argument("--metrics", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pairs", type=int, default=0, help="first N pairs only (0: all)")
    args = ap.parse_args(argv)
    dataset = load_dataset(args.dataset, data_dir=args.data_dir)
    if args.pairs:
        dataset = Dataset(dataset.name, dataset.pairs[: args.pairs], modality=dataset.modality)
    import bench.runner.benchmark as bm

    arrivals: list[tuple[float, object]] = []
    original = bm.iter_results

    def stamped(*a, **k):
        for res in original(*a, **k):
            arrivals.append((time.perf_counter(), res))
            yield res

    bm.iter_results = stamped
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        s = run_benchmark(dataset, methods=args.methods, metrics=args.metrics, jobs=args.jobs,
                          out=Path(tmp) / "run", cache_dir=Path(tmp) / "cache", progress=False)
        wall = time.perf_counter() - t0
        with open(s.run_dir / "timings.csv", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["cached"] in ("False", "false", "0")]
    fuse = sum(float(r["fuse_seconds"]) for r in rows if r["fuse_seconds"] not in ("", "nan"))
    score = sum(float(r["score_seconds"]) for r in rows if r["score_seconds"] not in ("", "nan"))
    task = fuse + score
    capacity = args.jobs * wall
    spans, in_jobs = {}, 0.0
    for t, res in arrivals:
        dur = (0.0 if res.cached else res.fuse_seconds) + res.score_seconds
        dur = dur if dur == dur else res.score_seconds  # nan fuse time of a failed task
        lo, hi, tot = spans.get(res.pair_id, (float("inf"), 0.0, 0.0))
        spans[res.pair_id] = (min(lo, t - dur), max(hi, t), tot + dur)
    starts = [v[0] for v in spans.values()]
    startup = (min(starts) - t0) if starts else float("nan")
    in_jobs = sum(hi - lo - tot for lo, hi, tot in spans.values())
    closing = t0 + wall - max((v[1] for v in spans.values()), default=t0)
    print(f"{s.line()}")
    print(f"{len(rows)} computed tasks; wall {wall:.1f} s x {args.jobs} jobs = {capacity:.1f} s; "
          f"fuse {fuse:.1f} s + score {score:.1f} s = {task:.1f} s; overhead {capacity - task:.1f} s "
          f"= {(capacity - task) / task:.1%} of the task time (target <= 10 %); "
          f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f}")
    idle = capacity - task - args.jobs * (startup + closing) - in_jobs
    print(f"overhead split (capacity s): startup {args.jobs} x {startup:.1f}, in {len(spans)} jobs "
          f"{in_jobs:.1f} ({in_jobs / task:.1%} of the task time), between/after jobs {idle:.1f}, "
          f"closing {args.jobs} x {closing:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
