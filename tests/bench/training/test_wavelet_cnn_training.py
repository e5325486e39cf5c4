"""wavelet-cnn training at toy scale: learns, deterministic on CPU, resumable, both domains."""

from __future__ import annotations

import json

import torch

from bench.training import get_trainer
from bench.training.tlnet_ablation import table_markdown
from bench.training.wavelet_cnn import ablation_table, config_for, train
from methods.wavelet_cnn.weights import load_model


def _cfg(shared_datasets, out, **kw):
    base = dict(data_dir=str(shared_datasets), examples=512, val_examples=128, epochs=1, batch_size=32,
                max_images=4, threads=1, out=str(out), progress=False)
    return config_for("cpu", **{**base, **kw})


def test_toy_training_learns_is_deterministic_and_resumes(shared_datasets, tmp_path):
    res = train(_cfg(shared_datasets, tmp_path / "a" / "w.pt"))
    hist = res.history
    assert [h["epoch"] for h in hist] == [0, 1]
    assert hist[1]["val_loss"] < hist[0]["val_loss"] and res.val_accuracy > 0.6, hist
    card = json.loads(res.card_json.read_text())
    assert card["method"] == "wavelet-cnn" and card["configuration"] == "cpu"
    assert card["domain"] == "wavelet" and card["imagenet_weights"] is False

    # same seed, same data: bit-identical weights on CPU
    res_b = train(_cfg(shared_datasets, tmp_path / "b" / "w.pt"))
    sa, sb = load_model(res.checkpoint).state_dict(), load_model(res_b.checkpoint).state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)

    # resume: the second epoch continues the saved state; epoch 1 kept verbatim
    res2 = train(_cfg(shared_datasets, tmp_path / "a" / "w.pt", epochs=2))
    assert [h["epoch"] for h in res2.history] == [0, 1, 2] and res2.history[1] == hist[1]


def test_pixel_domain_variant_and_its_ablation_row(shared_datasets, tmp_path):
    res = train(_cfg(shared_datasets, tmp_path / "p.pt", domain="pixel", examples=256))
    assert load_model(res.checkpoint).domain == "pixel"
    assert json.loads(res.card_json.read_text())["domain"] == "pixel"
    assert get_trainer("wavelet-cnn").name == "wavelet-cnn"

    # bench ablate wavelet-cnn: shipped (wavelet) row + the pixel checkpoint (its state file is skipped)
    rows = ablation_table("synthetic", checkpoint_dirs=[tmp_path], limit=1, metrics_names=("qabf",),
                          progress=False)
    assert [r["variant"] for r in rows] == ["wavelet domain (cpu)", "pixel domain (cpu)"]
    assert all(0.0 < r["qabf"] <= 1.0 for r in rows)
    assert "pixel domain (cpu)" in table_markdown(rows, ("qabf",))
