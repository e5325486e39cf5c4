"""tlnet training: loss, a tiny resumable run, the shipped model's accuracy."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from bench.datasets.focus_pairs import FocusPairSource, split_items
from bench.errors import CheckpointError
from bench.io import write_image
from bench.training.tlnet import TRAIN_CONFIGS, evaluate, hybrid_loss, train


def _heads(seed=0, n=2, size=32):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 2, size // 2 ** (4 - j), size // 2 ** (4 - j), generator=g) for j in range(5)]


def test_hybrid_loss_is_mean_of_ce_plus_l2_over_heads():
    heads = _heads()
    y = (torch.rand(2, 32, 32, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    terms = []
    for h in heads:
        up = F.interpolate(h, size=(32, 32), mode="bilinear", align_corners=False)
        logp = torch.log_softmax(up, dim=1)
        ce = -(y * logp[:, 1] + (1 - y) * logp[:, 0]).mean()
        terms.append(ce + ((logp[:, 1].exp() - y) ** 2).mean())
    assert float(hybrid_loss(heads, y)) == pytest.approx(float(sum(terms) / 5), rel=1e-5)
    # ce-last ignores the coarse heads
    other = [h + 3.0 * torch.randn_like(h) for h in heads[:4]] + [heads[4]]
    assert float(hybrid_loss(other, y, "ce-last")) == pytest.approx(float(hybrid_loss(heads, y, "ce-last")))
    assert float(hybrid_loss(other, y)) != pytest.approx(float(hybrid_loss(heads, y)))
    # a correct confident prediction costs less than a wrong one
    good = [torch.stack([(1 - y) * 5, y * 5], 1)] * 5
    bad = [torch.stack([y * 5, (1 - y) * 5], 1)] * 5
    assert float(hybrid_loss(good, y)) < 0.05 < 2.0 < float(hybrid_loss(bad, y))


@pytest.fixture
def tiny_folder(tmp_path, shared_datasets):
    """Six small crops of natural images with their region maps (a folder with masks)."""
    src = FocusPairSource.natural(shared_datasets)
    from PIL import Image

    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    for item in src.items[:6]:
        img, labels = src.load(item)
        write_image(tmp_path / "images" / f"{item.id}.png", img[:96, :128])
        Image.fromarray(labels[:96, :128].astype(np.uint8)).save(tmp_path / "masks" / f"{item.id}.png")
    return tmp_path


def test_tiny_run_checkpoints_resumes_and_loads_in_the_method(tiny_folder, tmp_path):
    import methods

    tc = dataclasses.replace(TRAIN_CONFIGS["cpu"], epochs=1, crop=64, pairs_per_batch=1, pairs_per_epoch=2,
                             val_images_per_epoch=1)
    out = tmp_path / "run"
    card = train(tc, out, data_folder=tiny_folder, progress=False, name="tiny")
    assert (out / "last.pt").is_file() and (out / "tiny.pt").is_file()
    saved = json.loads((out / "model_card.json").read_text())
    assert saved["vgg_transfer"] is False and "from scratch" in saved["vgg_transfer_note"]
    assert saved["epochs_completed"] == 1 and saved["steps"] == 2 and saved["seed"] == 0
    assert 0.0 <= saved["validation"]["pixel_accuracy"] <= 1.0 and "iou" in saved["validation"]
    assert "NO" in (out / "MODEL_CARD.md").read_text()
    first = torch.load(out / "last.pt", weights_only=True)["model"]  # plain data only
    # resume: a 2-epoch run continues from epoch 1 (same config except epochs is not allowed)
    with pytest.raises(CheckpointError, match="last.pt: saved with a different training config"):
        train(dataclasses.replace(tc, epochs=2), out, data_folder=tiny_folder, resume=True, progress=False)
    card = train(tc, out, data_folder=tiny_folder, resume=True, progress=False, name="tiny")
    assert card["steps"] == 2  # nothing left to do: the finished run is not retrained
    after = torch.load(out / "last.pt", weights_only=True)["model"]
    assert all(torch.equal(first[k], after[k]) for k in first)
    a = np.random.default_rng(0).uniform(0, 255, (40, 50, 3))
    res = methods.get_method("tlnet").fuse(a, a[::-1].copy(), checkpoint=str(out / "tiny.pt"))
    assert res.extras["checkpoint"] == "tiny" and res.image.shape == a.shape


class Planted:
    """Unpickling this calls ``open(marker, "w")``: code a planted checkpoint would run."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_planted_checkpoint_is_refused_on_resume(tiny_folder, tmp_path):
    tc = dataclasses.replace(TRAIN_CONFIGS["cpu"], epochs=1, crop=64, pairs_per_batch=1, pairs_per_epoch=2,
                             val_images_per_epoch=1)
    out = tmp_path / "run"
    out.mkdir()
    marker = tmp_path / "code-ran"
    torch.save({"model": {}, "train_config": dataclasses.asdict(tc), "payload": Planted(marker)},
               out / "last.pt")
    with pytest.raises(CheckpointError, match=r"last\.pt: refused to load: .*could run code"):
        train(tc, out, data_folder=tiny_folder, resume=True, progress=False)
    assert not marker.exists()


def test_shipped_checkpoint_accuracy_on_held_out_pairs(shared_datasets):
    from methods.tlnet.fusion import load_checkpoint

    net, name, card = load_checkpoint()
    assert card["vgg_transfer"] is False
    # Issue 7's bar: >= 0.90 pixel accuracy on held-out synthetic pairs (recorded at export
    # over all 300 held-out sources), re-checked below on two of them.
    assert card["validation"]["pixel_accuracy"] >= 0.90
    src = FocusPairSource.natural(shared_datasets)
    _, val_items = split_items(src.items, card["training"]["val_fraction"], card["training"]["seed"])
    scores = evaluate(net, src, val_items[:2], levels=(1, 5), degraded=True)
    assert scores["pixel_accuracy"] >= 0.80, scores


def test_ablation_labels_follow_the_model_card():
    from bench.training.tlnet_ablation import variant_label

    base = {"configuration": "cpu", "vgg_transfer": False,
            "training": {"loss": "layerwise-hybrid", "batchnorm": True, "init": "xavier"}}
    assert variant_label(base) == "tlnet"
    assert variant_label({**base, "training": {**base["training"], "loss": "ce-last"}}) == "Compare-loss"
    assert variant_label({**base, "training": {**base["training"], "batchnorm": False}}) == "Compare-bn"
    assert variant_label({**base, "training": {**base["training"], "init": "normal"}}) == "Compare-initial"
    assert variant_label({**base, "configuration": "paper"}) == "non-TL"
    assert variant_label({**base, "configuration": "paper", "vgg_transfer": True}) == "TL"


def test_ablation_table_on_a_lytro_pair(shared_datasets):
    import metrics
    from bench.datasets import load_dataset
    from bench.training.tlnet_ablation import FIVE, ablation_table, table_markdown

    rows = ablation_table("lytro", data_dir=str(shared_datasets), limit=1, progress=False)
    shipped = [r for r in rows if r["checkpoint"] == "tlnet-cpu-v2"]
    assert len(shipped) == 1 and shipped[0]["variant"] == "tlnet"
    pair = load_dataset("lytro", data_dir=str(shared_datasets)).pairs[0]
    q_avg = metrics.compute("qabf", pair.a, pair.b, (pair.a + pair.b) / 2)
    assert shipped[0]["qabf"] > q_avg
    assert all(np.isfinite(shipped[0][m]) for m in FIVE)
    md = table_markdown(rows)
    assert md.count("\n") == len(rows) + 2 and "Q^AB/F" in md and "**" in md
