"""What a question needs that medcode has not loaded: CPT, NCCI edits, MUE tables, CPT
modifiers, coverage policies. Such a question is answered honestly: first what is missing, which
file would answer it and where its publisher offers it, then what the loaded sources do say."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer_types import Missing
from assistant.query import Query

CPT_CODE = re.compile(r"(?<![\w.])[0-9]{4}[0-9FTU](?![\w.])")
CPT_MODIFIERS = frozenset(
    "22 24 25 26 27 50 51 52 53 54 55 56 57 58 59 62 66 76 77 78 79 80 81 82 90 91 92 95 96 97 "
    "99 XE XP XS XU".split()
)


POLICY = "payer and CMS coverage policy"
PCS = "ICD-10-PCS"


@dataclass(frozen=True)
class Gap:
    name: str
    pattern: re.Pattern[str]
    needs: str
    offered_at: str
    loader: str = ""  # the start of the name of a loaded source, or a loader, that fills it

    def missing(self) -> Missing:
        return Missing(name=self.name, needs=self.needs, offered_at=self.offered_at)


GAPS = (
    Gap(
        "CPT",
        re.compile(
            r"\bCPT\b|\bE/M\b|\bevaluation and management\b|\bconsultation code\b|"
            r"\boffice visit code\b|\bappend(?:ed|ing)? -?\d{2}\b",
            re.I,
        ),
        "the AMA's CPT code set (licensed data files, e.g. the CPT data file or MEDU)",
        "https://www.ama-assn.org/practice-management/cpt/cpt-licensing (licence required)",
        "cpt",
    ),
    Gap(
        "NCCI procedure-to-procedure edits",
        re.compile(
            r"\bNCCI\b|\bCCI\b|\bPTP\b|\bbundl\w*|\bunbundl\w*|\bseparately (?:report|bill)\w*|"
            r"\bseparate (?:E/M|visit|service|procedure)\b|\bmutually exclusive\b|"
            r"\b(?:included|inclusive) in (?:the )?(?:E/M|global|primary|procedure|service)\w*|"
            r"\bcolumn (?:1|2|one|two)\b",
            re.I,
        ),
        "the CMS NCCI procedure-to-procedure edit tables (practitioner or hospital)",
        "https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits",
        "ncci-ptp-",
    ),
    Gap(
        "MUE tables",
        re.compile(r"\bMUEs?\b|\bmedically unlikely\b|\bunits? of service\b", re.I),
        "the CMS Medically Unlikely Edit tables",
        "https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medicare-ncci-medically-unlikely-edits",
        "ncci-mue-",
    ),
    Gap(
        "CPT modifiers",
        re.compile(
            r"\bmod(?:ifier)?s?\s*-?(?:%s)\b|(?<![\w.])-(?:%s)\b|\b(?:%s)\s+mod(?:ifier)?s?\b"
            % (("|".join(sorted(CPT_MODIFIERS)),) * 3),
            re.I,
        ),
        "the AMA's CPT code set, whose Appendix A defines modifiers such as 25, 59 and 22 "
        "(HCPCS Level II modifiers, such as XS, GA, JW, RT, are loaded)",
        "https://www.ama-assn.org/practice-management/cpt/cpt-licensing (licence required)",
        "cpt",
    ),
    Gap(
        PCS,
        re.compile(r"\bICD[- ]?10[- ]?PCS\b", re.I),
        "the CMS ICD-10-PCS files of the fiscal year: tables, index and definitions "
        "(icd10pcs_tables_<year>.xml and its companions)",
        "https://www.cms.gov/medicare/coding-billing/icd-10-codes (ICD-10-PCS files)",
        "icd10pcs-tables",
    ),
    Gap(
        POLICY,
        re.compile(
            r"\b(?:LCDs?|NCDs?|coverage|medical necessity|payer policy|go into effect|"
            r"effective date of the (?:rule|policy)|(?:new|this) (?:rule|policy)|"
            r"claims processing manual)\b",
            re.I,
        ),
        "the payer's policy or the CMS manual or LCD/NCD article (load it as a document: "
        "`medcode ingest policy.pdf`)",
        "https://www.cms.gov/medicare-coverage-database (LCDs, NCDs, articles); "
        "https://www.cms.gov/medicare/regulations-guidance/manuals (CMS manuals)",
        "document",
    ),
)


APPLIES = re.compile(
    r"\b(?:apply|applies|applicable|appropriate|correct|when|allowed|required|can (?:i|we)|"
    r"should (?:i|we)|use)\b",
    re.I,
)


def gaps(
    query: Query, loaded: set[str], loaded_modifiers: set[str], procedure: bool = False
) -> list[Missing]:
    """The sources a question needs that are not among the ``loaded`` source names.
    ``loaded_modifiers``: the modifiers it names that a loaded code set defines (HCPCS Level
    II's JW, GA, RT); ``procedure``: it asks for a procedure's ICD-10-PCS code (see
    pcs_builder.asks_for) without naming the code set."""
    asked = {gap.name for gap in GAPS if gap.pattern.search(query.text)}
    if procedure:
        asked.add(PCS)
    if query.cpt_codes:
        asked.add("CPT")
    if "modifier" in query.intents:
        if set(query.modifiers) & CPT_MODIFIERS or not loaded_modifiers:
            asked.add("CPT modifiers")
        if APPLIES.search(query.text):
            asked.add(POLICY)  # a modifier's descriptor never says when a payer accepts it
    return [
        gap.missing()
        for gap in GAPS
        if gap.name in asked and not any(name.startswith(gap.loader) for name in loaded)
    ]


def statement(missing: list[Missing]) -> str:
    """The paragraph an answer opens with when it lacks a source."""
    lines = [
        "**Not loaded:** this question needs sources medcode does not hold, so it cannot "
        "answer that part:"
    ]
    for item in missing:
        lines.append(f"- {item.name}: {item.needs}; offered at {item.offered_at}")
    lines.append("What the loaded sources do say follows; it is not a ruling on the missing part.")
    return "\n".join(lines)
