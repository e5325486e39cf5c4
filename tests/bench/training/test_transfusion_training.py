"""transfusion training: toy two-stage runs on roadscene:train crops (seconds), resume, ablation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from bench.training import get_trainer
from bench.training import transfusion as tt
from methods.transfusion import losses
from methods.transfusion.weights import checkpoint_meta, load_model, read_checkpoint

TOY = dict(crop=32, batch_size=2, stage1_steps=3, stage2_steps=2, val_every=1, select_limit=1,
           val_limit=1, max_pairs=2, save_every=1, device="cpu", threads=1, progress=False)


def _cfg(data, out, **kw):
    return tt.config_for("cpu", data_dir=str(data), out=str(out), **{**TOY, **kw})


@pytest.fixture(scope="module")
def toy_run(shared_datasets, tmp_path_factory):
    out = tmp_path_factory.mktemp("tft") / "full.pt"
    return tt.train(_cfg(shared_datasets, out)), out


def test_toy_training_writes_checkpoint_and_card(toy_run):
    res, out = toy_run
    ckpt = read_checkpoint(out)  # weights_only=True inside
    assert all(t.dtype == torch.float16 for t in ckpt["state_dict"].values())
    meta = ckpt["meta"]
    assert meta["data"]["train"] == "roadscene:train" and meta["imagenet_weights"] is False
    assert meta["switches"] == {"channel_perception": True, "spatial_attention": True,
                                "spatial_guidance": True, "mi_loss": True}
    stages = [(h["stage"], h["step"]) for h in meta["history"]]
    assert (1, 3) in stages and (2, 0) in stages and (2, 2) in stages
    assert 0.0 < res.val_qabf < 1.0
    card = res.card_md.read_text()
    assert "trained from scratch: no ImageNet weights" in card and "roadscene:test" in card
    assert json.loads(res.card_json.read_text())["configuration"] == "cpu"
    # the state file is plain data (weights_only) and the network loads for the plugin
    state = torch.load(tt.state_path(out), map_location="cpu", weights_only=True)
    assert state["stage"] == 2 and state["step"] == 2
    assert load_model(out).cfg.blocks == ((2, 16), (2, 32), (4, 64))


def test_stage2_trains_only_the_fusion_modules(toy_run, shared_datasets, tmp_path):
    _, out = toy_run
    res = tt.train(_cfg(shared_datasets, tmp_path / "s2.pt", stage1_from=str(out), mi_loss=False))
    donor, new = load_model(out).state_dict(), load_model(res.checkpoint).state_dict()
    for k in donor:
        if k.startswith(("encoder.", "up.", "merge.", "head.")):
            assert torch.equal(donor[k], new[k]), k  # taken over, then frozen in stage 2
    assert any(not torch.equal(donor[k], new[k]) for k in donor if k.startswith(("channel.", "saliency.")))
    assert "stage 1 (encoder + decoder) taken from full.pt" in checkpoint_meta(res.checkpoint)["initialisation"]


def test_resume_after_interruption_is_deterministic(toy_run, shared_datasets, tmp_path, monkeypatch):
    _, ref = toy_run
    calls = {"n": 0}
    real = losses.stage2_loss

    def interrupted(*a, **k):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(losses, "stage2_loss", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tt.train(_cfg(shared_datasets, tmp_path / "r.pt"))
    monkeypatch.setattr(losses, "stage2_loss", real)
    saved = torch.load(tt.state_path(tmp_path / "r.pt"), weights_only=True)
    assert (saved["stage"], saved["step"]) == (2, 1)
    res = tt.train(_cfg(shared_datasets, tmp_path / "r.pt"))
    a, b = read_checkpoint(ref)["state_dict"], read_checkpoint(res.checkpoint)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    # other settings with the same --out: refused rather than mixed
    with pytest.raises(Exception, match="other settings"):
        tt.train(_cfg(shared_datasets, tmp_path / "r.pt", lr2=5e-3))


def test_ablation_table_on_toy_checkpoints(toy_run, shared_datasets, tmp_path):
    from methods.transfusion.weights import save_checkpoint

    _, out = toy_run
    net = load_model(out)
    save_checkpoint(tmp_path / "full.pt", net, {"configuration": "cpu", "switches": {}, "epochs": "3+2 steps"})
    no_ca = load_model(out)
    no_ca.cfg = no_ca.cfg.with_switches(channel_perception=False)
    save_checkpoint(tmp_path / "no-ca.pt", no_ca, {"configuration": "cpu",
                                                   "switches": {"channel_perception": False}})
    (tmp_path / "other.pt").write_bytes(b"not ours")  # skipped
    trainer = get_trainer("transfusion")
    rows = trainer.ablation_table("roadscene:test", data_dir=str(shared_datasets),
                                  checkpoint_dirs=[tmp_path], include_shipped=False, limit=1,
                                  metrics_names=("qabf", "sd"), progress=False)
    assert [r["variant"] for r in rows] == ["full (cpu)", "without channel perception (cpu)"]
    assert all(0 < r["qabf"] < 1 and r["sd"] > 0 for r in rows)
    assert rows[0]["qabf"] != rows[1]["qabf"]  # the switch changes the network's output


def test_cli_registers_flags():
    import argparse

    p = argparse.ArgumentParser()
    get_trainer("transfusion").add_arguments(p)
    args = p.parse_args(["--no-mi-loss", "--no-guidance", "--out", "x", "--steps2", "5"])
    assert (args.mi_loss, args.spatial_guidance, args.channel_perception, args.stage2_steps) == (
        False, False, True, 5)
    assert np.isclose(tt._lr(1.0, 0, 10), 1.0) and np.isclose(tt._lr(1.0, 10, 10), 0.05)
