"""Answers to real coders' questions, judged the way a coder reads them (``dev_real.jsonl``).

Each question goes through the whole answering flow in the default mode (no language model),
and the answer is scored on what it shows:

- ``code_any`` / ``code_all``: of the questions whose accepted answer has codes, the share whose
  answer names one (or every) expected code as a code it presents;
- ``section``: of the questions an Official Guidelines section answers, the share whose answer
  cites that section or one under it;
- ``honest``: of the questions about sources that are not loaded (CPT, NCCI, CPT modifiers),
  the share whose answer says what is missing; ``false_missing`` counts the in-scope questions
  whose answer claims something is missing;
- ``bad_codes``: codes presented as valid that are not codes of the system they are shown as
  (an unknown code left unmarked, or a code of one system flagged as a header of another).
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.answer_types import Answer
from assistant.catalog import Catalog
from assistant.chat import Assistant, Turn
from assistant.codes import to_key
from assistant.validate import CODE_LIKE, HEADER, UNKNOWN

OUT_OF_SCOPE = ("cpt", "ncci", "modifier")
CODE_WORD = re.compile(r"\b[A-Z0-9]{3}(?:\.[A-Z0-9]{1,4})?[A-Z0-9]{0,4}\b")


@dataclass(frozen=True)
class RealCase:
    id: str
    question: str
    kind: str
    codes: tuple[str, ...]
    section: str | None


def load(path: Path) -> list[RealCase]:
    cases = []
    for line in path.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(
                RealCase(
                    str(row["id"]),
                    str(row["question"]),
                    str(row["kind"]),
                    tuple(row.get("expected_codes") or ()),
                    row.get("expected_section"),
                )
            )
    return cases


def split(cases: list[RealCase], part: str, seed: int = 5) -> list[RealCase]:
    """``tune`` and ``check``: two halves drawn at random, so a change chosen on one can be
    checked on the other; ``all``: every case."""
    if part == "all":
        return cases
    order = list(cases)
    random.Random(seed).shuffle(order)
    half = set(c.id for c in order[: len(order) // 2])
    return [c for c in cases if (c.id in half) == (part == "tune")]


def named(answer: Answer) -> set[str]:
    """Keys of the codes the answer presents as valid codes."""
    return {to_key(c.code) for c in answer.codes if c.valid}


def cites_section(answer: Answer, expected: str) -> bool:
    return any(
        c.section == expected or (c.section or "").startswith(expected + ".")
        for c in answer.citations
        if c.source == "icd10cm-guidelines"
    )


def bad_codes(answer: Answer, catalog: Catalog) -> list[str]:
    """Codes written as valid that the catalog does not hold in that written form, and codes
    flagged as headers that are billable codes as written (the flag belongs to another system)."""
    bad = []
    text = answer.answer
    for match in CODE_LIKE.finditer(text):
        written = match.group(0).removeprefix("CPT").strip()
        after = text[match.end() :]
        exact = catalog.billable_as_written(written)
        if after.startswith(UNKNOWN):
            continue
        if not exact or after.startswith(HEADER) and all(exact):
            bad.append(written)
    return bad


def in_question(question: str) -> set[str]:
    """Keys of the code-like strings a question itself names (its options, say)."""
    return {to_key(m.group(0)) for m in CODE_WORD.finditer(question)}


def says_missing(answer: Answer) -> bool:
    return bool(answer.missing) and "not loaded" in answer.answer.lower()


def score(bot: Assistant, cases: list[RealCase]) -> dict[str, object]:
    code_cases = [c for c in cases if c.codes]
    section_cases = [c for c in cases if c.section]
    scope_cases = [c for c in cases if c.kind in OUT_OF_SCOPE]
    any_hit = all_hit = new_hit = section_hit = honest = false_missing = 0
    bad: list[str] = []
    times: list[float] = []
    misses: list[str] = []
    bot.warm()  # timed as a server answers, warmed when it starts
    for case in cases:
        start = time.perf_counter()
        answer = bot.answer([Turn("user", case.question)], use_llm=False)
        times.append(time.perf_counter() - start)
        shown = named(answer)
        if case.codes:
            wanted = {to_key(c) for c in case.codes}
            any_hit += bool(wanted & shown)
            all_hit += wanted <= shown
            new_hit += bool(wanted & shown - in_question(case.question))
            if not wanted & shown:
                misses.append(f"{case.id} code")
        if case.section:
            hit = cites_section(answer, case.section)
            section_hit += hit
            if not hit:
                misses.append(f"{case.id} section")
        if case.kind in OUT_OF_SCOPE:
            honest += says_missing(answer)
            if not says_missing(answer):
                misses.append(f"{case.id} scope")
        elif answer.missing:
            false_missing += 1
        bad += [f"{case.id}:{code}" for code in bad_codes(answer, bot.index.catalog)]
    times.sort()
    return {
        "n": len(cases),
        "code_any": ratio(any_hit, code_cases),
        "code_all": ratio(all_hit, code_cases),
        "code_n": len(code_cases),
        "code_any_new": ratio(new_hit, code_cases),
        "section": ratio(section_hit, section_cases),
        "section_n": len(section_cases),
        "honest": ratio(honest, scope_cases),
        "honest_n": len(scope_cases),
        "false_missing": false_missing,
        "bad_codes": bad,
        "p50_ms": round(1000 * times[len(times) // 2], 1) if times else 0.0,
        "p95_ms": round(1000 * times[int(len(times) * 0.95)], 1) if times else 0.0,
        "misses": misses,
    }


def ratio(hits: int, cases: list[RealCase]) -> float:
    return round(hits / len(cases), 3) if cases else 0.0
