"""Compare a run's scores with a baseline.

Each (dataset, pair, method, metric, convention) row gets a status:

- ``ok``: |new − old| ≤ tol, with tol = max(atol, rtol·|old|) (per-metric
  override replaces atol for that metric);
- ``regression``: beyond tol in the metric's bad direction
  (lower for ``higher_is_better`` metrics, higher otherwise);
- ``improvement``: beyond tol in the good direction;
- ``version-changed``: the method's ``version`` differs from the baseline's
  (an expected change, reported separately, never a regression);
- ``new`` / ``vanished``: present on one side only.

Direction comes from the metric registry (``metrics.get_metric``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.regression.baseline import KEY

STATUS_ORDER = ["regression", "version-changed", "vanished", "new", "improvement", "ok"]


@dataclass
class Comparison:
    rows: pd.DataFrame  # one row per key with old/new/delta/tol/status

    @property
    def regressions(self) -> pd.DataFrame:
        return self.rows[self.rows.status == "regression"]

    @property
    def has_regressions(self) -> bool:
        return bool(len(self.regressions))

    def counts(self) -> dict[str, int]:
        c = self.rows.status.value_counts()
        return {s: int(c.get(s, 0)) for s in STATUS_ORDER}

    @property
    def vanished(self) -> pd.DataFrame:
        return self.rows[self.rows.status == "vanished"]

    def worst_first(self) -> pd.DataFrame:
        """Rows by status (regressions first), then by relative change, worst first."""
        order = {s: i for i, s in enumerate(STATUS_ORDER)}
        df = self.rows.assign(_o=self.rows.status.map(order), _m=-self.rows.rel_change.abs().fillna(0))
        return df.sort_values(["_o", "_m"] + KEY).drop(columns=["_o", "_m"])

    def by_method_metric(self) -> pd.DataFrame:
        """Regressions grouped per (method, metric): pairs hit, mean and worst relative change."""
        reg = self.regressions
        if not len(reg):
            return pd.DataFrame(columns=["method", "metric", "pairs", "mean_delta", "worst_rel_change"])
        g = reg.groupby(["method", "metric"])
        out = pd.DataFrame({
            "pairs": g.size(),
            "mean_delta": g.delta.mean(),
            "worst_rel_change": g.rel_change.apply(lambda s: s.loc[s.abs().idxmax()]),
        }).reset_index()
        return out.sort_values(["method", "worst_rel_change"], key=_abs_if_numeric, ascending=[True, False])

    def version_changes(self) -> pd.DataFrame:
        """One row per method whose ``version`` differs from the baseline's (expected changes)."""
        vc = self.rows[self.rows.status == "version-changed"]
        return vc.groupby(["method", "old_version", "new_version"]).size().rename("scores").reset_index()

    def presence_changes(self) -> dict[str, dict[str, list[str]]]:
        """Methods, pairs and metrics that appear only in the run (``new``) or only in the baseline."""
        out = {}
        for status in ("new", "vanished"):
            side = self.rows[self.rows.status == status]
            other = self.rows[self.rows.status != status]
            out[status] = {
                col: sorted(set(side[col].astype(str)) - set(other[col].astype(str)))
                for col in ("method", "pair", "metric")
            }
            out[status]["rows"] = int(len(side))
        return out

    def summary(self) -> str:
        c = self.counts()
        parts = [f"{c[s]} {s}" for s in STATUS_ORDER if c[s]]
        methods = sorted(self.regressions.method.unique())
        tail = f"; regressed methods: {', '.join(methods)}" if methods else ""
        return f"{len(self.rows)} scores compared: " + ", ".join(parts) + tail

    def to_markdown(self, limit: int = 50) -> str:
        """Summary, regressions per method and metric, expected changes, then the rows worst first."""
        from tabulate import tabulate

        def table(df, fmt=".6g"):
            return tabulate(df, headers="keys", tablefmt="github", showindex=False, floatfmt=fmt)

        parts = [self.summary(), ""]
        if self.has_regressions:
            parts += ["## Regressions by method and metric", "", table(self.by_method_metric()), ""]
        vc = self.version_changes()
        if len(vc):
            parts += ["## Version changed (expected changes, not regressions)", "", table(vc), ""]
        for status, what in self.presence_changes().items():
            listed = [f"{k}s: {', '.join(v)}" for k, v in what.items() if k != "rows" and v]
            if what["rows"]:
                parts += [f"## {status.capitalize()} scores ({what['rows']} rows)", "",
                          "; ".join(listed) or "(individual rows only)", ""]
        df = self.worst_first()
        df = df[df.status != "ok"]
        cols = KEY + ["old_version", "new_version", "old", "new", "delta", "rel_change", "tol", "status"]
        shown = df.head(limit)
        parts += ["## Changes beyond tolerance, worst first", ""]
        parts.append(table(shown[cols]) if len(shown) else "(no differences beyond tolerance)")
        if len(df) > limit:
            parts.append(f"\n... {len(df) - limit} more rows (see regression.json)")
        return "\n".join(parts) + "\n"

    def to_json(self) -> dict:
        df = self.worst_first()
        changed = df[df.status != "ok"].replace({np.nan: None})
        return {
            "summary": self.summary(),
            "counts": self.counts(),
            "regressions_by_method_metric": self.by_method_metric().to_dict(orient="records"),
            "version_changes": self.version_changes().to_dict(orient="records"),
            "presence": self.presence_changes(),
            "changes": changed.to_dict(orient="records"),
        }


def _abs_if_numeric(s: pd.Series) -> pd.Series:
    return s.abs() if pd.api.types.is_numeric_dtype(s) else s


def _higher_is_better(metric: str) -> bool:
    import metrics

    try:
        return metrics.get_metric(metric).higher_is_better
    except KeyError:
        return True


def compare(
    run: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    atol: float = 1e-6,
    rtol: float = 0.0,
    per_metric: dict[str, float] | None = None,
) -> Comparison:
    """Line up ``run`` and ``baseline`` tidy score tables and classify each row."""
    per_metric = per_metric or {}
    old = baseline.rename(columns={"value": "old", "method_version": "old_version"})
    new = run.rename(columns={"value": "new", "method_version": "new_version"})
    df = pd.merge(old, new, on=KEY, how="outer", indicator=True)
    hib = {m: _higher_is_better(m) for m in df.metric.unique()}
    abs_tol = df.metric.map(lambda m: per_metric.get(m, atol)).astype(float)
    df["tol"] = np.maximum(abs_tol, rtol * df.old.abs().fillna(0))
    df["delta"] = df.new - df.old
    df["rel_change"] = df.delta / df.old.abs().where(df.old != 0)
    sign = df.metric.map(lambda m: 1.0 if hib[m] else -1.0)
    # badness > 0: worse than the baseline by that much beyond tolerance
    df["badness"] = -(df.delta * sign) - df.tol
    status = np.full(len(df), "ok", dtype=object)
    both = df._merge == "both"
    status[(df._merge == "left_only").to_numpy()] = "vanished"
    status[(df._merge == "right_only").to_numpy()] = "new"
    changed_version = both & (df.old_version.astype(str) != df.new_version.astype(str))
    nan_new = both & df.new.isna() & df.old.notna()
    beyond = both & ~changed_version & ((df.delta.abs() > df.tol) | nan_new)
    worse = beyond & ((df.delta * sign < 0) | nan_new)
    status[(beyond & ~worse).to_numpy()] = "improvement"
    status[worse.to_numpy()] = "regression"
    status[changed_version.to_numpy()] = "version-changed"
    df["status"] = status
    df.loc[df.status != "regression", "badness"] = np.nan
    df = df.drop(columns="_merge")
    return Comparison(df)
