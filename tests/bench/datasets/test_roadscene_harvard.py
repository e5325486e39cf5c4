"""The RoadScene and Harvard medical datasets on the real shared data (issue 15): counts from
the shared MANIFEST.json (an independent record), the documented split and source order,
checksums, and end-to-end runs that keep the functional image's colour."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from bench.color import rgb_to_ycbcr
from bench.datasets import load_dataset
from bench.datasets.manifest import ChecksumError, load_manifest
from bench.errors import DataError


def _shared_counts(shared_datasets):
    return json.loads((shared_datasets / "harvard-medical" / "MANIFEST.json").read_text())["counts"]


@pytest.mark.parametrize("task, folder", [("ct-mri", "CT-MRI"), ("pet-mri", "PET-MRI"),
                                          ("spect-mri", "SPECT-MRI")])
def test_harvard_task_counts_match_the_shared_record(task, folder, shared_datasets):
    ds = load_dataset(f"harvard:{task}", data_dir=shared_datasets)
    assert len(ds) == _shared_counts(shared_datasets)[folder]
    assert ds.modalities == ("medical",) and all(i.startswith(f"{task}-") for i in ds.ids())


def test_harvard_all_is_the_union_with_unique_ids(shared_datasets):
    ds = load_dataset("harvard", data_dir=shared_datasets)
    assert len(ds) == sum(_shared_counts(shared_datasets).values()) == len(set(ds.ids()))
    two = load_dataset("harvard:pet-mri+spect-mri", data_dir=shared_datasets)
    assert {p.meta["task"] for p in two} == {"pet-mri", "spect-mri"}
    with pytest.raises(DataError, match="no task mr-ct"):
        load_dataset("harvard:mr-ct", data_dir=shared_datasets)


def test_harvard_order_is_functional_then_mri(shared_datasets):
    pet = load_dataset("harvard:pet-mri", data_dir=shared_datasets)[0]
    assert pet.meta["files"] == ["PET-MRI/PET/25015.png", "PET-MRI/MRI/25015.png"]
    assert pet.a.shape == (256, 256, 3) and pet.b.shape == (256, 256)
    assert pet.meta["colour_space"] == "ycbcr"
    ct = load_dataset("harvard:ct-mri", data_dir=shared_datasets)[0]
    assert ct.a.ndim == ct.b.ndim == 2 and "colour_space" not in ct.meta  # nothing to keep


def test_roadscene_split_is_fixed_and_disjoint(shared_datasets):
    full = load_dataset("roadscene", data_dir=shared_datasets)
    train = load_dataset("roadscene:train", data_dir=shared_datasets)
    test = load_dataset("roadscene:test", data_dir=shared_datasets)
    stems = sorted(p.path.split("/")[1][:-4]
                   for p in load_manifest("roadscene").files if p.path.startswith("VI/"))
    assert len(full) == 221 == len(stems)
    assert train.ids() == stems[:200] and test.ids() == stems[200:]
    assert {p.meta["split"] for p in full} == {"train", "test"}
    with pytest.raises(DataError, match="no split"):
        load_dataset("roadscene:val", data_dir=shared_datasets)


def test_roadscene_pairs_visible_colour_with_grey_infrared(shared_datasets):
    p = load_dataset("roadscene:test", data_dir=shared_datasets)[0]
    a, b = p.a, p.b
    assert p.modality == "ir-visible" and a.ndim == 3 and b.ndim == 2
    assert a.shape[:2] == b.shape[:2] == (p.meta["height"], p.meta["width"])


@pytest.mark.parametrize("name", ["roadscene", "harvard-medical"])
def test_manifest_matches_the_shared_record_with_upstream_urls(name, shared_datasets):
    shared = json.loads((shared_datasets / name / "MANIFEST.json").read_text())
    m = load_manifest(name)
    assert {f["path"]: f["sha256"] for f in shared["files"]} == {f.path: f.sha256 for f in m.files}
    base = f"https://raw.githubusercontent.com/{shared['source_repo']}/{shared['source_commit']}/"
    by_path = {f["path"]: f for f in shared["files"]}
    for f in m.files:
        assert f.url == base + by_path[f.path]["source_path"]
        assert f.size == (shared_datasets / name / f.path).stat().st_size


def test_a_corrupt_file_is_refused(shared_datasets, tmp_path):
    p = load_dataset("harvard:pet-mri", data_dir=shared_datasets)[0]
    for rel in p.meta["files"]:
        dest = tmp_path / "harvard-medical" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_datasets / "harvard-medical" / rel, dest)
    mri = tmp_path / "harvard-medical" / p.meta["files"][1]
    data = bytearray(mri.read_bytes())
    data[len(data) // 2] ^= 0xFF
    mri.write_bytes(bytes(data))
    pair = load_dataset("harvard:pet-mri", data_dir=tmp_path, require_files=False)[0]
    assert pair.a.shape == (256, 256, 3)  # intact
    with pytest.raises(ChecksumError, match="sha256 mismatch"):
        pair.load_b()


def _run(tmp_path, dataset, methods, shared_datasets, count):
    from bench.runner import run_benchmark

    return run_benchmark(dataset, methods=methods, data_dir=shared_datasets, count=count,
                         out=tmp_path / "run", cache_dir=tmp_path / "cache", jobs=1,
                         isolate=False, timeout=None, progress=False)


def test_pet_mri_run_keeps_the_pet_colour(shared_datasets, tmp_path):
    from bench.io import read_image

    s = _run(tmp_path, "harvard:pet-mri", "average,gff", shared_datasets, 2)
    assert s.ok and s.tasks == 4
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert list(record["metrics"]) == ["en", "qmi", "qabf", "ssim", "vifp", "qcb", "sd"]
    assert record["dataset"]["tasks"] == ["medical"]
    assert record["dataset"]["mixed_colour"] == ["ycbcr"]
    ds = load_dataset("harvard:pet-mri", data_dir=shared_datasets)
    for pair in list(ds)[:2]:
        pet = rgb_to_ycbcr(pair.a)
        for method in ("average", "gff"):
            fused, _ = read_image(tmp_path / "run" / "images" / pair.id / f"{method}.png")
            assert fused.ndim == 3
            f = rgb_to_ycbcr(fused)
            inside = ((fused > 0) & (fused < 255)).all(axis=-1)  # no channel clipped
            assert inside.mean() > 0.15
            # chroma: the PET's (up to the 8-bit rounding of the stored image)
            assert np.abs(f[..., 1:] - pet[..., 1:])[inside].max() <= 0.5
            # luma: fused with the MRI, so not the PET's
            assert np.abs(f[..., 0] - pet[..., 0]).mean() > 10


def test_roadscene_test_run_uses_vifb_metrics(shared_datasets, tmp_path):
    s = _run(tmp_path, "roadscene:test", "average", shared_datasets, 1)
    assert s.ok and s.tasks == 1
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert len(record["metrics"]) == 13 and record["dataset"]["modality"] == "ir-visible"


def test_training_may_use_roadscene_train_but_never_test_or_harvard(shared_datasets):
    from bench.datasets.natural import check_not_evaluation_data

    train = load_dataset("roadscene:train", data_dir=shared_datasets)[0]
    check_not_evaluation_data([shared_datasets / "roadscene" / f for f in train.meta["files"]])
    test = load_dataset("roadscene:test", data_dir=shared_datasets)[0]
    with pytest.raises(DataError, match="roadscene:test"):
        check_not_evaluation_data([shared_datasets / "roadscene" / test.meta["files"][1]])
    ct = load_dataset("harvard:ct-mri", data_dir=shared_datasets)[0]
    with pytest.raises(DataError, match="harvard-medical"):
        check_not_evaluation_data([shared_datasets / "harvard-medical" / ct.meta["files"][0]])


def test_fetch_by_dataset_name_from_a_mirror_then_load(shared_datasets, tmp_path, monkeypatch):
    """``datasets fetch harvard`` fetches the harvard-medical manifest's files (sha256-checked)
    from a mirror of the shared folder; the subset then loads. The manifest is cut to the
    first two CT-MRI pairs to keep the test short."""
    import functools
    import http.server
    import threading

    from bench.cli import main
    from bench.datasets import manifest as manifest_module

    full = json.loads(manifest_module.manifest_path("harvard-medical").read_text())
    keep = {f"CT-MRI/{d}/{i}.png" for d in ("CT", "MRI") for i in ("2004", "2005")}
    full["files"] = [f for f in full["files"] if f["path"] in keep]
    assert len(full["files"]) == 4
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "harvard-medical.json").write_text(json.dumps(full))
    monkeypatch.setenv("FUSEBENCH_MANIFESTS", str(tmp_path / "manifests"))
    manifest_module.load_manifest.cache_clear()

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(shared_datasets))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        mirror = f"http://127.0.0.1:{httpd.server_address[1]}"
        assert main(["datasets", "fetch", "harvard:ct-mri", "--mirror", mirror,
                     "--data-dir", str(tmp_path / "data"), "--json"]) == 0
        ds = load_dataset("harvard:ct-mri", data_dir=tmp_path / "data")
        assert ds.ids() == ["ct-mri-2004", "ct-mri-2005"]
        assert len(list((tmp_path / "data" / "harvard-medical").rglob("*.png"))) == 4
        assert np.array_equal(ds[0].b, load_dataset("harvard:ct-mri", data_dir=shared_datasets)[0].b)
    finally:
        httpd.shutdown()
        httpd.server_close()
        manifest_module.load_manifest.cache_clear()
