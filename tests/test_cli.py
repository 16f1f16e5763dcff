"""The ``medcode`` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.conftest import cli_env


def medcode(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("form", ["e119", "E11.9", " E11.9 ", "E119"])
def test_lookup_accepts_common_forms(default_index: Settings, form: str) -> None:
    done = medcode(default_index, "lookup", form)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("E11.9  Type 2 diabetes mellitus without complications")
    assert "ICD-10-CM FY2026; billable" in done.stdout
    assert "parent: E11 Type 2 diabetes mellitus" in done.stdout


def test_lookup_json_of_a_category(default_index: Settings) -> None:
    done = medcode(default_index, "lookup", "E11", "--json")
    info = json.loads(done.stdout)
    assert info["billable"] is False and info["level"] == "category"
    assert ["E11.9", "Type 2 diabetes mellitus without complications"] in info["children"]
    assert ["E11", "excludes1", "type 1 diabetes mellitus (E10.-)"] in info["notes"]


def test_unknown_code_exits_1_with_closest(default_index: Settings) -> None:
    done = medcode(default_index, "lookup", "E11.99")
    assert done.returncode == 1
    assert "'E11.99' is not a code" in done.stderr and "E11.9" in done.stderr


def test_icd9_lookup_shows_the_crosswalk(default_index: Settings) -> None:
    done = medcode(default_index, "lookup", "250.00")
    assert "ICD-9-CM" in done.stdout and "GEMs: ICD-10-CM E11.9" in done.stdout


def test_sources_json(default_index: Settings) -> None:
    rows = json.loads(medcode(default_index, "sources", "--json").stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["icd10cm-tabular"]["version"] == "FY2026"
    assert by_name["icd10cm-tabular"]["passages"] == 47200
    assert len(by_name["icd9cm-gems"]["checksum"]) == 64
    assert by_name["icd10cm-tabular"]["path"].endswith(".xml")  # the operator sees paths
    assert by_name["icd10cm-tabular"]["in_effect"].startswith("FY")
    assert by_name["icd9cm-gems"]["in_effect"] is None


def test_no_icd9_text_inside_icd10cm_passages(default_index: Settings) -> None:
    from assistant.catalog import Catalog

    conn = Catalog(default_index.catalog_path).conn
    sources = {
        r[0] for r in conn.execute("SELECT DISTINCT source FROM passages WHERE system = 'icd10cm'")
    }
    assert sources == {"icd10cm-tabular"}
    assert (
        conn.execute(
            "SELECT count(*) FROM passages WHERE system = 'icd10cm' AND text LIKE '%ICD-9%'"
        ).fetchone()[0]
        == 0
    )


def test_ingest_json_and_exit_code(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedder="hash")
    good = tmp_path / "notes.txt"
    good.write_text("Query the physician when documentation is unclear.")
    bad = tmp_path / "broken.xml"
    bad.write_text("<?xml version='1.0'?><ICD10CM.index><letter>")
    done = medcode(settings, "ingest", "--json", str(good), str(bad))
    assert done.returncode == 1
    summary = json.loads(done.stdout)
    assert summary["results"][0]["loader"] == "document"
    assert "broken.xml" in summary["errors"][0]
    assert "broken.xml" in done.stderr


def test_help_for_every_command(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    for command in ("ingest", "sources", "lookup"):
        assert medcode(settings, command, "--help").returncode == 0


def test_one_vocabulary_of_systems_and_kinds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.app import create_app
    from assistant.models import KINDS, SYSTEMS
    from cli.main import parser

    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/v1/search"]["get"]["parameters"]}
    enums = {name: params[name]["anyOf"][0]["enum"] for name in ("system", "kind")}
    assert enums == {"system": list(SYSTEMS), "kind": list(KINDS)}
    with pytest.raises(SystemExit):
        parser().parse_args(["search", "x", "--system", "icd11"])
    assert "invalid choice: 'icd11'" in capsys.readouterr().err
    args = parser().parse_args(["search", "x", "--system", SYSTEMS[1], "--kind", KINDS[2]])
    assert (args.system, args.kind) == ("icd10pcs", "guideline")


def test_lookup_on_a_date_of_service(default_index: Settings) -> None:
    new = medcode(default_index, "lookup", "I42.01", "--date", "2026-11-15")
    assert new.returncode == 0, new.stderr
    assert "valid for dates of service from 2026-10-01 (ICD-10-CM FY2027)" in new.stdout
    deleted = medcode(default_index, "lookup", "I42.0", "--date", "2026-11-15", "--json")
    record = json.loads(deleted.stdout)
    assert record["title"] == "Dilated cardiomyopathy"
    on_date = record["on_date"]
    assert deleted.returncode == 1 and on_date["replacements"] == ["I42.00", "I42.01", "I42.09"]
    bad = medcode(default_index, "lookup", "I42.0", "--date", "2026-02-30")
    assert bad.returncode != 0 and "--date: '2026-02-30' is not a date" in bad.stderr
    assert "Exception ignored" not in new.stderr + deleted.stderr


def test_changes_between_editions(default_index: Settings) -> None:
    done = medcode(default_index, "changes", "--from", "FY2026", "--to", "FY2027")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ICD-10-CM FY2026 -> FY2027: 190 added, 30 deleted")
    assert "  - I42.0  Dilated cardiomyopathy  -> I42.00, I42.01, I42.09" in done.stdout
    found = json.loads(medcode(default_index, "changes", "--to", "FY2027", "--json").stdout)
    assert found["from_edition"] == "FY2026" and len(found["added"]) == 190
    bad = medcode(default_index, "changes", "--from", "2026")
    assert bad.returncode != 0 and "from: '2026' is not an edition" in bad.stderr


def test_sources_says_how_far_a_build_is(tmp_path: Path) -> None:
    """`medcode sources` reads the build's status file: a build still running shows its
    progress, one that stopped says how to finish it, a finished one says nothing."""
    from ingest.run import ingest
    from ingest.status import Tracker, ingest_lock

    settings = Settings(data_dir=tmp_path / "data", embedder="hash", vectors="memory")
    doc = tmp_path / "policy.md"
    doc.write_text("# Modifier 25\nA separately identifiable E/M service.\n")
    ingest(settings, [doc], quiet=True)
    assert "build" not in medcode(settings, "sources").stdout
    with ingest_lock(settings.data_dir):
        tracker = Tracker(settings.data_dir, [doc])
        tracker.catalog_written()
        tracker.vectors(5000)
        tracker.written_at = 0.0
        tracker.stored(1024)
        running = medcode(settings, "sources").stdout
    assert "semantic search is still being built: 1,024 of 5,000 vectors stored" in running
    stopped = medcode(settings, "sources").stdout
    assert "⚠ the index build stopped" in stopped and "1,024 of 5,000" in stopped
