"""bench.weights: finding, verifying and (not) downloading published files."""

from __future__ import annotations

import hashlib
import json

import pytest

from bench import weights
from bench.weights import PublishedFile, WeightsError, locate


def _spec(content: bytes, env="FUSEBENCH_TEST_W") -> PublishedFile:
    return PublishedFile("demo/w.bin", hashlib.sha256(content).hexdigest(), len(content),
                         "owner/repo", "a" * 40, "dir/w.bin", env=env, method="demo")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("FUSEBENCH_WEIGHTS", "FUSEBENCH_TEST_W"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FUSEBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FUSEBENCH_OFFLINE", "1")
    return tmp_path


def test_search_order_path_env_dir_cache(clean_env, monkeypatch):
    spec = _spec(b"weights")
    cache = weights.cache_dir() / "demo/w.bin"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"weights")
    assert locate(spec) == cache
    wdir = clean_env / "shared"
    (wdir / "demo").mkdir(parents=True)
    (wdir / "demo/w.bin").write_bytes(b"weights")
    monkeypatch.setenv("FUSEBENCH_WEIGHTS", str(wdir))
    assert locate(spec) == wdir / "demo/w.bin"
    env_file = clean_env / "env.bin"
    env_file.write_bytes(b"weights")
    monkeypatch.setenv("FUSEBENCH_TEST_W", str(env_file))
    assert locate(spec) == env_file
    given = clean_env / "given.bin"
    given.write_bytes(b"weights")
    assert locate(spec, given) == given


def test_wrong_hash_is_refused_naming_the_file(clean_env):
    spec = _spec(b"weights")
    bad = clean_env / "bad.bin"
    bad.write_bytes(b"not the weights")
    with pytest.raises(WeightsError, match=r"bad\.bin \(given path\) is not the published demo/w\.bin"):
        locate(spec, bad)
    # the same file found in the cache is refused too (no silent use of a corrupt copy)
    cache = weights.cache_dir() / "demo/w.bin"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"corrupt")
    with pytest.raises(WeightsError, match="cache.*sha256"):
        locate(spec)


def test_missing_given_path_is_an_error_not_a_fallback(clean_env):
    with pytest.raises(WeightsError, match=r"nope\.bin \(given path\) not found"):
        locate(_spec(b"x"), clean_env / "nope.bin")


def test_offline_message_names_file_env_var_and_url(clean_env):
    spec = _spec(b"x")
    with pytest.raises(WeightsError) as err:
        locate(spec)
    msg = str(err.value)
    assert "demo/w.bin" in msg and "FUSEBENCH_TEST_W" in msg and "FUSEBENCH_WEIGHTS" in msg
    assert "https://raw.githubusercontent.com/owner/repo/" + "a" * 40 + "/dir/w.bin" in msg
    assert "downloads are off" in msg


def test_failed_download_is_reported_with_instructions(clean_env, monkeypatch):
    monkeypatch.delenv("FUSEBENCH_OFFLINE")
    spec = PublishedFile("demo/w.bin", "0" * 64, 1, "owner/repo", "a" * 40, "w.bin",
                         env="FUSEBENCH_TEST_W", method="demo")
    # an unreachable host (nothing listens on port 9 of localhost): no traceback, one message
    monkeypatch.setattr(PublishedFile, "url", property(lambda s: "http://127.0.0.1:9/w.bin"))
    with pytest.raises(WeightsError, match="download failed.*FUSEBENCH_TEST_W"):
        locate(spec)


@pytest.mark.parametrize("folder", ["ifcnn", "liu2017-cnn", "sesf-fuse"])
def test_declared_files_match_the_shared_manifests(folder, published_weights_dir):
    """Every PublishedFile a method declares agrees with ../shared/weights/<folder>/MANIFEST.json."""
    import methods.cnn_patch.weights  # noqa: F401  (the modules that declare published files)
    import methods.ifcnn  # noqa: F401
    import methods.sesf  # noqa: F401
    from bench.weights import declared

    manifest = json.loads((published_weights_dir / folder / "MANIFEST.json").read_text())
    mine = {s.relpath: s for s in declared()}
    for entry in manifest["files"]:
        spec = mine[entry["path"]]
        assert (spec.sha256, spec.size) == (entry["sha256"], entry["bytes"])
        assert (spec.repo, spec.commit, spec.source_path) == (
            entry["source_repo"], entry["source_commit"], entry["source_path"])
        assert locate(spec) == published_weights_dir / entry["path"]
