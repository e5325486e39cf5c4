"""Table layouts that mirror a published paper (``bench report --preset NAME``).

* ``lv-cai-2025``: the reference paper's Tables 1–3 (Lv & Cai 2025): one table
  per chosen pair (``--pairs``, in that order: "Source image 1", 2, ...), rows
  in the paper's order ASR, CSR, DWT, MSVD, GD, MSTSR, MGIVF, PCA, proposed
  (our ``asr``, ``csr``, ``dwt``, ``msvd``, ``gd``, ``lp-sr``/``mstsr``,
  ``mgff``, ``pca``, ``tlnet``), the five indices Q^ABF, Q^AG, L^AB/F (the
  paper's Q^LABF), Q^MI, Q^SF, three decimals. A method the run does not hold
  is left out and named in a note under the table.
* ``vifb``: the VIFB benchmark's average table (Zhang et al. 2020): the mean
  over all pairs of its 13 metrics in its order (AG, CE, EI, EN, MI, PSNR,
  Q^AB/F, Q^CB, Q^CV, RMSE, SF, SSIM, SD). When the dataset's folder holds VIFB's
  published averages (``vifb/published_metrics/vifb_metrics_average.csv``, found
  through the run's dataset location, never copied into code) the table lists VIFB's
  25 methods as published ("ADF (VIFB)"), each followed by our run's row of the method
  published under that name ("ADF (ours)", matched by the method's declared
  ``published_names["vifb"]``), then our methods VIFB does not have (DenseFuse, ...).
  Best/second marks rank VIFB's rows and our extra rows; our reproductions are
  shown, not ranked. A second table, ``vifb-diff``, gives per reproduced method and
  metric the relative difference Δ % = 100 (ours − VIFB) / |VIFB|, a ``*`` where
  |Δ| > 1 % and the number of metrics within 1 %. Without the file: our means only.

Either way the sanity baselines stay greyed and unmarked unless
``rank_baselines``.

    >>> PRESETS["lv-cai-2025"].metrics
    ('qabf', 'qag', 'qlabf', 'qmi', 'qsf')
    >>> [label for _, label in PRESETS["lv-cai-2025"].methods][:3]
    ['ASR', 'CSR', 'DWT']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench.errors import FusebenchError, ParameterError
from bench.reports.tables import (
    Results,
    Table,
    _context,
    _pivot,
    display_name,
    finish,
    mean_std_table,
    slug,
)
from bench.validate.vifb import VIFB_TO_FUSEBENCH


@dataclass(frozen=True)
class Published:
    """A benchmark's published per-method table, as a file in a dataset's folder."""

    benchmark: str  # key of the methods' ``published_names``
    dataset: str  # registered dataset whose folder holds ``path``
    path: str  # relative to that folder
    method_column: str
    columns: dict[str, str]  # file column -> our metric
    citation: str
    tolerance: float = 0.01  # relative difference that counts as reproduced
    score_as: str = "stored"  # how the benchmark's own images were scored (bench.score_as)


@dataclass(frozen=True)
class Preset:
    """A published table layout: rows ((candidate names, label), ...), columns, precision."""

    name: str
    methods: tuple[tuple[tuple[str, ...], str], ...]  # () = every method of the run
    metrics: tuple[str, ...]
    decimals: int
    per_pair: bool
    caption: str  # format fields: index, pair, dataset
    citation: str
    published: Published | None = field(default=None)


PRESETS = {
    "lv-cai-2025": Preset(
        "lv-cai-2025",
        methods=((("asr",), "ASR"), (("csr",), "CSR"), (("dwt",), "DWT"), (("msvd",), "MSVD"),
                 (("gd",), "GD"), (("lp-sr", "mstsr"), "MSTSR"), (("mgff",), "MGIVF"),
                 (("pca",), "PCA"), (("tlnet",), "Proposed method")),
        metrics=("qabf", "qag", "qlabf", "qmi", "qsf"),
        decimals=3,
        per_pair=True,
        caption="Source image {index} quantitative assessments comparison of different methods "
                "({dataset}, pair {pair})",
        citation="Lv & Cai 2025, Tables 1-3",
    ),
    "vifb": Preset(
        "vifb",
        methods=(),
        metrics=("qag", "ce", "ei", "en", "qmi", "psnr", "qabf", "qcb", "qcv", "rmse", "qsf",
                 "ssim", "sd"),
        decimals=3,
        per_pair=False,
        caption="Average values of the evaluation metrics over the {dataset} pairs",
        citation="Zhang et al. 2020 (VIFB), average table",
        published=Published("vifb", "vifb", "published_metrics/vifb_metrics_average.csv",
                            "method", VIFB_TO_FUSEBENCH, "VIFB (Zhang et al. 2020)",
                            score_as="jpeg75"),
    ),
}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ParameterError(f"unknown --preset {name!r} (available: {', '.join(PRESETS)})")
    return PRESETS[name]


def _rows(preset: Preset, res: Results) -> tuple[list[str], dict[str, str], list[str]]:
    """(run methods in the preset's order, their labels, the preset rows the run lacks)."""
    if not preset.methods:
        bench = preset.published.benchmark if preset.published else res.benchmark
        return list(res.methods), {m: display_name(m, bench) for m in res.methods}, []
    rows, labels, missing = [], {}, []
    for candidates, label in preset.methods:
        found = next((m for m in candidates if m in res.methods), None)
        if found is None:
            missing.append(label)
        else:
            rows.append(found)
            labels[found] = label
    return rows, labels, missing


def preset_tables(res: Results, name: str, pairs: list[str] | None = None,
                  rank_baselines: bool = False) -> list[Table]:
    """The tables of preset ``name`` from a run (``pairs``: which pairs, for per-pair presets)."""
    preset = get_preset(name)
    rows, labels, missing = _rows(preset, res)
    cols = [m for m in preset.metrics if m in res.metrics]
    notes = []
    if missing:
        notes.append(f"not in this run (left out): {', '.join(missing)}")
    absent = [m for m in preset.metrics if m not in res.metrics]
    if absent:
        notes.append(f"metrics not scored in this run: {', '.join(absent)}")
    if not rows or not cols:
        raise ParameterError(f"--preset {name}: the run holds none of its methods or metrics "
                             f"(methods {', '.join(res.methods)}; metrics {', '.join(res.metrics)})")
    unknown = [p for p in pairs or [] if p not in res.pairs]
    if unknown:
        raise ParameterError(f"--pairs: {', '.join(unknown)} not in the run "
                             f"(pairs: {', '.join(res.pairs[:8])}{' ...' if len(res.pairs) > 8 else ''})")
    out = []
    if preset.per_pair:
        for k, pair in enumerate(pairs or res.pairs, start=1):
            vals = _pivot(res.scores[res.scores["pair"] == pair], res).reindex(index=rows, columns=cols)
            caption = (preset.caption.format(index=k, pair=pair, dataset=res.dataset)
                       + f"; {_context(res, rows, labels)}")
            t = Table(f"{preset.name}-{slug(pair)}", caption, vals,
                      {c: res.higher_is_better[c] for c in cols}, decimals=preset.decimals,
                      notes=list(notes), labels=labels)
            out.append(finish(t, res, rank_baselines))
    else:
        mean = mean_std_table(res, rank_baselines)
        caption = (preset.caption.format(index=1, pair="", dataset=res.dataset)
                   + f" ({len(res.pairs)} pairs; {_context(res, rows, labels)})")
        t = Table(preset.name, caption, mean.values.reindex(index=rows, columns=cols),
                  {c: res.higher_is_better[c] for c in cols}, decimals=preset.decimals,
                  notes=notes + mean.notes, labels=labels)
        if preset.published is not None:
            try:
                published, path, n_published = load_published(preset.published, res)
            except FusebenchError as exc:
                t.notes.append(f"{preset.published.citation}'s published table not read "
                               f"({exc}): our means only")
            else:
                return published_tables(preset, res, t, published, path, n_published,
                                        rank_baselines)
        out.append(finish(t, res, rank_baselines))
    return out


# -- a published table beside ours ------------------------------------------------------
WITHIN = "within"


@dataclass
class DiffTable(Table):
    """Relative differences in % (ours vs published): ``+0.02``, ``-4.31*`` (* = beyond the
    tolerance), and the ``within`` column: how many metrics are within it (``12/13``).

        >>> t = DiffTable("d", "", pd.DataFrame({"qabf": [0.4, -4.31], WITHIN: [1, 0]},
        ...               index=["adf", "cbf"]), {"qabf": True, WITHIN: True}, n_metrics=1)
        >>> t.cell_text("adf", "qabf"), t.cell_text("cbf", "qabf"), t.cell_text("cbf", WITHIN)
        ('+0.40', '-4.31*', '0/1')
    """

    tolerance_pct: float = 1.0
    n_metrics: int = 0

    def cell_text(self, row: str, column: str, pm: str = " ± ") -> str:
        v = self.values.loc[row, column]
        if pd.isna(v):
            return "–"
        if column == WITHIN:
            return f"{int(v)}/{self.n_metrics}"
        return f"{v:+.2f}" + ("*" if abs(v) > self.tolerance_pct else "")

    def marks(self) -> pd.DataFrame:
        return pd.DataFrame("", index=self.values.index, columns=self.values.columns)


def load_published(pub: Published, res: Results) -> tuple[pd.DataFrame, Path, int]:
    """The published table (rows: published method names in the file's order; columns: our
    metric names) from the folder of dataset ``pub.dataset`` where the run found its data,
    its path and the dataset's number of pairs (what the published means average over)."""
    from bench.datasets import load_dataset
    from bench.errors import DataError

    data_dir = res.record.get("dataset", {}).get("data_dir")
    ds = load_dataset(pub.dataset, data_dir=data_dir)
    path = Path(ds.location) / pub.path
    if not path.is_file():
        raise DataError(f"{path} not found")
    df = pd.read_csv(path)
    missing = [c for c in [pub.method_column, *pub.columns] if c not in df.columns]
    if missing:
        raise DataError(f"{path}: columns {', '.join(missing)} missing")
    df = df.set_index(pub.method_column)[list(pub.columns)].rename(columns=pub.columns)
    return df.astype(float), path, len(ds)


def published_tables(preset: Preset, res: Results, ours: Table, published: pd.DataFrame,
                     path: Path, n_published: int, rank_baselines: bool = False) -> list[Table]:
    """``ours`` (the preset's table of our means) laid beside ``published``: the side-by-side
    table and the relative-difference table (see the module docstring)."""
    from bench.reports.tables import declared_name

    pub = preset.published
    cols = list(ours.columns)
    values = ours.values
    match = {m: declared_name(m, pub.benchmark) for m in values.index}
    match = {m: n for m, n in match.items() if n in published.index}
    key = {n: f"{pub.benchmark}:{n}" for n in published.index}
    rows, labels = [], {}
    for n in published.index:
        rows.append(key[n])
        labels[key[n]] = f"{n} ({pub.benchmark.upper()})"
        for m in (m for m, mn in match.items() if mn == n):
            rows.append(m)
            labels[m] = f"{n} (ours)"
    extra = [m for m in values.index if m not in match]
    for m in extra:
        rows.append(m)
        labels[m] = f"{ours.label(m)} (ours)"
    table = pd.concat([published.reindex(columns=cols).rename(index=key), values])
    n_pairs = len(res.pairs)
    names = {m: match.get(m) or ours.label(m) for m in values.index}
    caption = (f"{preset.caption.format(index=1, pair='', dataset=res.dataset)}: "
               f"{pub.citation}'s published averages and ours ({n_pairs} pairs; "
               f"{_context(res, list(values.index), names)})")
    notes = list(ours.notes) + [f"published values: {path.name}; our reproductions "
                                "(same name) are shown, not ranked"]
    if res.score_as != pub.score_as:
        notes.append(f"{pub.citation} scored its images as --score-as {pub.score_as} would; this "
                     f"run scored them {res.score_as}: expect differences (run with "
                     f"--score-as {pub.score_as})")
    if n_pairs != n_published:
        notes.append(f"this run scored {n_pairs} of the dataset's {n_published} pairs: its means "
                     "are not comparable with the published ones")
    side = Table(preset.name, caption, table.reindex(index=rows),
                 {c: res.higher_is_better[c] for c in cols}, decimals=preset.decimals,
                 notes=notes, labels=labels, unranked=tuple(match))
    side = finish(side, res, rank_baselines)
    side.labels.update(labels)

    tol = 100.0 * pub.tolerance
    matched = list(match)
    if not matched:
        side.notes.append(f"none of this run's methods declares a {pub.benchmark} published name")
        return [side]
    diff = pd.DataFrame({c: [100.0 * (values.loc[m, c] - published.loc[match[m], c])
                             / abs(published.loc[match[m], c]) for m in matched] for c in cols},
                        index=matched)
    diff[WITHIN] = (diff[cols].abs() <= tol).sum(axis=1)
    ok = [match[m] for m in matched if diff.loc[m, WITHIN] == len(cols)]
    short = [f"{match[m]} ({int(diff.loc[m, WITHIN])}/{len(cols)})" for m in matched
             if diff.loc[m, WITHIN] < len(cols)]
    dnotes = [f"* |Δ| > {tol:g} %", f"within {tol:g} % on all {len(cols)} metrics: "
              + (", ".join(ok) or "none")] + [n for n in notes if n.startswith(pub.citation)
                                              or n.startswith("this run scored")]
    if short:
        dnotes.append("not on all: " + ", ".join(short))
    d = DiffTable(f"{preset.name}-diff",
                  f"Ours vs {pub.citation}'s published averages: Δ % = 100 (ours − published) / "
                  f"|published| over the {n_pairs} {res.dataset} pairs "
                  f"({_context(res, matched, {m: match[m] for m in matched})})",
                  diff, {**{c: res.higher_is_better[c] for c in cols}, WITHIN: True},
                  decimals=2, notes=dnotes, labels={m: match[m] for m in matched},
                  symbols={WITHIN: rf"n_{{|\Delta|\le {tol:g}\%}}"},
                  tolerance_pct=tol, n_metrics=len(cols))
    d = finish(d, res, rank_baselines)
    d.labels.update({m: match[m] for m in matched})
    return [side, d]
