from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import SourceError
from ingest.loaders import document
from tests.conftest import corpus_file


def test_markdown_keeps_the_heading_trail(tmp_path: Path) -> None:
    doc = tmp_path / "Payer Policy.md"
    doc.write_text(
        "# Policy\nintro text\n## Modifier 25\nUse it only when...\n### Audits\nWe check.\n"
    )
    data = document.load(doc)
    assert data.source == "doc-payer-policy"
    trails = [p.trail for p in data.passages]
    assert trails == [
        "Payer Policy.md > Policy",
        "Payer Policy.md > Policy > Modifier 25",
        "Payer Policy.md > Policy > Modifier 25 > Audits",
    ]


def test_html_drops_scripts(tmp_path: Path) -> None:
    page = tmp_path / "lcd.html"
    page.write_text(
        "<html><script>alert(1)</script><h1>LCD L123</h1><p>Covered when...</p>"
        "<h2>Codes</h2><ul><li>E11.9</li></ul></html>"
    )
    data = document.load(page)
    assert [p.text for p in data.passages] == ["Covered when...", "E11.9"]
    assert data.passages[1].trail == "lcd.html > LCD L123 > Codes"


@pytest.mark.integration  # renders a PDF: some 4 s, in the full run
def test_pdf_pages(tmp_path: Path) -> None:
    data = document.load(corpus_file("icd10cm-guidelines-FY2026.pdf"))
    assert {p.page for p in data.passages} == set(range(1, 122))


def test_bad_documents(tmp_path: Path) -> None:
    fake = tmp_path / "policy.pdf"
    fake.write_text("hello")
    with pytest.raises(SourceError, match="policy.pdf: not a PDF"):
        document.load(fake)
    binary = tmp_path / "notes.txt"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(SourceError, match="binary content"):
        document.load(binary)
