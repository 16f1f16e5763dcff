"""Abbreviations and lay words coders write, with the words the code sets use for them: "HTN"
is hypertension, a "flu shot" an influenza vaccine. A question keeps its own words and gains
these after them, so that the index, BM25 and the title vectors meet the official term."""

from __future__ import annotations

import re

# written in capitals (case counts: "MI" is myocardial infarction, "mi" is not a word here)
ABBREVIATIONS = {
    "HTN": "hypertension",
    "DM": "diabetes mellitus",
    "T1DM": "type 1 diabetes mellitus",
    "T2DM": "type 2 diabetes mellitus",
    "CKD": "chronic kidney disease",
    "ESRD": "end stage renal disease",
    "AKI": "acute kidney injury",
    "CHF": "congestive heart failure",
    "CAD": "coronary artery disease",
    "MI": "myocardial infarction",
    "STEMI": "ST elevation myocardial infarction",
    "NSTEMI": "non-ST elevation myocardial infarction",
    "COPD": "chronic obstructive pulmonary disease",
    "UTI": "urinary tract infection",
    "URI": "upper respiratory infection",
    "GERD": "gastro-esophageal reflux disease",
    "DVT": "deep vein thrombosis",
    "CVA": "cerebral infarction stroke",
    "TIA": "transient ischemic attack",
    "BPH": "benign prostatic hyperplasia",
    "OA": "osteoarthritis",
    "SOB": "shortness of breath",
    "OSA": "obstructive sleep apnea",
    "PVD": "peripheral vascular disease",
    "PAD": "peripheral arterial disease",
    "HLD": "hyperlipidemia",
    "LBP": "low back pain",
    "ORIF": "open reduction internal fixation",
    "NST": "non-stress test",
    "BPP": "biophysical profile",
    "BMI": "body mass index",
    "ADHD": "attention deficit hyperactivity disorder",
}
# lay words, in any case (and their plurals)
LAY = {
    "flu": "influenza",
    "shot": "vaccine injection",
    "heart attack": "myocardial infarction",
    "high blood pressure": "hypertension",
    "c-section": "cesarean",
    "c section": "cesarean",
    "lap": "laparoscopic",
    "a-fib": "atrial fibrillation",
    "afib": "atrial fibrillation",
    # a multiple gestation's placentas and sacs, as notes describe them (ICD-10-CM O30 titles)
    "one placenta": "monochorionic",
    "single placenta": "monochorionic",
    "shared placenta": "monochorionic",
    "two placenta": "dichorionic",
    "one amniotic sac": "monoamniotic",
    "single amniotic sac": "monoamniotic",
    "two amniotic sac": "diamniotic",
}
SPELLED = re.compile(r"\b(" + "|".join(map(re.escape, ABBREVIATIONS)) + r")s?\b")
SAID = re.compile(
    r"\b(" + "|".join(map(re.escape, sorted(LAY, key=len, reverse=True))) + r")s?\b", re.I
)


def expanded(text: str) -> str:
    """``text`` with each abbreviation or lay word followed by the official words for it
    (once each, and not where the text already says them)."""
    said = text.lower()
    added: dict[str, None] = {}

    def add(words: str) -> str:
        if words in added or words in said:
            return ""
        added[words] = None
        return f" {words}"

    out = SPELLED.sub(lambda m: m.group(0) + add(ABBREVIATIONS[m.group(1)]), text)
    return SAID.sub(lambda m: m.group(0) + add(LAY[m.group(1).lower()]), out)
