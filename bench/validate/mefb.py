"""Target ``mefb``: every ``mefb`` convention against the Octave calibration values.

``reference/octave_mfifb_calibration.csv`` holds values that MEFB/VIFB MATLAB
metric code (and Kumar's objective-fusion code) produced under GNU Octave on
MFIFB fused images, one row per (pair, method, metric), each naming the
fusebench metric it corresponds to. This harness is generic: it checks every
row whose ``fusebench_metric`` is registered with a ``mefb`` convention, so a
new metric is validated as soon as it lands. Rows of unregistered metrics (or
metrics without ``mefb``) are listed as skipped.

Agreement rule: :func:`bench.validate.within_tolerance` (1e-3 abs / 1e-4 rel).
A metric passes at ≥ 99 % of its rows; rows whose ``prep`` contains
``FRAGILE`` are reported in their own line and not held to that rule.

Library use (``subset="quick"`` is the stratified subset; here one fused image):

    >>> df = metrics_vs_mefb(data_dir, [("aymaz_02", "CSR")], metrics=["qabf"])
    >>> [(s["metric"], s["count"], s["within_tol"], s["pass"]) for s in summarize(df)]
    [('qabf', 1, 1, True)]
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from bench.errors import DataError
from bench.validate import ValidationReport, register_target, within_tolerance

PASS_SHARE = 0.99
CSV_NAME = "octave_mfifb_calibration.csv"


def calibration_csv(data_dir: str | Path) -> Path:
    """Find the calibration CSV: ``data_dir/reference``, ``data_dir/../reference`` or ``data_dir``."""
    data_dir = Path(data_dir)
    for cand in (data_dir / "reference", data_dir.parent / "reference", data_dir):
        if (cand / CSV_NAME).is_file():
            return cand / CSV_NAME
    raise DataError(f"{data_dir}: no reference/{CSV_NAME} found beside or under it")


def mfifb_root(data_dir: str | Path) -> Path:
    """The ``mfifb`` dataset folder (``data_dir/mfifb``, ``data_dir/datasets/mfifb``, ...)."""
    data_dir = Path(data_dir)
    for cand in (data_dir / "mfifb", data_dir / "datasets" / "mfifb", data_dir.parent / "datasets" / "mfifb"):
        if (cand / "sources").is_dir():
            return cand
    raise DataError(f"{data_dir}: no mfifb/sources folder found")


def load_calibration(data_dir: str | Path) -> pd.DataFrame:
    """The calibration rows plus ``fragile`` (bool) and ``channel_case`` (prep class)."""
    df = pd.read_csv(calibration_csv(data_dir))
    df["fragile"] = df["prep"].str.contains("FRAGILE", regex=False)
    df["channel_case"] = np.select(
        [df["prep"].str.contains("gray sources + RGB fused", regex=False), df["prep"].str.contains("gray:", regex=False)],
        ["gray+rgb", "gray"],
        "colour",
    )
    return df


def mefb_metrics() -> list[str]:
    """fusebench metrics registered with a ``mefb`` convention."""
    import metrics

    return [n for n in metrics.list_metrics() if "mefb" in metrics.get_metric(n).conventions]


def quick_images(
    cal: pd.DataFrame, per_stratum: int = 3, *, root: str | Path | None = None, max_pixels: int = 300_000
) -> list[tuple[str, str]]:
    """Stratified subset of (pair, method): per method × channel case, evenly spaced pairs.

    Covers every method and every channel rule (colour, grey, grey sources with
    RGB fused) with about 20 fused images. With ``root`` (the mfifb folder),
    pairs larger than ``max_pixels`` are left out where a stratum has smaller
    ones, to keep the subset quick.
    """
    keys = cal.drop_duplicates(["pair", "method"])[["pair", "method", "channel_case"]]
    if root is not None:
        sizes = {p: _pixels(Path(root), p) for p in set(keys["pair"])}
        keys = keys.assign(small=[sizes[p] <= max_pixels for p in keys["pair"]])
    else:
        keys = keys.assign(small=True)
    out: list[tuple[str, str]] = []
    for _, g in keys.groupby(["method", "channel_case"], sort=True):
        if g["small"].any():
            g = g[g["small"]]
        g = g.sort_values("pair")
        n = min(per_stratum, len(g))
        idx = np.unique(np.linspace(0, len(g) - 1, n).round().astype(int))
        out += [(p, m) for p, m in zip(g["pair"].iloc[idx], g["method"].iloc[idx])]
    return out


def _pixels(root: Path, pair: str) -> int:
    from bench.io import open_checked

    hits = sorted((root / "sources").glob(f"{pair}_A.*"))
    if not hits:
        return 0
    with open_checked(hits[0]) as im:
        return im.size[0] * im.size[1]


@lru_cache(maxsize=64)
def _load_triple(root: str, pair: str, fused_file: str):
    from bench.io import read_image

    src = Path(root) / "sources"
    found = {}
    for side in ("A", "B"):
        hits = sorted(src.glob(f"{pair}_{side}.*"))
        if not hits:
            raise DataError(f"{src}: no source {pair}_{side}.*")
        found[side] = read_image(hits[0])[0]
    f, _ = read_image(Path(root) / fused_file)
    return found["A"], found["B"], f


def metrics_vs_mefb(
    data_dir: str | Path,
    subset: str | list[tuple[str, str]] | None = None,
    *,
    metrics: list[str] | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Recompute calibration rows with ``convention="mefb"``.

    ``subset``: None (all rows), ``"quick"`` (:func:`quick_images`) or a list of
    (pair, method). ``metrics``: fusebench names (default: all with ``mefb``).
    Rows of metrics without a registered ``mefb`` convention come back with
    ``ours`` = NaN and ``status`` = "skipped". Columns: pair, method, metric,
    fusebench_metric, reference, ours, abs_diff, ok, fragile, status.
    """
    import metrics as metrics_pkg

    cal = load_calibration(data_dir)
    root = mfifb_root(data_dir)
    if subset == "quick":
        subset = quick_images(cal, root=root)
    if subset is not None:
        keep = set(subset)
        cal = cal[[(p, m) in keep for p, m in zip(cal["pair"], cal["method"])]]
    if metrics is not None:
        cal = cal[cal["fusebench_metric"].isin(metrics)]
    available = set(mefb_metrics())
    cal = cal.copy()
    cal["status"] = np.where(cal["fusebench_metric"].isin(available), "checked", "skipped")
    todo = cal[cal["status"] == "checked"]

    groups = list(todo.groupby(["pair", "method", "fused_file"], sort=False))
    if progress:
        from tqdm import tqdm

        groups = tqdm(groups, desc="mefb", unit="image")
    ours: dict[int, float] = {}
    for (pair, _method, fused_file), g in groups:
        a, b, f = _load_triple(str(root), pair, fused_file)
        for name in sorted(set(g["fusebench_metric"])):
            try:
                v = metrics_pkg.compute(name, a, b, f, convention="mefb")
            except Exception as exc:  # report, do not abort the whole table
                raise DataError(f"metric {name!r} failed on {fused_file}: {type(exc).__name__}: {exc}") from exc
            for idx in g.index[g["fusebench_metric"] == name]:
                ours[idx] = v
    out = cal[["pair", "method", "fused_file", "metric", "fusebench_metric", "value", "fragile", "status"]]
    out = out.rename(columns={"value": "reference"}).copy()
    out["ours"] = [ours.get(i, np.nan) for i in out.index]
    out["abs_diff"] = (out["ours"] - out["reference"]).abs()
    out["ok"] = [
        bool(np.isfinite(o) and within_tolerance(o, r)) for o, r in zip(out["ours"], out["reference"])
    ]
    return out.reset_index(drop=True)


def summarize(df: pd.DataFrame, pass_share: float = PASS_SHARE) -> list[dict]:
    """Per metric (and per metric's FRAGILE rows separately): count, share within tolerance, max diff."""
    rows = []
    checked = df[df["status"] == "checked"]
    for (name, fragile), g in checked.groupby(["fusebench_metric", "fragile"], sort=True):
        share = float(g["ok"].mean())
        diffs = g["abs_diff"].to_numpy()
        rows.append(
            {
                "metric": name,
                "rows": "FRAGILE" if fragile else "all",
                "count": len(g),
                "within_tol": int(g["ok"].sum()),
                "share": round(share, 4),
                "max_abs_diff": float(f"{np.nanmax(diffs):.3g}") if np.isfinite(diffs).any() else float("nan"),
                "pass": "n/a (fragile)" if fragile else share >= pass_share,
            }
        )
    return rows


@register_target("mefb")
def run(data_dir: Path, *, quick: bool = False, progress: bool = True) -> ValidationReport:
    """Validate every registered ``mefb`` convention (``quick``: stratified ~20 fused images)."""
    df = metrics_vs_mefb(data_dir, subset="quick" if quick else None, progress=progress)
    rows = summarize(df)
    report = ValidationReport(
        title=f"Octave MEFB/VIFB calibration vs fusebench convention='mefb' ({int((df.status == 'checked').sum())} "
        f"values{', quick subset' if quick else ''}; tolerance 1e-3 abs / 1e-4 rel; pass at ≥ 99 %, FRAGILE rows exempt)",
        rows=rows,
        ok=all(r["pass"] is True for r in rows if r["rows"] == "all"),
    )
    skipped = sorted(set(df.loc[df["status"] == "skipped", "fusebench_metric"]))
    if skipped:
        report.notes.append(f"skipped (no registered 'mefb' convention): {', '.join(skipped)}")
    return report
