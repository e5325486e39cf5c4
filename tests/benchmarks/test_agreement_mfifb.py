"""benchmarks/agreement_mfifb.py: resumable row files, pixel-balanced shards, summaries."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "agreement_mfifb.py"


@pytest.fixture(scope="module")
def agreement():
    spec = importlib.util.spec_from_file_location("agreement_under_test", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_shards_cover_the_pairs_once_and_balance_pixels(agreement, shared_datasets):
    from bench.validate import mfifb_outputs as mo

    root = mo.mfifb_root(shared_datasets)
    pairs = mo.list_pairs(root)
    size = {p: agreement.pixels(root, p) for p in pairs}
    parts = [agreement.shard(pairs, k, 3, size.get) for k in (1, 2, 3)]
    assert sorted(sum(parts, [])) == pairs
    loads = [sum(size[p] for p in part) for part in parts]
    assert max(loads) - min(loads) <= max(size.values())  # greedy bound
    assert all(part == [p for p in pairs if p in part] for part in parts)  # order kept
    with pytest.raises(SystemExit, match="between 1 and N"):
        agreement.shard(pairs, 4, 3, size.get)


def test_rows_resume_and_summaries(agreement, shared_datasets, tmp_path, capsys):
    rows = tmp_path / "rows.jsonl"
    argv = ["--methods", "msvd", "--pairs", "2", "--crop", "64", "--rows", str(rows),
            "--data-dir", str(shared_datasets)]
    assert agreement.main(argv) == 0
    first = [json.loads(line) for line in rows.read_text().splitlines()]
    assert [r["pair"] for r in first] == ["lytro_01", "lytro_02"]
    assert all(r["crop"] == 64 and r["method"] == "msvd" for r in first)
    # a rerun computes nothing: it takes the held rows (marked here) and appends none
    marked = [dict(r, psnr=12.5) for r in first]
    rows.write_text("".join(json.dumps(r) + "\n" for r in marked) + '{"method": "msvd", "pa')
    capsys.readouterr()
    assert agreement.main(argv) == 0
    out = capsys.readouterr()
    assert "'psnr': 12.5" in out.out and "not a JSON row" in out.err
    assert len(rows.read_text().splitlines()) == 3
    assert rows.read_text().endswith("\n")  # the cut line is closed: a new row starts on its own line
    # --summary reads the files only; the last row of a pair wins
    extra = tmp_path / "more.jsonl"
    extra.write_text(json.dumps(dict(first[0], psnr=40.0)) + "\n")
    assert agreement.main(["--summary", str(rows), str(extra)]) == 0
    summary = capsys.readouterr().out
    assert "summary (2 pairs)" in summary and "'psnr': 26.25" in summary  # median of 40, 12.5
