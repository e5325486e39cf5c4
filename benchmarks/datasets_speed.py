"""Speed and memory of the dataset layer (numbers for the docs, not a test).

    FUSEBENCH_DATA=../shared/datasets python benchmarks/datasets_speed.py

Measures: listing (no decoding), cold vs cached sha256 verification of the
210 MFIFB source files, streaming all 105 MFIFB pairs (peak traced memory),
and building the default ``synthetic`` dataset (6 pairs, 256×256).
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc


def main() -> None:
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="fusebench-bench-")  # cold verify cache
    t = time.perf_counter()
    from bench.datasets import list_datasets, load_dataset
    from bench.datasets.manifest import VerifiedImage, verify_file

    names = list_datasets()
    print(f"import + discover {len(names)} dataset families: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    ds = load_dataset("mfifb")
    print(f"list mfifb ({len(ds)} pairs, no decoding): {1e3 * (time.perf_counter() - t):.1f} ms")

    files = [(p.load_a, p.load_b) for p in ds]
    loaders = [x for ab in files for x in ab if isinstance(x, VerifiedImage)]
    for label in ("cold", "cached"):
        t = time.perf_counter()
        for ld in loaders:
            verify_file(ld.path, ld.sha256)
        print(f"sha256 verify {len(loaders)} files, {label}: {time.perf_counter() - t:.3f} s")

    tracemalloc.start()
    t = time.perf_counter()
    pixels = 0
    for p in ds:
        a, b = p.a, p.b
        pixels += a.size + b.size
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"stream all {len(ds)} pairs: {time.perf_counter() - t:.2f} s, peak traced memory "
        f"{peak / 2**20:.1f} MiB (holding all would need {pixels * 8 / 2**20:.0f} MiB)"
    )

    t = time.perf_counter()
    syn = load_dataset("synthetic")
    for p in syn:
        _ = (p.a, p.b, p.ground_truth, p.mask)
    print(f"synthetic default ({len(syn)} pairs 256x256, all arrays): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
