"""The run directory: everything reports need, written as the run goes.

::

    RUN_DIR/
      run.json        command line, versions, git revision, machine, device,
                      methods + parameters, metrics + directions, start/end, summary
      scores.csv      dataset, pair, method, method_version, metric, convention, value
      timings.csv     dataset, pair, method, method_version, cached, fuse_seconds, score_seconds, status
      failures.csv    dataset, pair, method, method_version, stage, metric, error, traceback
      images/<pair>/A.png, B.png[, GT.png, mask.png]   the sources
      images/<pair>/<method>.png[, <method>.dm.png]    fused images (hard links into the cache)
      report/         tables and figures (``bench report``)

Rows are appended and flushed as each job finishes, so a killed run keeps
every finished row; :meth:`RunStore.finalise` rewrites each CSV sorted
(atomically). ``run.json`` is rewritten atomically at start and end.

    >>> store = RunStore("runs/lytro-demo")                   # doctest: +SKIP
    >>> store.read_rows("scores")[0]["value"]                 # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

from bench.runner.cache import atomic_write_text, link_or_copy

SCORE_COLUMNS = ["dataset", "pair", "method", "method_version", "metric", "convention", "value"]
TIMING_COLUMNS = [
    "dataset", "pair", "method", "method_version", "cached", "fuse_seconds", "score_seconds", "status",
]
FAILURE_COLUMNS = ["dataset", "pair", "method", "method_version", "stage", "metric", "error", "traceback"]
FILES = {"scores": SCORE_COLUMNS, "timings": TIMING_COLUMNS, "failures": FAILURE_COLUMNS}


class RunStore:
    """Append-as-you-go writer (and reader) of one run directory."""

    def __init__(self, run_dir: str | os.PathLike):
        self.dir = Path(run_dir)

    def path(self, name: str) -> Path:
        return self.dir / f"{name}.csv"

    @property
    def images_dir(self) -> Path:
        return self.dir / "images"

    # -- writing ------------------------------------------------------------
    def start(self, record: dict[str, Any]) -> None:
        """Create the directory, empty CSVs with headers, and ``run.json``."""
        self.dir.mkdir(parents=True, exist_ok=True)
        for name, cols in FILES.items():
            atomic_write_text(self.path(name), _csv_text([], cols))
        self.write_record(record)

    def write_record(self, record: dict[str, Any]) -> None:
        atomic_write_text(self.dir / "run.json", json.dumps(record, indent=2, default=str) + "\n")

    def read_record(self) -> dict[str, Any]:
        return json.loads((self.dir / "run.json").read_text(encoding="utf-8"))

    def append(self, name: str, rows: list[dict[str, Any]]) -> None:
        """Append rows to ``<name>.csv`` and flush them to disk."""
        if not rows:
            return
        with open(self.path(name), "a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=FILES[name], extrasaction="ignore", lineterminator="\n")
            writer.writerows(rows)
            fh.flush()
            os.fsync(fh.fileno())

    def link_image(self, src: Path, pair_id: str, filename: str) -> None:
        link_or_copy(src, self.images_dir / pair_id / filename)

    def finalise(self, order: dict[str, dict[str, int]]) -> None:
        """Rewrite each CSV sorted by pair then method order (``order['pair'|'method']``)."""
        for name, cols in FILES.items():
            rows = self.read_rows(name)

            def sort_key(r):
                return (
                    order.get("pair", {}).get(r["pair"], 1 << 30), r["pair"],
                    order.get("method", {}).get(r["method"], 1 << 30), r["method"],
                    r.get("metric", ""),
                )

            rows.sort(key=sort_key)
            atomic_write_text(self.path(name), _csv_text(rows, cols))

    # -- reading ------------------------------------------------------------
    def read_rows(self, name: str) -> list[dict[str, str]]:
        try:
            with open(self.path(name), newline="", encoding="utf-8") as fh:
                return list(csv.DictReader(fh))
        except FileNotFoundError:
            return []


def safe_name(text: str) -> str:
    """A file-name-safe form of a pair id or dataset name (``images/<safe_name(pair)>/``)."""
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", str(text)).strip("_") or "x"


def _csv_text(rows: list[dict[str, Any]], cols: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
