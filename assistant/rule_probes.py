"""Questions whose rule is named by what they ask, not by their condition: a choice between
7th characters turns on the chapter's rule for them (I.C.19.a for injuries), a "rule out" on the
rule for uncertain diagnoses (II.H inpatient, IV.H outpatient). The condition's words pull the
condition's own guidelines; each of these asks the guidelines once more in the rule's own
words, and the best passage found joins the answer's rules."""

from __future__ import annotations

import re

from assistant.query import Query

UNCERTAIN = re.compile(
    r"\b(?:rule[ds]? out|r/o|probable|suspected|suspects?|questionable|possible|likely|"
    r"still to be ruled out|working diagnosis)\b",
    re.I,
)
SEVENTH = re.compile(r"\b(?:7th|seventh)\b", re.I)
SEVENTH_WORDS = "application of 7th characters initial encounter subsequent encounter sequela"
UNCERTAIN_WORDS = {
    "inpatient": "uncertain diagnosis at the time of discharge probable suspected likely "
    "questionable possible still to be ruled out inpatient admission",
    "outpatient": "uncertain diagnosis outpatient probable suspected questionable rule out "
    "working diagnosis code to the highest degree of certainty",
}


# a past condition: the history codes' rule (I.C.21.c.4)
HISTORY = re.compile(
    r"\b(?:history of|h/o|hx of|previous(?:ly)?|prior|former(?:ly)?|ex-smoker|quit|"
    r"past(?! (?:(?:few|several|two|three|\d+) )?(?:hours?|days?|nights?|weeks?|months?)\b))\b",
    re.I,
)
HISTORY_WORDS = "history of personal history codes past medical condition that no longer exists"
# a drug's effect: adverse effect, poisoning or underdosing (I.C.19.e.5)
DRUG_EFFECT = re.compile(
    r"\b(?:adverse (?:effect|reaction)s?|side effects?|(?:resulting from|due to|caused by|"
    r"reaction to) (?:the |a |his |her )?(?:prescription |prescribed )?(?:drug|medication|"
    r"medicine)s?|(?:correctly |properly )?(?:prescribed|administered) (?:drug|medication)s?|"
    r"overdose|underdos(?:e|ed|ing))\b",
    re.I,
)
DRUG_EFFECT_WORDS = (
    "adverse effect of a drug that has been correctly prescribed and properly administered "
    "poisoning underdosing"
)
# a condition the visit did not deal with: which coexisting conditions are coded (IV.J, III)
UNADDRESSED = re.compile(
    r"\b(?:(?:not|never|n't) (?:address|addressed|discuss|discussed|treat|treated|manage|"
    r"managed|evaluate|evaluated|mention|mentioned)|unaddressed)\b",
    re.I,
)
UNADDRESSED_WORDS = {
    "inpatient": "other additional diagnoses clinically significant conditions that affect "
    "patient care clinical evaluation therapeutic treatment",
    "outpatient": "code all documented conditions that coexist at the time of the encounter "
    "and require or affect patient care treatment or management",
}


def seventh_choice(query: Query) -> bool:
    """The codes offered or named differ in their 7th character only (T22.091A or D)."""
    keys = {ref.code.replace(".", "") for ref in (*query.options, *query.codes)}
    long = [k for k in keys if len(k) == 7]
    return len(long) >= 2 and len({k[:6] for k in long}) < len(long)


def probes(query: Query) -> list[tuple[str, bool]]:
    """The rule texts to ask the guidelines for, in the order they matter, each with whether
    the rule is best read in the chapter of the question's codes (a 7th character, an
    uncertain diagnosis: some chapters have their own) or where the guidelines state it once
    (a history code, a drug's effect, a coexisting condition)."""
    found = []
    if seventh_choice(query) or SEVENTH.search(query.text):
        found.append((SEVENTH_WORDS, True))
    if UNCERTAIN.search(query.text):
        found.append((UNCERTAIN_WORDS[query.setting or "inpatient"], True))
    if DRUG_EFFECT.search(query.text):
        found.append((DRUG_EFFECT_WORDS, False))
    if UNADDRESSED.search(query.text):
        found.append((UNADDRESSED_WORDS[query.setting or "outpatient"], False))
    if HISTORY.search(query.text):
        found.append((HISTORY_WORDS, False))
    return found
