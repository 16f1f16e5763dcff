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


def seventh_choice(query: Query) -> bool:
    """The codes offered or named differ in their 7th character only (T22.091A or D)."""
    keys = {ref.code.replace(".", "") for ref in (*query.options, *query.codes)}
    long = [k for k in keys if len(k) == 7]
    return len(long) >= 2 and len({k[:6] for k in long}) < len(long)


def probes(query: Query) -> list[str]:
    """The rule texts to ask the guidelines for, in the order they matter."""
    found = []
    if seventh_choice(query) or SEVENTH.search(query.text):
        found.append(SEVENTH_WORDS)
    if UNCERTAIN.search(query.text):
        found.append(UNCERTAIN_WORDS[query.setting or "inpatient"])
    return found
