"""fmm training at toy scale: loss falls, deterministic on CPU, resumable, weights_only state,
variants (fusion / loss) and their ablation rows."""

from __future__ import annotations

import json

import pytest
import torch

from bench.commands.ablate import ablatable
from bench.errors import CheckpointError, FusebenchError
from bench.training import get_trainer
from bench.training.checkpoint import load_training_state
from bench.training.fmm import ablation_table, config_for, epoch_crops, train
from bench.training.tlnet_ablation import table_markdown
from methods.fmm.weights import checkpoint_meta, load_model


def _cfg(shared_datasets, out, **kw):
    base = dict(data_dir=str(shared_datasets), crop=32, batch_size=4, crops_per_pair=4, epochs=2,
                max_pairs=2, val_pairs=0, final_val_pairs=0, threads=1, out=str(out), progress=False)
    return config_for("cpu", **{**base, **kw})


def test_toy_training_learns_is_deterministic_resumes_and_saves_plain_data(shared_datasets, tmp_path):
    res = train(_cfg(shared_datasets, tmp_path / "a" / "w.pt", epochs=1))
    res = train(_cfg(shared_datasets, tmp_path / "a" / "w.pt"))  # resumes after epoch 1
    hist = res.history
    assert [h["epoch"] for h in hist] == [0, 1, 2]
    assert hist[2]["train_loss"] < hist[1]["train_loss"], hist
    card = json.loads(res.card_json.read_text())
    assert card["method"] == "fmm" and card["configuration"] == "cpu" and card["imagenet_weights"] is False
    assert card["data"]["train"] == "roadscene:train" and card["data"]["train_pairs"] == 2
    assert res.card_md.read_text().startswith("# Training record: fmm")

    # the same command in one go (no resume): bit-identical weights on CPU
    res_b = train(_cfg(shared_datasets, tmp_path / "b" / "w.pt"))
    sa, sb = load_model(res.checkpoint).state_dict(), load_model(res_b.checkpoint).state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)

    # the resumable state holds only plain data (weights_only=True loads it)
    st = load_training_state(tmp_path / "a" / "w.pt.state.pt")
    assert st["epoch"] == 1 and st["fingerprint"]["fusion"] == "mapping"
    with pytest.raises(FusebenchError, match="different settings"):
        train(_cfg(shared_datasets, tmp_path / "a" / "w.pt", lr=0.5))


def test_a_planted_state_file_is_refused(shared_datasets, tmp_path):
    out = tmp_path / "w.pt"
    torch.save({"model": object()}, tmp_path / "w.pt.state.pt")
    with pytest.raises(CheckpointError, match="refused to load"):
        train(_cfg(shared_datasets, out, epochs=1))


def test_crops_are_seeded_by_seed_and_epoch(shared_datasets):
    import numpy as np

    cfg = _cfg(shared_datasets, "x.pt")
    imgs = [(np.random.default_rng(i).random((40, 50), dtype=np.float32),) * 2 for i in range(2)]
    x0, y0 = epoch_crops(imgs, cfg, 0)
    assert x0.shape == (8, 1, 32, 32) and np.array_equal(x0, y0)  # same place in both sources
    assert np.array_equal(epoch_crops(imgs, cfg, 0)[0], x0)
    assert not np.array_equal(epoch_crops(imgs, cfg, 1)[0], x0)


def test_variants_and_their_ablation_rows(shared_datasets, tmp_path):
    assert "fmm" in ablatable() and get_trainer("fmm").name == "fmm"
    for fusion, loss in (("add", "ssim-var"), ("concat", "ssim-mean")):
        res = train(_cfg(shared_datasets, tmp_path / f"{fusion}.pt", fusion=fusion, loss=loss, epochs=1))
        assert load_model(res.checkpoint).fusion == fusion
        assert checkpoint_meta(res.checkpoint)["loss"] == loss
    # bench ablate fmm: the shipped (mapping) row + the two toy checkpoints (state files skipped)
    rows = ablation_table("synthetic", checkpoint_dirs=[tmp_path], limit=1, metrics_names=("qabf",),
                          progress=False)
    assert [r["variant"] for r in rows] == [
        "mapping / ssim-var (cpu, 6 ep)", "add / ssim-var (cpu, 1 ep)", "concat / ssim-mean (cpu, 1 ep)"]
    assert all(0.0 < r["qabf"] <= 1.0 for r in rows)
    assert rows[0]["qabf"] > rows[1]["qabf"]  # the trained network beats a 1-epoch toy
    assert "concat / ssim-mean" in table_markdown(rows, ("qabf",))
