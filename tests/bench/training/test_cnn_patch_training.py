"""cnn-patch training at toy scale: patch builder, one epoch, loss goes down, checkpoint round-trip, resume."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from bench.datasets.patches import (
    blur_levels,
    build_patch_pairs,
    local_variance,
    sample_patch_pairs,
)
from bench.training.cnn_patch import TrainConfig, evaluate, train
from methods.cnn_patch.weights import load_model


def test_blur_levels_are_cumulative_gaussians_and_lose_detail(lytro_pair):
    from bench.color import luma

    g = luma(lytro_pair[0][:120, :120])
    lv = blur_levels(g, 5)
    one = blur_levels(g, 1)[0]
    np.testing.assert_allclose(lv[1], blur_levels(one, 1)[0])  # level 2 = filter applied twice
    energy = [np.abs(np.diff(x, axis=1)).mean() for x in (g, *lv)]
    assert all(e1 > e2 for e1, e2 in zip(energy, energy[1:]))  # sharper → blurrier, strictly


def test_sampler_skips_flat_patches_and_pairs_positions():
    rng = np.random.default_rng(0)
    img = np.full((64, 64), 120.0)
    img[:, 40:] += rng.normal(0, 30, (64, 24))  # texture only on the right
    clear, blurred, level = sample_patch_pairs(img, 4, rng)
    assert clear.shape == (20, 16, 16) and np.bincount(level).tolist() == [0, 4, 4, 4, 4, 4]
    assert all(c.astype(float).var() >= 25 * 0.9 for c in clear)  # uint8 rounding slack
    assert np.all(clear.astype(float).var(axis=(1, 2)) > blurred.astype(float).var(axis=(1, 2)))
    assert local_variance(img)[:, :10].max() < 1e-9
    none = sample_patch_pairs(np.full((30, 30), 7.0), 3, rng)
    assert none[0].shape[0] == 0


def test_build_patch_pairs_is_balanced_and_deterministic(shared_datasets):
    files = sorted((shared_datasets / "natural" / "images").glob("*.jpg"))[:3]
    ex = build_patch_pairs(files, 60, seed=4)
    again = build_patch_pairs(files, 60, seed=4)
    assert len(ex) == 60 and ex.labels.sum() == 30
    np.testing.assert_array_equal(ex.first, again.first)
    # negatives are the positives with the branches swapped
    np.testing.assert_array_equal(ex.first[30:], ex.second[:30])


def test_toy_training_lowers_loss_saves_card_and_resumes(shared_datasets, tmp_path):
    out = tmp_path / "toy.pt"
    cfg = TrainConfig(data_dir=str(shared_datasets), examples=384, val_examples=128, epochs=1,
                      batch_size=32, lr=0.05, max_images=6, threads=1, out=str(out), progress=False)
    res = train(cfg)
    hist = res.history
    assert [h["epoch"] for h in hist] == [0, 1]
    assert hist[1]["val_loss"] < hist[0]["val_loss"], hist  # loss goes down after one epoch

    # checkpoint round trip: the saved (compact) weights reproduce the trained state
    state = torch.load(str(out) + ".state.pt", weights_only=True)["model"]  # plain data only
    loaded = load_model(out)
    for k, v in state.items():
        scale = float(v.abs().max()) + 1e-8
        assert float((loaded.state_dict()[k] - v).abs().max()) <= scale / 100, k

    card = json.loads(res.card_json.read_text())
    assert card["data"]["train_examples"] == 384 and card["data"]["val_examples"] == 128
    assert card["epochs"] == 1 and card["config"]["seed"] == 0
    assert card["val_accuracy"] == pytest.approx(res.val_accuracy)
    assert "validation accuracy" in res.card_md.read_text().lower()

    # resume: a second epoch continues from the saved state, the first is kept verbatim
    res2 = train(TrainConfig(**{**cfg.__dict__, "epochs": 2}))
    assert [h["epoch"] for h in res2.history] == [0, 1, 2]
    assert res2.history[1] == hist[1]


def test_planted_state_file_is_refused(shared_datasets, tmp_path):
    from bench.errors import CheckpointError

    class Planted:
        def __reduce__(self):
            return (open, (str(tmp_path / "code-ran"), "w"))

    out = tmp_path / "toy.pt"
    torch.save({"fingerprint": "x", "payload": Planted()}, str(out) + ".state.pt")
    cfg = TrainConfig(data_dir=str(shared_datasets), examples=32, val_examples=16, epochs=1,
                      batch_size=16, max_images=3, threads=1, out=str(out), progress=False)
    with pytest.raises(CheckpointError, match=r"toy\.pt\.state\.pt: refused to load"):
        train(cfg)
    assert not (tmp_path / "code-ran").exists()


def test_evaluate_reports_accuracy_per_level(shared_datasets):
    from methods.cnn_patch.model import PatchCNN

    files = sorted((shared_datasets / "natural" / "images").glob("*.jpg"))[:2]
    ex = build_patch_pairs(files, 40, seed=1)
    out = evaluate(PatchCNN().eval(), ex, torch.device("cpu"))
    assert 0.0 <= out["accuracy"] <= 1.0 and out["loss"] > 0
    assert {f"accuracy_level{k}" for k in range(1, 6)} <= set(out)
