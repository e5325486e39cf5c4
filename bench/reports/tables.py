"""Result tables from a run directory (pandas): per pair, mean ± std, mean rank.

Every table has methods as rows and metrics as columns. The direction of each
metric (↑ higher is better / ↓ lower is better) comes from the metric
registry, falling back to the snapshot in ``run.json`` for metrics not
registered in this process (e.g. a plugin's); so does each metric's LaTeX
symbol (:attr:`metrics.base.Metric.symbol`). Values are shown with 3 decimals;
per column the best value is marked ``best`` and the second best ``second``,
comparing the values *as printed*: every method tied at the printed precision
gets the mark (two methods at 0.7312 and 0.7309 are both bold at 3 decimals).

The sanity baselines (:data:`BASELINES`: ``average``, ``max-abs``) are listed
last, set apart (greyed in LaTeX/HTML) and never marked, unless a table is
built with ``rank_baselines=True`` (``bench report --rank-baselines``): they
show the floor a method must beat, not a competitor. Rows carry the methods'
published names (:func:`display_name`): the name the run's benchmark publishes the
method under (its ``published_names``, e.g. ``hmsd-gf`` is ``HMSD_GF`` in a ``vifb``
run), else the name the literature uses, else the registry name.

Mean rank: per pair and metric the methods are ranked (1 = best, ties get
the average rank, failed cells are left out), then averaged over pairs; the
``all`` column averages the per-metric mean ranks.

    >>> values = pd.DataFrame({"qabf": [0.7312, 0.7309, 0.70]}, index=["gff", "dwt", "average"])
    >>> t = finish(Table("mean", "", values, {"qabf": True}), Results(
    ...     Path("."), pd.DataFrame(), {}, ["gff", "dwt", "average"], [], ["qabf"], {"qabf": True}))
    >>> t.marks()["qabf"].tolist(), t.label("gff"), t.is_baseline("average")
    (['best', 'best', ''], 'GFF', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bench.errors import FusebenchError

DECIMALS = 3
BASELINES = ("average", "max-abs")
# the names the methods' papers (and the comparison tables of the literature) use
PUBLISHED = {
    "average": "Average", "max-abs": "Max-abs", "pca": "PCA", "dwt": "DWT", "lp": "LP",
    "msvd": "MSVD", "gd": "GD", "gff": "GFF", "mgff": "MGFF", "mstsr": "MST-SR", "lp-sr": "MST-SR",
    "asr": "ASR", "csr": "CSR", "dsift": "DSIFT", "dwtde": "DWTDE", "tlnet": "TLNet",
    "cnn-patch": "CNN", "cnn": "CNN", "ifcnn": "IFCNN", "sesf": "SESF", "densefuse": "DenseFuse",
    "fmm": "FMM", "transfusion": "TransFusion",
}


#: dataset (before any ``:``) -> the benchmark whose ``published_names`` its tables use
BENCHMARK_OF_DATASET = {"vifb": "vifb", "mfifb": "mfifb"}


def declared_name(method: str, benchmark: str) -> str | None:
    """The name ``benchmark`` publishes ``method`` under, as the method declares it
    (``published_names``); None when it declares none or is not registered here.

    >>> declared_name("lp-sr", "vifb"), declared_name("lp-sr", "mefb"), declared_name("x?", "vifb")
    ('LP_SR', None, None)
    """
    from bench.errors import FusebenchError

    try:
        import methods

        cls = type(methods.get_method(method))
    except (FusebenchError, ImportError):
        return None
    return cls.published_names.get(benchmark)


def display_name(method: str, benchmark: str | None = None) -> str:
    """The published name of a method: ``benchmark``'s name for it (when given and
    declared), else the literature's (:data:`PUBLISHED`), else its registry name.

    >>> display_name("mstsr"), display_name("my-plugin"), display_name("lp-sr", "vifb")
    ('MST-SR', 'my-plugin', 'LP_SR')
    """
    return (benchmark and declared_name(method, benchmark)) or PUBLISHED.get(method, method)


@dataclass
class Results:
    """What a run stored: tidy scores, the run record and display order."""

    run_dir: Path
    scores: pd.DataFrame
    record: dict[str, Any]
    methods: list[str]
    pairs: list[str]
    metrics: list[str]
    higher_is_better: dict[str, bool]
    symbols: dict[str, str] = field(default_factory=dict)

    @property
    def dataset(self) -> str:
        return str(self.record.get("dataset", {}).get("name", ""))

    @property
    def convention(self) -> str:
        return str(self.record.get("convention", "default"))

    @property
    def score_as(self) -> str:
        """How the fused images were scored (:mod:`bench.score_as`; older runs: stored)."""
        return str(self.record.get("score_as", "stored"))

    @property
    def benchmark(self) -> str | None:
        """The benchmark whose published method names label this run's rows, if any."""
        return BENCHMARK_OF_DATASET.get(self.dataset.split(":")[0])

    def method_versions(self, methods: list[str] | None = None,
                        labels: dict[str, str] | None = None) -> str:
        """``"PCA v1, DWT v2"``: the stored version of each method, for captions."""
        info = self.record.get("methods", {})
        return ", ".join(f"{(labels or {}).get(m) or display_name(m, self.benchmark)} "
                         f"v{info.get(m, {}).get('version', '?')}"
                         for m in (methods if methods is not None else self.methods))


def metric_symbols(names: list[str]) -> dict[str, str]:
    """``{metric: LaTeX math symbol}`` from the registry, upright names for unknown metrics."""
    import metrics
    from metrics.base import symbol_fallback

    return {n: metrics.get_metric(n).symbol if n in metrics.METRICS else symbol_fallback(n)
            for n in names}


def metric_directions(names: list[str], record: dict[str, Any]) -> dict[str, bool]:
    """``{metric: higher_is_better}`` from the registry, else from ``run.json``."""
    import metrics

    out = {}
    for name in names:
        if name in metrics.METRICS:
            out[name] = metrics.get_metric(name).higher_is_better
        elif name in record.get("metrics", {}):
            out[name] = bool(record["metrics"][name]["higher_is_better"])
        else:
            raise FusebenchError(f"metric {name!r}: direction unknown (not registered, not in run.json)")
    return out


def load_results(run_dir: str | Path) -> Results:
    """Read ``scores.csv`` and ``run.json`` of a run directory."""
    from bench.results import read_record, read_table

    run_dir = Path(run_dir)
    if not (run_dir / "run.json").is_file() or not (run_dir / "scores.csv").is_file():
        raise FusebenchError(f"{run_dir}: not a run directory (run.json and scores.csv expected)")
    record = read_record(run_dir)
    scores = read_table(run_dir, "scores")
    known_methods = list(record.get("methods", {}))
    methods = known_methods + [m for m in scores["method"].unique() if m not in known_methods]
    methods = [m for m in methods if m in set(scores["method"])]
    pairs_all = list(record.get("dataset", {}).get("pairs", []))
    pairs = [p for p in pairs_all if p in set(scores["pair"])]
    pairs += [p for p in scores["pair"].unique() if p not in pairs]
    known_metrics = list(record.get("metrics", {}))
    metric_names = [m for m in known_metrics if m in set(scores["metric"])]
    metric_names += [m for m in scores["metric"].unique() if m not in metric_names]
    return Results(run_dir, scores, record, methods, pairs, metric_names,
                   metric_directions(metric_names, record), metric_symbols(metric_names))


@dataclass
class Table:
    """A methods × metrics table with its formatting rules."""

    name: str  # file stem, e.g. "mean", "rank", "pair-lytro-01"
    caption: str
    values: pd.DataFrame  # rows: methods, columns: metrics (float, NaN = missing)
    higher_is_better: dict[str, bool]
    std: pd.DataFrame | None = None
    decimals: int = DECIMALS
    notes: list[str] = field(default_factory=list)
    symbols: dict[str, str] = field(default_factory=dict)  # metric -> LaTeX math
    labels: dict[str, str] = field(default_factory=dict)  # row -> shown name
    baselines: tuple[str, ...] = ()  # rows set apart and not marked
    rank_baselines: bool = False  # mark the baselines like any other row
    unranked: tuple[str, ...] = ()  # rows shown but never marked (e.g. a reproduction)

    def label(self, row: str) -> str:
        return self.labels.get(row, row)

    def symbol(self, column: str) -> str:
        from metrics.base import symbol_fallback

        return self.symbols.get(column) or symbol_fallback(column)

    def is_baseline(self, row: str) -> bool:
        return row in self.baselines

    @property
    def rows(self) -> list[str]:
        return list(self.values.index)

    @property
    def columns(self) -> list[str]:
        return list(self.values.columns)

    def arrow(self, column: str) -> str:
        return "↑" if self.higher_is_better[column] else "↓"

    def number(self, x: float) -> str:
        return "–" if pd.isna(x) else f"{x:.{self.decimals}f}"

    def cell_text(self, row: str, column: str, pm: str = " ± ") -> str:
        v = self.values.loc[row, column]
        s = self.number(v)
        if self.std is not None and not pd.isna(v):
            s += pm + self.number(self.std.loc[row, column])
        return s

    def marks(self) -> pd.DataFrame:
        """``"best"`` / ``"second"`` / ``""`` per cell, direction-aware, on the shown values."""
        out = pd.DataFrame("", index=self.values.index, columns=self.values.columns)
        ranked = [r for r in self.rows if r not in self.unranked
                  and (self.rank_baselines or not self.is_baseline(r))]
        for col in self.columns:
            shown = self.values.loc[ranked, col].map(self.number)
            shown = pd.to_numeric(shown, errors="coerce")
            distinct = sorted(shown.dropna().unique(), reverse=self.higher_is_better[col])
            if len(shown.dropna()) < 2:
                continue
            out.loc[shown.index[shown == distinct[0]], col] = "best"
            if len(distinct) > 1:
                out.loc[shown.index[shown == distinct[1]], col] = "second"
        return out


def _pivot(df: pd.DataFrame, res: Results) -> pd.DataFrame:
    table = df.pivot_table(index="method", columns="metric", values="value", aggfunc="mean")
    return table.reindex(index=[m for m in res.methods if m in table.index],
                         columns=[m for m in res.metrics if m in table.columns])


def _context(res: Results, methods: list[str], labels: dict[str, str] | None = None) -> str:
    """Caption tail naming the convention, how images were scored and the methods' versions."""
    from bench.score_as import SCORE_AS, caption

    scored = caption(res.score_as) if res.score_as in SCORE_AS else f"scored as {res.score_as}"
    return (f"{res.convention} metric convention; " + (f"{scored}; " if scored else "")
            + f"methods {res.method_versions(methods, labels)}")


def finish(t: Table, res: Results, rank_baselines: bool = False) -> Table:
    """Give ``t`` the run's symbols and published row names; baselines last, set apart."""
    rows = [r for r in t.rows if r not in BASELINES] + [r for r in t.rows if r in BASELINES]
    t.values = t.values.reindex(index=rows)
    if t.std is not None:
        t.std = t.std.reindex(index=rows)
    t.symbols = {**res.symbols, **t.symbols}
    t.labels = {r: display_name(r, res.benchmark) for r in rows} | t.labels
    t.baselines = tuple(r for r in rows if r in BASELINES)
    t.rank_baselines = rank_baselines
    return t


def per_pair_tables(res: Results, pairs: list[str] | None = None,
                    rank_baselines: bool = False) -> list[Table]:
    """One table per pair (the reference paper's Tables 1–3)."""
    out = []
    for pair in pairs if pairs is not None else res.pairs:
        vals = _pivot(res.scores[res.scores["pair"] == pair], res)
        caption = f"{res.dataset}, pair {pair} ({_context(res, list(vals.index))})"
        out.append(finish(Table(f"pair-{slug(pair)}", caption, vals,
                                {c: res.higher_is_better[c] for c in vals.columns}),
                          res, rank_baselines))
    return out


def mean_std_table(res: Results, rank_baselines: bool = False) -> Table:
    """Mean ± standard deviation (ddof=1; 0 for one pair) over pairs."""
    per_pair = res.scores.pivot_table(index=["method", "pair"], columns="metric", values="value")
    grouped = per_pair.groupby(level="method")
    mean = grouped.mean()
    std = grouped.std(ddof=1).fillna(0.0)
    order_r = [m for m in res.methods if m in mean.index]
    order_c = [m for m in res.metrics if m in mean.columns]
    n = len(res.pairs)
    caption = (f"{res.dataset}: mean ± std over {n} pair{'s' if n != 1 else ''} "
               f"({_context(res, order_r)})")
    t = Table("mean", caption,
              mean.reindex(index=order_r, columns=order_c), {c: res.higher_is_better[c] for c in order_c},
              std=std.reindex(index=order_r, columns=order_c))
    # metrics a method never gets (e.g. map accuracy without a decision map) are not "short"
    counts = per_pair.notna().groupby(level="method").sum().replace(0, pd.NA)
    least = counts.min(axis=1)
    short = [f"{m} ({int(least.loc[m])}/{n})" for m in order_r
             if pd.notna(least.loc[m]) and least.loc[m] < n]
    if short:
        t.notes.append("fewer pairs scored for: " + ", ".join(short))
    return finish(t, res, rank_baselines)


def rank_table(res: Results, rank_baselines: bool = False) -> Table:
    """Mean rank per method and metric (1 = best), plus the mean over metrics (``all``)."""
    ranks = []
    for metric in res.metrics:
        sub = res.scores[res.scores["metric"] == metric].pivot_table(
            index="pair", columns="method", values="value")
        r = sub.rank(axis=1, ascending=not res.higher_is_better[metric], method="average")
        ranks.append(r.mean(axis=0).rename(metric))
    table = pd.concat(ranks, axis=1) if ranks else pd.DataFrame()
    table = table.reindex(index=[m for m in res.methods if m in table.index])
    table["all"] = table.mean(axis=1)
    directions = dict.fromkeys(table.columns, False)
    t = Table("rank", f"{res.dataset}: mean rank over pairs, 1 = best ({res.convention} metric "
              "convention)", table, directions, decimals=2, symbols={"all": r"\mathrm{all}"})
    return finish(t, res, rank_baselines)


def timing_table(res: Results) -> Table | None:
    """Mean fusion seconds per pair per method (from ``timings.csv``; cached tasks keep the
    time measured when they were computed)."""
    path = res.run_dir / "timings.csv"
    if not path.is_file():
        return None
    from bench.results import read_table

    t = read_table(res.run_dir, "timings")
    t = t[t["status"] != "failed"]
    if t.empty:
        return None
    mean = t.groupby("method")["fuse_seconds"].mean().to_frame("seconds")
    mean = mean.reindex([m for m in res.methods if m in mean.index])
    t = Table("time", f"{res.dataset}: mean fusion time per pair (s)", mean, {"seconds": False},
              decimals=3, symbols={"seconds": r"t\,(\mathrm{s})"})
    return finish(t, res, rank_baselines=True)


def slug(text: str) -> str:
    """File-name form of a pair id, as the run directory names ``images/<pair>/``."""
    from bench.results import pair_folder

    return pair_folder(text)


def all_tables(res: Results, per_pair: bool = False, rank_baselines: bool = False,
               pairs: list[str] | None = None) -> list[Table]:
    """The report's tables in order: mean ± std, rank, time, then per pair (if asked;
    ``pairs`` restricts them)."""
    tables = [mean_std_table(res, rank_baselines), rank_table(res, rank_baselines)]
    t = timing_table(res)
    if t is not None:
        tables.append(t)
    if per_pair:
        tables += per_pair_tables(res, pairs, rank_baselines)
    return [t for t in tables if not t.values.empty]
