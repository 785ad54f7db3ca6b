"""outputs/loss-gallery/ is what `make proofs` writes, byte for byte, and reads as documents."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.search.examples import EXAMPLES
from derive.search.gallery import build_gallery

from .test_outputs import HUMAN_FIELDS, _human_strings, internal_names

GALLERY = Path(__file__).resolve().parent.parent / "outputs" / "loss-gallery"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("loss-gallery")
    build_gallery(out)
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_committed_gallery_matches_a_fresh_build(fresh):
    committed, built = _files(GALLERY), _files(fresh)
    assert sorted(committed) == sorted(built), "run `make proofs` and commit outputs/"
    for name in built:
        assert committed[name] == built[name], f"outputs/loss-gallery/{name} is stale: run `make proofs`"


def test_every_example_has_three_files_and_a_row(fresh):
    index = (fresh / "README.md").read_text()
    for name in EXAMPLES:
        for suffix in (".tex", ".md", ".json"):
            assert (fresh / f"{name}{suffix}").is_file()
        assert f"({name}.md)" in index
    assert "proved (all sizes)" in index


def test_gallery_uses_no_internal_names(fresh):
    assert HUMAN_FIELDS
    for path in sorted(fresh.iterdir()):
        if path.suffix in (".tex", ".md"):
            assert not internal_names(path.read_text()), (path.name, internal_names(path.read_text()))
        if path.suffix == ".json":
            for text in _human_strings(json.loads(path.read_text())):
                assert not internal_names(text), (path.name, text)
