from __future__ import annotations

from ingest.loaders import icd9_gems


def test_crosswalk_and_titles() -> None:
    data = icd9_gems.load(icd9_gems.packaged_file())
    assert len(data.crosswalk) == 23912
    assert len(data.codes) == 14567
    links = [x for x in data.crosswalk if x.from_code == "250.00"]
    assert [(x.to_code, x.flags) for x in links] == [("E11.9", "10000")]
    passage = next(p for p in data.passages if p.code == "250.00")
    assert passage.system == "icd9cm" and passage.kind == "crosswalk"
    assert "E11.9" in passage.text and "E11.9" in passage.codes


def test_no_icd9_text_lands_in_an_icd10cm_passage() -> None:
    data = icd9_gems.load(icd9_gems.packaged_file())
    assert {p.system for p in data.passages} == {"icd9cm"}
