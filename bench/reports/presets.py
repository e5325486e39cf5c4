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
  Q^AB/F, Q^CB, Q^CV, RMSE, SF, SSIM, SD), methods in run order.

Either way the sanity baselines stay greyed and unmarked unless
``rank_baselines``.

    >>> PRESETS["lv-cai-2025"].metrics
    ('qabf', 'qag', 'qlabf', 'qmi', 'qsf')
    >>> [label for _, label in PRESETS["lv-cai-2025"].methods][:3]
    ['ASR', 'CSR', 'DWT']
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.errors import ParameterError
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
    ),
}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ParameterError(f"unknown --preset {name!r} (available: {', '.join(PRESETS)})")
    return PRESETS[name]


def _rows(preset: Preset, res: Results) -> tuple[list[str], dict[str, str], list[str]]:
    """(run methods in the preset's order, their labels, the preset rows the run lacks)."""
    if not preset.methods:
        return list(res.methods), {m: display_name(m) for m in res.methods}, []
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
        out.append(finish(t, res, rank_baselines))
    return out
