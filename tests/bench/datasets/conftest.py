"""Fixtures for the dataset tests: an isolated verification cache per test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Point the user cache (sha256 verification records) at a fresh folder."""
    from bench.datasets import manifest

    cache = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("FUSEBENCH_DATA", raising=False)
    monkeypatch.delenv("FUSEBENCH_MIRROR", raising=False)
    monkeypatch.setattr(manifest, "_MEMO", {})
    return cache
