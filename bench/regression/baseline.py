"""Saving and loading score baselines.

``save_baseline(run_dir, "synthetic")`` writes ``reports/baselines/synthetic.{csv,json}``
from a run directory; ``load_baseline`` reads one back:

    >>> df = load_baseline(default_baseline_dir() / "synthetic.csv")
    >>> {"qabf", "qmi"} <= set(df.metric), set(df.dataset)
    (True, {'synthetic'})
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from bench.errors import DataError
from bench.results import read_record

KEY = ["dataset", "pair", "method", "metric", "convention"]
COLUMNS = ["dataset", "pair", "method", "method_version", "metric", "convention", "value"]


def default_baseline_dir() -> Path:
    """``reports/baselines`` of the source checkout (where baselines are committed);
    for an installed (non-checkout) fusebench, ``./reports/baselines``."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "methods" / "base.py").is_file():
        return root / "reports" / "baselines"
    return Path.cwd() / "reports" / "baselines"


def read_scores(path: str | os.PathLike) -> pd.DataFrame:
    """Tidy scores from a run directory or a CSV file, checked for the needed columns."""
    p = Path(path)
    csv = p / "scores.csv" if p.is_dir() else p
    if not csv.is_file():
        raise DataError(f"{csv}: no scores file (is {path} a run directory?)")
    if p.is_dir():
        from bench.results import read_table

        df = read_table(p, "scores")
    else:
        df = pd.read_csv(csv, dtype={"method_version": str, "pair": str})
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{csv}: missing columns {missing}")
    return df[COLUMNS]


def save_baseline(run_dir: str | os.PathLike, name: str, out_dir: str | os.PathLike | None = None) -> Path:
    """Write ``NAME.csv`` (sorted, full precision) and ``NAME.json`` (header) from a run."""
    df = read_scores(run_dir).sort_values(KEY).reset_index(drop=True)
    out = Path(out_dir) if out_dir else default_baseline_dir()
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{name}.csv"
    tmp = csv.with_suffix(".csv.tmp")
    df.to_csv(tmp, index=False, float_format="%.17g")
    os.replace(tmp, csv)
    run_json = Path(run_dir) / "run.json"
    run_info = read_record(run_dir) if run_json.is_file() else {}
    header = {
        "name": name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source_run": str(run_dir),
        "run_command": _portable_command(run_info.get("command")),
        "git": run_info.get("git"),
        "method_versions": _method_versions(df),
        "versions": run_info.get("versions") or _versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "rows": len(df),
        "datasets": sorted(df["dataset"].unique().tolist()),
        "methods": sorted(df["method"].unique().tolist()),
        "metrics": sorted(df["metric"].unique().tolist()),
    }
    (out / f"{name}.json").write_text(json.dumps(header, indent=2) + "\n")
    return csv


def load_baseline(path: str | os.PathLike) -> pd.DataFrame:
    return read_scores(path)


def _portable_command(cmd: list[str] | str | None):
    """``['/abs/path/bench/__main__.py', 'run', ...]`` -> ``'python -m bench run ...'``."""
    if not cmd or isinstance(cmd, str):
        return cmd
    head = Path(cmd[0]).name
    prog = ["python", "-m", "bench"] if head in ("__main__.py", "bench", "fusebench") else [cmd[0]]
    return " ".join(prog + [str(a) for a in cmd[1:]])


def _method_versions(df: pd.DataFrame) -> dict[str, str]:
    return {m: str(v) for m, v in df.groupby("method").method_version.first().items()}


def _versions() -> dict[str, str]:
    import numpy

    import bench

    return {"fusebench": bench.__version__, "numpy": numpy.__version__}
