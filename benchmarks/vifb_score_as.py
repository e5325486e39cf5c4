"""Does scoring "as VIFB saved its outputs" matter? Our means vs VIFB's, stored vs saved alike.

Two runs of the same methods on VIFB (the fused images come from one cache), one scored
as stored (``--score-as stored``: 8-bit PNG) and one ``--score-as jpeg75`` (MATLAB-like
JPEG, quality 75, as VIFB wrote the files its table was computed on). On the pairs both
runs scored, per method and metric: the relative difference (%) of our mean from VIFB's
mean of its per-image values on the same pairs
(``published_metrics/vifb_metrics_per_image.csv``), and the largest such difference per
method for each way of scoring.

    python benchmarks/vifb_score_as.py runs/vifb-stored runs/vifb --data-dir ../shared/datasets
    python benchmarks/vifb_score_as.py --per-pair gff runs/vifb   # where a method's mean misses

``--per-pair METHOD RUN``: per pair and metric, the relative difference (%) of the run's
value from VIFB's published value of that image (what makes a mean miss).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from bench.validate.vifb import VIFB_TO_FUSEBENCH


def compare(stored_run: Path, jpeg_run: Path, data_dir: Path) -> pd.DataFrame:
    """Rows (method, metric, pairs, d_stored %, d_jpeg75 %) over the pairs both runs scored."""
    from methods.base import published_name

    pub = pd.read_csv(data_dir / "vifb" / "published_metrics" / "vifb_metrics_per_image.csv")
    pub["metric"] = pub["metric"].map(VIFB_TO_FUSEBENCH)
    runs = {k: pd.read_csv(p / "scores.csv") for k, p in (("stored", stored_run), ("jpeg75", jpeg_run))}
    rows = []
    for method in sorted(set(runs["stored"]["method"]) & set(runs["jpeg75"]["method"])):
        name = published_name(method, "vifb")
        got = {k: r[r["method"] == method] for k, r in runs.items()}
        pairs = sorted(set(got["stored"]["pair"]) & set(got["jpeg75"]["pair"])
                       & set(pub.loc[pub["method"] == name, "image"]))
        for metric in sorted(set(got["stored"]["metric"])):
            theirs = pub[(pub["method"] == name) & (pub["metric"] == metric)
                         & pub["image"].isin(pairs)]["value"].mean()
            row = {"method": method, "vifb": name, "metric": metric, "pairs": len(pairs)}
            for k, g in got.items():
                ours = g[(g["metric"] == metric) & g["pair"].isin(pairs)]["value"].mean()
                row[f"d_{k}_%"] = 100.0 * (ours - theirs) / abs(theirs)
            rows.append(row)
    return pd.DataFrame(rows)


def per_pair(run: Path, method: str, data_dir: Path) -> pd.DataFrame:
    """Pairs × metrics: 100 (ours − VIFB) / |VIFB| per image, for ``method`` in ``run``."""
    from methods.base import published_name

    pub = pd.read_csv(data_dir / "vifb" / "published_metrics" / "vifb_metrics_per_image.csv")
    pub = pub[pub["method"] == published_name(method, "vifb")]
    pub = pub.assign(metric=pub["metric"].map(VIFB_TO_FUSEBENCH)).pivot_table(
        index="image", columns="metric", values="value")
    ours = pd.read_csv(run / "scores.csv")
    ours = ours[ours["method"] == method].pivot_table(index="pair", columns="metric", values="value")
    return (100.0 * (ours - pub.reindex_like(ours)) / pub.reindex_like(ours).abs())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stored_run", nargs="?")
    ap.add_argument("jpeg_run")
    ap.add_argument("--data-dir", default="../shared/datasets")
    ap.add_argument("--per-pair", default=None, metavar="METHOD")
    args = ap.parse_args()
    pd.set_option("display.width", 250)
    if args.per_pair:
        print(per_pair(Path(args.jpeg_run), args.per_pair, Path(args.data_dir)).round(2).to_string())
        return
    df = compare(Path(args.stored_run), Path(args.jpeg_run), Path(args.data_dir))
    worst = df.assign(abs_stored=df["d_stored_%"].abs(), abs_jpeg=df["d_jpeg75_%"].abs()).groupby(
        ["method", "vifb", "pairs"]).agg(
        max_abs_d_stored=("abs_stored", "max"), metric_stored=("abs_stored", lambda s: df.loc[s.idxmax(), "metric"]),
        within_1pct_stored=("abs_stored", lambda s: f"{(s <= 1).sum()}/{len(s)}"),
        max_abs_d_jpeg75=("abs_jpeg", "max"),
        within_1pct_jpeg75=("abs_jpeg", lambda s: f"{(s <= 1).sum()}/{len(s)}"))
    print(worst.round(3).to_string())


if __name__ == "__main__":
    main()
