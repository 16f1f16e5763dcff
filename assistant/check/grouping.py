"""MS-DRG grouping of an inpatient stay with the grouper version in effect on the discharge
date (v40 to v44, FY2023 to FY2027, each year's April update from April 1), from ``msdrg``, a
native port of the CMS grouper. The result names the secondary diagnoses that acted as CC or
MCC and those the principal diagnosis excluded, each cited to its row of the CMS tables 6I/6J
(with its 6K exclusion list) where those tables are of the same year, and the DRG's weight from
table 5 likewise."""

from __future__ import annotations

import atexit
import threading
from datetime import date
from typing import Any, Literal

from assistant.answer_types import Citation
from assistant.check import tables
from assistant.check.context import Context, Line
from assistant.check.mce import SEX, dx
from assistant.check.model import Drg, Driver, Finding

# (first discharge date, grouper version): each fiscal year's release and its April update
VERSIONS = [
    (date(2022, 10, 1), 400), (date(2023, 4, 1), 401),
    (date(2023, 10, 1), 410), (date(2024, 4, 1), 411),
    (date(2024, 10, 1), 420), (date(2025, 4, 1), 421),
    (date(2025, 10, 1), 430), (date(2026, 4, 1), 431),
    (date(2026, 10, 1), 440),
]  # fmt: skip
LAST = date(2027, 9, 30)


def version_on(day: date) -> int | None:
    """The grouper version for a discharge on ``day``; None outside FY2023 to FY2027."""
    if day > LAST:
        return None
    held = [v for start, v in VERSIONS if start <= day]
    return held[-1] if held else None


def name(version: int) -> str:
    """440 -> "v44", 431 -> "v43.1"."""
    major, minor = divmod(version, 10)
    return f"v{major}" + (f".{minor}" if minor else "")


def tables_year(version: int) -> str:
    return f"FY{2023 + version // 10 - 40}"


class Grouper:
    """One msdrg grouper for the process, opened on first use; calls are serialised (the
    native context caches versions as it goes)."""

    def __init__(self) -> None:
        self.grouper: Any = None
        self.broken = ""
        self.lock = threading.Lock()

    def group(self, body: dict[str, Any]) -> dict[str, Any] | None:
        with self.lock:
            if self.grouper is None and not self.broken:
                try:
                    import msdrg

                    self.grouper = msdrg.MsdrgGrouper()
                    atexit.register(self.grouper.close)
                except (ImportError, OSError, RuntimeError) as exc:
                    self.broken = f"{type(exc).__name__}: {exc}"
            if self.grouper is None:
                return None
            result: dict[str, Any] = self.grouper.group(body)
            return result


GROUPER = Grouper()


def claim(ctx: Context, version: int) -> dict[str, Any]:
    diagnoses = [x for x in ctx.diagnoses if x.system == "icd10cm"]
    patient = ctx.encounter.patient
    return {
        "version": version,
        "age": patient.age,
        "sex": SEX[patient.sex],
        "discharge_status": int(ctx.encounter.discharge_status),
        "pdx": dx(diagnoses[0]) if diagnoses else {"code": ""},
        "sdx": [dx(x) for x in diagnoses[1:]],
        "procedures": [{"code": x.key} for x in ctx.procedures if x.system == "icd10pcs"],
    }


def group(ctx: Context) -> tuple[Drg | None, list[Finding]]:
    if not ctx.inpatient:
        return None, []
    version = version_on(ctx.day)
    if version is None:
        message = (
            f"no MS-DRG grouper here for a discharge on {ctx.day} (v40 to v44: FY2023 to FY2027)"
        )
        return None, [ctx.finding("info", "drg_not_grouped", message, [])]
    try:
        result = GROUPER.group(claim(ctx, version))
    except (ValueError, RuntimeError) as exc:  # msdrg refused the claim: say why, not crash
        message = f"MS-DRG grouper ({name(version)}) did not group the stay: {exc}"
        return None, [ctx.finding("info", "drg_not_grouped", message, [])]
    if result is None:
        message = f"MS-DRG grouper not available ({GROUPER.broken})"
        return None, [ctx.finding("info", "drg_not_grouped", message, [])]
    secondary = [x for x in ctx.diagnoses if x.system == "icd10cm"][1:]
    drg = outcome(ctx, version, result, secondary)
    findings = []
    if result.get("return_code") != "OK":
        code = result.get("return_code")
        message = f"MS-DRG grouper ({name(version)}): the stay does not group ({code})"
        findings.append(ctx.finding("error", "drg_ungroupable", message, []))
    return drg, findings


def outcome(ctx: Context, version: int, result: dict[str, Any], secondary: list[Line]) -> Drg:
    same_year = tables_year(version) == tables.DRG_TABLES_EDITION
    number = result.get("final_drg")
    drg = f"{number:03d}" if isinstance(number, int) else None
    weight = tables.weights().get(drg or "") if same_year else None
    cited = ctx.cite(tables.weight_passage(drg)) if weight and drg else []
    drivers = [
        driver(ctx, line, out)
        for line, out in zip(secondary, result.get("sdx_output") or [], strict=False)
        if out.get("severity") in ("CC", "MCC")
    ]
    mdc = result.get("final_mdc")
    return Drg(
        grouper=name(version),
        drg=drg,
        title=result.get("final_drg_description"),
        mdc=f"{mdc:02d}" if isinstance(mdc, int) else None,
        mdc_title=result.get("final_mdc_description"),
        severity=str(result.get("final_severity") or "NONE"),
        weight=weight[3] if weight else None,
        weight_source=f"table 5, {tables.DRG_TABLES_EDITION}"
        if weight
        else (
            None
            if same_year
            else f"table 5 of {tables_year(version)} is not held here "
            f"(the drg package ships {tables.DRG_TABLES_EDITION})"
        ),
        drivers=[d for d, _ in drivers],
        return_code=str(result.get("return_code")),
        citations=cited + [c for _, cs in drivers for c in cs],
    )


def driver(ctx: Context, line: Line, out: dict[str, Any]) -> tuple[Driver, list[Citation]]:
    severity = str(out["severity"])
    excluded = "EXCLUDED" in (out.get("flags") or [])
    acted = not excluded and out.get("drg_impact") in ("BOTH", "FINAL", "INITIAL")
    listed = tables.severity_lists().get(line.key)
    # the CMS list row, when it says what the grouper did (another year's row says so too,
    # under its own edition)
    agrees = listed is not None and listed[0] == severity
    cited = ctx.cite(tables.severity_passage(line.key)) if agrees else []
    if excluded:
        why = f"{article(severity)} {severity}, excluded by the principal diagnosis (table 6K)"
    elif acted:
        why = f"{article(severity)} {severity} that set the DRG's severity level"
    else:
        why = f"{article(severity)} {severity} the DRG's logic does not split on"
    level: Literal["CC", "MCC"] = "MCC" if severity == "MCC" else "CC"
    return Driver(code=line.code, severity=level, acted=acted, why=why), cited


def article(level: str) -> str:
    return "an" if level == "MCC" else "a"
