"""`python -m fashionm3 index|search` (contract C4) on the public catalog and on bad input."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT


def run_cli(*args, data_dir):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "FASHIONM3_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "fashionm3", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def small_catalog(shared_catalog, tmp_path_factory):
    """The first 300 rows of the public catalog that have a photo (a csv of ours pointing at its images)."""
    folder = tmp_path_factory.mktemp("catalog")
    lines = (shared_catalog / "styles.csv").read_text().splitlines()
    rows = [line for line in lines[1:] if (shared_catalog / "images" / f"{line.split(',')[0]}.jpg").exists()][:300]
    (folder / "styles.csv").write_text("\n".join([lines[0], *rows, "999999999,Men,broken"]) + "\n")
    return folder / "styles.csv", shared_catalog / "images"


@pytest.fixture(scope="module")
def built(small_catalog, tmp_path_factory):
    csv_path, images = small_catalog
    folder = tmp_path_factory.mktemp("cli")
    result = run_cli("index", "--catalog", str(csv_path), "--images", str(images), "--out", str(folder / "index"), data_dir=folder)
    assert result.returncode == 0, result.stderr
    return folder, result


def test_index_then_search(small_catalog, built):
    csv_path, images = small_catalog
    tmp_path, built = built
    assert "300 items loaded; 1 broken rows skipped (lines 302)" in built.stderr
    assert "encoding images" in built.stderr  # the progress bar
    assert json.loads(built.stdout.splitlines()[-1])["items"] == 300

    first_id = csv_path.read_text().splitlines()[1].split(",")[0]
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            [
                json.dumps({"qid": "t1", "text": "black watch for a man"}),
                json.dumps({"qid": "i1", "image": str(images / f"{first_id}.jpg")}),
                json.dumps({"qid": "f1", "text": "shirt", "filters": {"gender": "Women"}}),
                json.dumps({"qid": "bad", "text": "shirt", "filters": {"colour": "Plaid"}}),
                "not json",
            ]
        )
    )
    searched = run_cli("search", "--index", str(tmp_path / "index"), "--queries", str(queries), "-k", "5", data_dir=tmp_path)
    assert searched.returncode == 0, searched.stderr
    answers = {answer["qid"]: answer for answer in map(json.loads, searched.stdout.splitlines())}
    assert len(answers["t1"]["results"]) == 5 and set(answers["t1"]["results"][0]) == {"id", "score"}
    assert answers["i1"]["results"][0]["id"] == first_id
    assert "Unknown colour 'Plaid'" in answers["bad"]["error"]
    assert answers[None]["error"] == "not a JSON object"


def test_search_with_another_encoder_is_a_clear_error(built):
    tmp_path, _ = built
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"qid": "1", "text": "shirt"}\n')
    result = run_cli("search", "--index", str(tmp_path / "index"), "--queries", str(queries), "--encoder", "fashionclip", data_dir=tmp_path)
    assert result.returncode == 2
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def test_missing_catalog_is_a_clear_error(tmp_path):
    result = run_cli("index", "--catalog", str(tmp_path / "none.csv"), "--out", str(tmp_path / "i"), data_dir=tmp_path)
    assert result.returncode == 2 and "No catalog file" in result.stderr


def test_index_on_milvus_lite(small_catalog, tmp_path):
    pytest.importorskip("milvus_lite")
    csv_path, images = small_catalog
    out = tmp_path / "milvus-index"
    built = run_cli("index", "--catalog", str(csv_path), "--images", str(images), "--out", str(out), "--index", "milvus", data_dir=tmp_path)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout.splitlines()[-1])["kind"] == "milvus"
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"qid": "m", "text": "black watch for a man"}\n')
    searched = run_cli("search", "--index", str(out), "--queries", str(queries), "-k", "3", data_dir=tmp_path)
    assert searched.returncode == 0, searched.stderr
    assert len(json.loads(searched.stdout)["results"]) == 3
