"""Manifests (datasets/*.json) and sha256 verification with the remembered-hash cache."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
import tomllib

from bench.datasets import load_dataset, manifest
from bench.datasets.manifest import (
    ChecksumError,
    available_manifests,
    load_manifest,
    manifest_dirs,
    parse_manifest,
    verify_file,
)
from bench.errors import DataError

NAMES = ["lytro", "mfifb", "vifb", "mf-voc", "natural"]
REPO = Path(__file__).resolve().parents[3]


def test_every_dataset_has_a_manifest():
    assert set(NAMES) <= set(available_manifests())


@pytest.mark.parametrize("name", NAMES)
def test_manifest_matches_shared_manifest_and_disk(name, shared_datasets):
    m = load_manifest(name)
    shared = json.loads((shared_datasets / name / "MANIFEST.json").read_text())
    assert {f["path"]: f["sha256"] for f in shared["files"]} == {f.path: f.sha256 for f in m.files}
    assert m.citation == shared["citation"] and m.license_note == shared["license_note"]
    assert m.layout and m.homepage.startswith("https://github.com/")
    for f in m.files:
        assert (shared_datasets / name / f.path).stat().st_size == f.size, f.path
        if f.url:
            assert f.url.startswith(
                f"https://raw.githubusercontent.com/{shared['source_repo']}/{shared['source_commit']}/"
            )
            assert " " not in f.url


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def test_corrupted_file_fails_with_file_expected_and_actual(shared_datasets, tmp_path):
    entry = load_manifest("lytro").file("lytro-01-A.jpg")
    bad = _copy(shared_datasets / "lytro" / entry.path, tmp_path / "lytro-01-A.jpg")
    data = bytearray(bad.read_bytes())
    data[5000] ^= 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as info:
        verify_file(bad, entry.sha256)
    msg = str(info.value)
    assert str(bad) in msg and entry.sha256 in msg
    assert manifest.sha256_file(bad) in msg


def test_corrupted_file_is_caught_before_its_pixels_are_used(shared_datasets, tmp_path):
    root = tmp_path / "lytro"
    for f in load_manifest("lytro").select(["pairs"]):
        _copy(shared_datasets / "lytro" / f.path, root / f.path)
    target = root / "lytro-07-B.jpg"
    data = bytearray(target.read_bytes())
    data[-100] ^= 0x01  # a JPEG that still decodes, with different pixels
    target.write_bytes(bytes(data))
    ds = load_dataset("lytro", data_dir=tmp_path)
    assert ds["lytro-07"].a.shape == (520, 520, 3)
    with pytest.raises(ChecksumError, match="lytro-07-B.jpg"):
        _ = ds["lytro-07"].b


def test_verification_is_remembered_until_the_file_changes(shared_datasets, tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "RACY_WINDOW_NS", 0)  # the copy is fresh: trust it at once
    entry = load_manifest("lytro").file("lytro-02-A.jpg")
    f = _copy(shared_datasets / "lytro" / entry.path, tmp_path / "x.jpg")
    time.sleep(0.03)  # past one ctime tick
    calls = []
    real = manifest.sha256_file
    monkeypatch.setattr(manifest, "sha256_file", lambda p, *a: calls.append(p) or real(p, *a))
    verify_file(f, entry.sha256)
    verify_file(f, entry.sha256)
    assert len(calls) == 1
    monkeypatch.setattr(manifest, "_MEMO", {})  # a new process: the on-disk record answers
    verify_file(f, entry.sha256)
    assert len(calls) == 1
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched: hash again
    verify_file(f, entry.sha256)
    assert len(calls) == 2


def _edit_keeping_size_and_mtime(path: Path) -> None:
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def test_edit_with_size_and_mtime_restored_is_caught(shared_datasets, tmp_path, monkeypatch):
    """The finding of issue 19: changed content, size and mtime put back -> used under the old hash."""
    monkeypatch.setattr(manifest, "RACY_WINDOW_NS", 0)
    entry = load_manifest("lytro").file("lytro-03-B.jpg")
    f = _copy(shared_datasets / "lytro" / entry.path, tmp_path / "y.jpg")
    time.sleep(0.03)
    verify_file(f, entry.sha256)
    assert manifest.is_verified(f, entry.sha256)
    time.sleep(0.03)  # the edit lands in a later ctime tick
    _edit_keeping_size_and_mtime(f)
    assert not manifest.is_verified(f, entry.sha256)
    monkeypatch.setattr(manifest, "_MEMO", {})  # the on-disk record is not fooled either
    with pytest.raises(ChecksumError, match=r"y\.jpg: sha256 mismatch"):
        verify_file(f, entry.sha256)


def test_edit_in_the_same_tick_as_verification_is_caught(shared_datasets, tmp_path):
    """With the real racy window, a file changed just before hashing is re-hashed every time."""
    entry = load_manifest("lytro").file("lytro-04-A.jpg")
    f = _copy(shared_datasets / "lytro" / entry.path, tmp_path / "z.jpg")
    verify_file(f, entry.sha256)
    _edit_keeping_size_and_mtime(f)  # immediately: ctime may not have ticked
    with pytest.raises(ChecksumError, match=r"z\.jpg: sha256 mismatch"):
        verify_file(f, entry.sha256)


def test_replaced_file_is_hashed_again(shared_datasets, tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "RACY_WINDOW_NS", 0)
    entry = load_manifest("lytro").file("lytro-05-A.jpg")
    f = _copy(shared_datasets / "lytro" / entry.path, tmp_path / "w.jpg")
    time.sleep(0.03)
    verify_file(f, entry.sha256)
    st = f.stat()
    other = _copy(f, tmp_path / "other.jpg")
    _edit_keeping_size_and_mtime(other)
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, f)  # a new inode under the old name, same size and mtime
    with pytest.raises(ChecksumError, match=r"w\.jpg"):
        verify_file(f, entry.sha256)


def test_missing_dataset_says_how_to_get_it(tmp_path):
    with pytest.raises(DataError) as info:
        load_dataset("vifb", data_dir=tmp_path)
    msg = str(info.value)
    assert "datasets fetch vifb" in msg and str(tmp_path / "vifb") in msg and "by hand" in msg
    # a user whose data lies elsewhere learns both ways to point at it
    assert "--data-dir" in msg and "$FUSEBENCH_DATA" in msg


def test_incomplete_dataset_names_missing_files(shared_datasets, tmp_path):
    root = tmp_path / "lytro"
    for f in load_manifest("lytro").select(["pairs"])[:10]:
        _copy(shared_datasets / "lytro" / f.path, root / f.path)
    with pytest.raises(DataError, match=r"incomplete: 30 of 40 files missing"):
        load_dataset("lytro", data_dir=tmp_path)


def test_data_dir_resolution_order(monkeypatch, tmp_path, isolated_cache):
    from bench.datasets.locate import resolve_data_dir

    monkeypatch.setenv("FUSEBENCH_DATA", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_data_dir() == tmp_path / "env"
    monkeypatch.delenv("FUSEBENCH_DATA")
    if sys.platform.startswith("linux"):
        assert resolve_data_dir() == isolated_cache / "fusebench" / "datasets"


def test_manifests_found_in_wheel_share_dir(monkeypatch, tmp_path):
    share = tmp_path / "share" / "fusebench" / "datasets"
    share.mkdir(parents=True)
    data = json.loads((REPO / "datasets" / "lytro.json").read_text())
    data["name"] = "wheel-only"
    (share / "wheel-only.json").write_text(json.dumps(data))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert share in manifest_dirs()
    assert load_manifest.__wrapped__("wheel-only").name == "wheel-only"


def test_pyproject_installs_the_manifests():
    cfg = tomllib.loads((REPO / "pyproject.toml").read_text())
    data_files = cfg["tool"]["setuptools"]["data-files"]
    assert data_files["share/fusebench/datasets"] == ["datasets/*.json"]


def test_malformed_manifest_is_named():
    with pytest.raises(DataError, match="broken.json: malformed"):
        parse_manifest({"name": "x", "files": [{"path": "a"}]}, "broken.json")


@pytest.mark.parametrize("bad", ["../x.jpg", "/etc/passwd", "a/../../x", "", "\\\\host\\share\\x"])
def test_manifest_paths_must_stay_inside_the_dataset(bad):
    data = {"name": "x", "files": [{"path": bad, "sha256": "00", "size": 1}]}
    with pytest.raises(DataError, match=r"manifest evil\.json: entry .* relative paths inside"):
        parse_manifest(data, "evil.json")


def test_symlink_out_of_the_dataset_is_refused_when_read(shared_datasets, tmp_path):
    root = tmp_path / "lytro"
    for f in load_manifest("lytro").select(["pairs"]):
        _copy(shared_datasets / "lytro" / f.path, root / f.path)
    ds = load_dataset("lytro", data_dir=tmp_path)
    outside = _copy(root / "lytro-02-B.jpg", tmp_path / "elsewhere" / "planted.jpg")
    (root / "lytro-02-B.jpg").unlink()
    (root / "lytro-02-B.jpg").symlink_to(outside)  # planted after the dataset was listed
    assert ds["lytro-02"].a.shape == (520, 520, 3)
    msg = r"manifest .*lytro\.json: entry 'lytro-02-B.jpg' resolves to .*planted"
    with pytest.raises(DataError, match=msg):
        _ = ds["lytro-02"].b
    with pytest.raises(DataError, match=msg):  # and when the dataset is listed again
        load_dataset("lytro", data_dir=tmp_path)
