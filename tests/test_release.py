"""Release artefacts: citation and Croissant validate with their real tools; diff reports changes."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cn_local_gov_speeches import croissant
from cn_local_gov_speeches.config import project_info
from cn_local_gov_speeches.diff import diff_releases, format_diff
from cn_local_gov_speeches.publish import bibtex

from conftest import ROOT, build, fresh_interpreter
from synth import speech

BIN = Path(sys.executable).parent


COMMITTED = ROOT / "dist" / "cn-local-gov-speeches"


@pytest.mark.parametrize("which", ["committed", "fresh"])
def test_citation_cff_is_valid(which: str, seeds_build: Path) -> None:
    folder = COMMITTED if which == "committed" else seeds_build
    out = subprocess.run([BIN / "cffconvert", "--validate", "-i", folder / "CITATION.cff"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f'version: {project_info().version}' in (folder / "CITATION.cff").read_text()


@pytest.mark.parametrize("which", ["committed", "fresh"])
def test_croissant_is_valid_and_loads(which: str, seeds_build: Path) -> None:
    jsonld = (COMMITTED if which == "committed" else seeds_build) / "croissant.json"
    out = subprocess.run([BIN / "mlcroissant", "validate", "--jsonld", jsonld], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    out = subprocess.run([BIN / "mlcroissant", "load", "--jsonld", jsonld, "--record_set", "canonical",
                          "--num_records", "1"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]


def test_committed_croissant_template_equals_mlcroissants() -> None:
    """A build takes croissant.json's body from `TEMPLATE_FILE`: it must be what mlcroissant makes now."""
    info = project_info()
    assert croissant.TEMPLATE_FILE.read_text(encoding="utf-8") == croissant.render_template(info, bibtex(info)), (
        "croissant.generated.json is stale: run `python build_dataset.py generate`"
    )


def test_croissant_of_the_release_is_made_without_importing_mlcroissant(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("card", encoding="utf-8")
    code = ("from cn_local_gov_speeches import config, croissant, publish, schema\n"
            "info = config.project_info()\n"
            f"croissant.croissant_json(info, list(schema.CONFIGS), __import__('pathlib').Path({str(tmp_path)!r}), "
            "publish.bibtex(info))\n"
            "print('mlcroissant' in sys.modules)\n")
    assert fresh_interpreter(code) == ["False"]


def test_croissant_of_other_inputs_comes_from_mlcroissant(tmp_path: Path) -> None:
    """Another version (or config list, citation, schema, mlcroissant) is not the template's: made anew."""
    (tmp_path / "README.md").write_text("card", encoding="utf-8")
    info = dataclasses.replace(project_info(), version="9.9.9")
    out = croissant.croissant_json(info, ["documents", "canonical"], tmp_path, bibtex(info))
    assert out["version"] == "9.9.9"
    assert [rs["@id"] for rs in out["recordSet"]] == ["documents", "canonical"]


def test_version_flows_everywhere(seeds_build: Path) -> None:
    version = project_info().version
    meta = pq.read_schema(next((seeds_build / "data" / "documents").glob("*.parquet"))).metadata
    assert meta[b"corpus_version"] == version.encode()
    assert f"version: {version}" in (seeds_build / "README.md").read_text()
    assert f'"version": "{version}"' in (seeds_build / "croissant.json").read_text()
    assert (seeds_build / "CHANGELOG.md").read_text().count(f"## {version}") == 1


def test_the_card_names_the_annotators_current_rules() -> None:
    # The card's prose cites a column's rule by version ("rule `date_extract_v2`"): it must be the
    # one the build records in build_report.json, bumped when a rule changes output.
    import re

    from cn_local_gov_speeches.annotate import ANNOTATOR_VERSIONS

    cited = re.findall(r"rule `([a-z_]+_v\d+)`", (ROOT / "dataset_card.md").read_text(encoding="utf-8"))
    assert cited and set(cited) <= set(ANNOTATOR_VERSIONS.values()), cited


def test_diff_reports_added_removed_and_changed(tmp_path: Path) -> None:
    old_raw, new_raw = tmp_path / "old", tmp_path / "new"
    old_raw.mkdir()
    new_raw.mkdir()
    (old_raw / "a.txt").write_text(speech(1), encoding="utf-8")
    (old_raw / "b.txt").write_text(speech(2), encoding="utf-8")
    shutil.copy(old_raw / "b.txt", new_raw / "b.txt")
    (new_raw / "c.txt").write_text(speech(3), encoding="utf-8")
    assert build(old_raw, tmp_path / "d1") == 0
    assert build(new_raw, tmp_path / "d2") == 0
    new = tmp_path / "d2" / "cn-local-gov-speeches"
    # A synthetic metadata change: rewrite b's title in the new release.
    f = next((new / "data" / "documents").glob("*.parquet"))
    rows = pq.read_table(f).to_pylist()
    b = next(r for r in rows if r["source_file"] == "b.txt")
    b["title"] = "新标题"
    pq.write_table(pq.read_table(f).from_pylist(rows, schema=pq.read_schema(f)), f)
    changes = {c.doc_id: c for c in diff_releases(tmp_path / "d1" / "cn-local-gov-speeches", new)}
    kinds = sorted(c.change for c in changes.values())
    assert kinds == ["added", "changed", "removed"]
    changed = changes[b["doc_id"]]
    assert not changed.text_changed and changed.metadata["title"][1] == "新标题"
    text = format_diff(list(changes.values()))
    assert "1 added, 1 removed, 1 changed" in text and "新标题" in text


def test_strict_refuses_to_publish_with_quarantine(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(speech(5), encoding="utf-8")
    (raw / "empty.txt").write_bytes(b"")
    assert build(raw, tmp_path / "dist", "--strict") == 3
    assert not (tmp_path / "dist" / "cn-local-gov-speeches").exists()
    assert build(raw, tmp_path / "dist") == 0


def test_build_dataset_script_runs_as_a_program(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, ROOT / "build_dataset.py", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "build" in out.stdout


def test_the_command_line_imports_none_of_the_stages() -> None:
    # A build starts the checkers' server before importing its stages, and every process forked from
    # that server imports build_dataset.py again: both rely on the command line module staying light.
    code = ("import sys; sys.path.insert(0, 'src'); import cn_local_gov_speeches.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pyarrow', 'numpy', 'yaml', 'opencc', 'great_expectations') or m.endswith(('.pipeline', '.build'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_failed_validation_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cn_local_gov_speeches import validate

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(speech(11), encoding="utf-8")
    assert build(raw, tmp_path / "dist") == 0
    before = (tmp_path / "dist" / "cn-local-gov-speeches" / "SHA256SUMS").read_text()
    (raw / "b.txt").write_text(speech(12), encoding="utf-8")
    original = validate.suite_spec

    def stricter(config: str) -> list[dict]:  # an expectation no real row can meet
        extra = {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "source_file", "value_set": []}}
        return [*original(config), extra]

    monkeypatch.setattr(validate, "suite_spec", stricter)
    assert build(raw, tmp_path / "dist") == 1
    assert (tmp_path / "dist" / "cn-local-gov-speeches" / "SHA256SUMS").read_text() == before
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["cn-local-gov-speeches"]
