"""Target ``vifb``: our ``vifb`` conventions against VIFB's published metric table.

VIFB's MATLAB toolkit scored its 525 fused images (21 visible/infrared pairs ×
25 methods) on 13 metrics; ``vifb/published_metrics/vifb_metrics_per_image.csv``
holds those 6,825 values (rounded to 4–5 significant digits). This module
recomputes every value with ``convention="vifb"`` and reports, per metric, how
many agree within :func:`bench.validate.within_tolerance` (1e-3 absolute or
1e-4 relative, whichever is looser). A metric passes at ≥ 99 % agreement on
the images of all methods except :data:`INCONSISTENT_METHODS` (SwinFusion,
YDTR: their published values were computed from other versions of the images;
they are reported, not held to the rule).

Library use (tests and the CLI share this code path; ``subset="quick"`` is
the stratified subset, here one fused image)::

    >>> df = metrics_vs_vifb(data_dir, [("kettle", "ADF")], metrics=["qabf"])
    >>> [(s["metric"], s["count"], s["within_tol"], s["pass"]) for s in summarize(df)]
    [('qabf', 1, 1, True)]

``python -m bench validate --against vifb --data-dir DIR`` runs the full table
(``--quick``: the stratified subset the tests use).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from bench.errors import DataError
from bench.validate import ValidationReport, register_target, within_tolerance

#: VIFB metric name -> fusebench metric name (all computed with convention "vifb").
VIFB_TO_FUSEBENCH = {
    "Cross_entropy": "ce",
    "Entropy": "en",
    "Mutinf": "qmi",
    "Psnr": "psnr",
    "Avg_gradient": "qag",
    "Edge_intensity": "ei",
    "Qabf": "qabf",
    "Variance": "sd",
    "Spatial_frequency": "qsf",
    "Rmse": "rmse",
    "Ssim": "ssim",
    "Qcb": "qcb",
    "Qcv": "qcv",
}

PASS_SHARE = 0.99

#: Methods whose published values do not come from the fused JPEGs VIFB ships.
#: For the other 23 methods every metric agrees on ≥ 99 % of images (most to the
#: last printed digit), and the same implementation reproduces Octave runs of
#: VIFB's code to ~1e-12 (target ``mefb``). For these two, all 13 metrics differ
#: slightly on most of the 21 images (median relative difference 0.01-0.4 %,
#: e.g. SD 38.106 vs 38.115 on elecbike_SwinFusion) although no other method's
#: file is a better match: the table was computed from other versions of these
#: images (VIFB's driver reuses stale per-image result files). They are
#: reported (``share`` counts them) but not held to the 1e-3/1e-4 rule.
INCONSISTENT_METHODS = ("SwinFusion", "YDTR")
TABLE = Path("published_metrics") / "vifb_metrics_per_image.csv"


def vifb_root(data_dir: str | Path) -> Path:
    """The ``vifb`` dataset folder: ``data_dir/vifb`` or ``data_dir`` itself."""
    data_dir = Path(data_dir)
    for cand in (data_dir / "vifb", data_dir):
        if (cand / TABLE).is_file():
            return cand
    raise DataError(f"{data_dir}: no vifb/{TABLE} found (give the folder holding vifb/)")


def load_published(data_dir: str | Path) -> pd.DataFrame:
    """The published table (image, method, metric, value) with a ``fusebench_metric`` column."""
    root = vifb_root(data_dir)
    df = pd.read_csv(root / TABLE)
    unknown = sorted(set(df["metric"]) - set(VIFB_TO_FUSEBENCH))
    if unknown:
        raise DataError(f"{root / TABLE}: unknown VIFB metric names {unknown}")
    df["fusebench_metric"] = df["metric"].map(VIFB_TO_FUSEBENCH)
    return df


def quick_pairs(published: pd.DataFrame) -> list[tuple[str, str]]:
    """Stratified subset: one image per method, rotating so every image appears.

    25 (image, method) pairs cover all 25 methods and all 21 images.
    """
    images = list(dict.fromkeys(published["image"]))
    methods = list(dict.fromkeys(published["method"]))
    return [(images[(5 * k) % len(images)], m) for k, m in enumerate(methods)]


def _score_pair(root: Path, image: str, method: str, names: list[str]) -> dict[str, float]:
    import metrics
    from bench.io import read_image

    a, _ = read_image(root / "sources" / "VI" / f"{image}.jpg")
    b, _ = read_image(root / "sources" / "IR" / f"{image}.jpg")
    f, _ = read_image(root / "fused" / f"{image}_{method}.jpg")
    return {n: metrics.compute(n, a, b, f, convention="vifb") for n in names}


def metrics_vs_vifb(
    data_dir: str | Path,
    subset: str | list[tuple[str, str]] | None = None,
    *,
    metrics: list[str] | None = None,
    n_jobs: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Recompute published VIFB values with ``convention="vifb"``.

    ``subset``: None (all 525 images), ``"quick"`` (:func:`quick_pairs`) or a
    list of (image, method). ``metrics``: fusebench names to check (default all
    13). Returns one row per value: image, method, metric, fusebench_metric,
    published, ours, abs_diff, ok.
    """
    root = vifb_root(data_dir)
    pub = load_published(root)
    if metrics is not None:
        pub = pub[pub["fusebench_metric"].isin(metrics)]
    if subset == "quick":
        subset = quick_pairs(pub)
    if subset is not None:
        keep = pd.MultiIndex.from_tuples(list(subset), names=["image", "method"])
        pub = pub[pd.MultiIndex.from_frame(pub[["image", "method"]]).isin(keep)]
    names = sorted(set(pub["fusebench_metric"]))
    pairs = list(dict.fromkeys(zip(pub["image"], pub["method"])))
    missing = [p for p in pairs if not (root / "fused" / f"{p[0]}_{p[1]}.jpg").is_file()]
    if missing:
        raise DataError(f"{root / 'fused'}: {len(missing)} fused images missing, e.g. {missing[0]}")

    if n_jobs == 1:
        it = pairs
        if progress:
            from tqdm import tqdm

            it = tqdm(pairs, desc="vifb", unit="image")
        scores = [_score_pair(root, i, m, names) for i, m in it]
    else:
        from joblib import Parallel, delayed

        scores = Parallel(n_jobs=n_jobs, verbose=5 if progress else 0)(
            delayed(_score_pair)(root, i, m, names) for i, m in pairs
        )
    ours = {(i, m, n): v for (i, m), s in zip(pairs, scores) for n, v in s.items()}
    out = pub.rename(columns={"value": "published"})[
        ["image", "method", "metric", "fusebench_metric", "published"]
    ].copy()
    out["ours"] = [ours[k] for k in zip(out["image"], out["method"], out["fusebench_metric"])]
    out["abs_diff"] = (out["ours"] - out["published"]).abs()
    out["ok"] = [within_tolerance(o, p) for o, p in zip(out["ours"], out["published"])]
    out["consistent"] = ~out["method"].isin(INCONSISTENT_METHODS)
    return out.reset_index(drop=True)


def _sig(x: float) -> float:
    """Round to 3 significant digits for display."""
    return float(f"{float(x):.3g}")


def summarize(df: pd.DataFrame, pass_share: float = PASS_SHARE) -> list[dict]:
    """Per-metric agreement rows.

    ``share`` is over all values; ``share_checked`` excludes
    :data:`INCONSISTENT_METHODS` and decides ``pass``;
    ``median_rel_diff_excluded`` shows how close the excluded values still are.
    """
    rows = []
    for (name, vname), g in df.groupby(["fusebench_metric", "metric"], sort=True):
        checked = g[g["consistent"]]
        other = g[~g["consistent"]]
        share_checked = float(checked["ok"].mean()) if len(checked) else float("nan")
        rel = (other["abs_diff"] / other["published"].abs()).median() if len(other) else float("nan")
        rows.append(
            {
                "metric": name,
                "vifb_name": vname,
                "count": len(g),
                "within_tol": int(g["ok"].sum()),
                "share": round(float(g["ok"].mean()), 4),
                "share_checked": round(share_checked, 4),
                "max_abs_diff_checked": _sig(np.nanmax(checked["abs_diff"].to_numpy())) if len(checked) else 0.0,
                "median_rel_diff_excluded": _sig(rel),
                "pass": bool(share_checked >= pass_share),
            }
        )
    return rows


@register_target("vifb")
def run(data_dir: Path, *, quick: bool = False, progress: bool = True, n_jobs: int | None = None) -> ValidationReport:
    """Validate all 13 VIFB metrics (``quick``: the stratified 25-image subset).

    ``n_jobs``: worker processes; default ``$FUSEBENCH_JOBS`` or the CPU count
    (1 for ``quick``).
    """
    if n_jobs is None:
        n_jobs = 1 if quick else int(os.environ.get("FUSEBENCH_JOBS") or os.cpu_count() or 1)
    df = metrics_vs_vifb(data_dir, subset="quick" if quick else None, n_jobs=n_jobs, progress=progress)
    rows = summarize(df)
    report = ValidationReport(
        title=f"VIFB published metrics vs fusebench convention='vifb' ({len(df)} values"
        f"{', quick subset' if quick else ''}; tolerance 1e-3 abs / 1e-4 rel; pass at ≥ 99 % of the "
        f"values of all methods but {' and '.join(INCONSISTENT_METHODS)})",
        rows=rows,
        ok=all(r["pass"] for r in rows),
    )
    report.notes.append(
        f"{', '.join(INCONSISTENT_METHODS)}: VIFB's published values were not computed from the fused "
        "images it ships (see bench/validate/vifb.py INCONSISTENT_METHODS); 'share' includes them."
    )
    worst = df[df["consistent"]].sort_values("abs_diff", ascending=False).head(3)
    for r in worst.itertuples():
        report.notes.append(
            f"largest diff: {r.fusebench_metric} {r.image}_{r.method}: ours {r.ours:.6g} vs published {r.published:.6g}"
        )
    return report
