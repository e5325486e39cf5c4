"""``bench ablate``: the methods it offers come from the trainers that declare an ablation table."""

from __future__ import annotations

from bench.commands import ablate
from bench.training import TRAINERS, get_trainer


def test_ablatable_methods_are_the_trainers_with_a_table():
    names = ablate.ablatable()
    assert {"tlnet", "wavelet-cnn"} <= set(names)
    assert "cnn-patch" not in names  # its trainer has no ablation table
    for n in names:
        assert callable(get_trainer(n).ablation_table)


def test_ablate_dispatches_to_the_trainer_and_writes_the_table(tmp_path, monkeypatch, capsys):
    calls = {}

    class Fake:
        name = "fake-ablation"
        help = "test"

        def add_arguments(self, p):
            pass

        def run(self, args):
            return 0

        @staticmethod
        def ablation_table(dataset, **kw):
            calls["dataset"], calls["kw"] = dataset, kw
            return [{"variant": "full", "checkpoint": "x.pt", "epochs": 1, "qabf": 0.5},
                    {"variant": "no module", "checkpoint": "y.pt", "epochs": 1, "qabf": 0.4}]

    TRAINERS.names("*")  # discover the real trainers first
    monkeypatch.setitem(TRAINERS._items, "fake-ablation", Fake())
    assert "fake-ablation" in ablate.ablatable()
    from bench.cli import main

    rc = main(["ablate", "fake-ablation", "--dataset", "synthetic", "--metrics", "qabf",
               "--limit", "1", "--out", str(tmp_path / "abl")])
    assert rc == 0
    assert calls["dataset"] == "synthetic"
    assert calls["kw"]["metrics_names"] == ("qabf",) and calls["kw"]["limit"] == 1
    md = (tmp_path / "abl.md").read_text()
    assert "no module" in md and "0.4" in md
    assert (tmp_path / "abl.csv").read_text().splitlines()[0].startswith("variant")
