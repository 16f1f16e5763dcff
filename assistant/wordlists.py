"""Word lists for reading a question: the words that make it a question, the narrative around
its conditions, where the patient was seen, words about the coding itself, and the few small
words that qualify a condition and must survive every filter."""

from __future__ import annotations

# two capitals next to "modifier" that are English words, not modifiers ("refer TO modifier")
NOT_MODIFIERS = frozenset(
    "AN AS AT BE BY DO GO IF IN IS IT ME MY NO OF ON OR SO TO UP US WE".split()
)
# words that tell a question from a title: a question uses two of them or more
ASKING = frozenset(
    """
    patient patients physician provider doctor presented presents documented documents visit
    we our i my you your should would could how what which why correct code codes coding report
    assign determine select choose identify
    """.split()
)
# words of narrative, not of coding: dropped before matching, kept in the text shown back
NARRATIVE = frozenset(
    """
    a about above according actual actually again ago all also always am an and answer any
    anyone approach archive are as ask asked assign assigned available based be because been
    before being believe below between bill billing both but by came can can't case cases
    category chart clinic code codes coded coding come comes coming condition conditions
    convention conventions correct could dear department did didn't discussion do doc doctor
    documentation documented documents does doesn't doing don't done dr during each either else
    elaborate even ever example exam examination examined explain facility few find following
    for found from further get gets getting given go going guideline guidelines had has have
    having he heard heated help her here hers him his how however i i'm i've if in insists
    instructed into is isn't it it's its just know last let like lists look looked looking many
    may me mentioned mine more most much must my need needs never new next no nor not note now
    of off often on once only or our ours over own patient patient's patients per physician
    physician's physicians please practice presented presenting presents problem provider
    provider's providers purposes question questions rather really regard regarding report
    reported reporting reports response reveals reviewing right said same saw say says scenario
    see seen selects several she should since so some someone staff states stated stating still
    such sure tell tells than thank thanks that that's the their theirs them then there these
    they thing things think thinks this those though through thorough to today told too took
    under until up upon us very visit visits want wants was wasn't we well went were what what's
    when whenever where whether which while who whom whose why will with within without won't
    wont would wrote yes yesterday yet you your yours
    """.split()
)
# where the patient was seen: it matters to the rules (Section IV is about outpatients), not
# to which condition a concept names
SETTING = frozenset(
    "office clinic hospital inpatient outpatient admitted admission facility er ed emergency "
    "room department".split()
)
# how long ago or how long: a concept of them alone finds codes that name a time span (weeks
# stay: gestational age is coded in weeks, Z3A and P07)
DURATION = frozenset(
    "one two three four five six seven eight nine ten twelve months month days day years year "
    "hours hour ago today yesterday".split()
)
# words about the coding, not the condition: a concept searched with them finds codes for them
# ("initial encounter" brings encounter codes, "combination" brings combined immunodeficiency)
CODING_TERMS = frozenset(
    "seventh 7th character characters initial subsequent encounter principal diagnosis "
    "diagnoses diagnosed dx rule ruled combination sequence sequenced sequencing listed "
    "separately treated use uses using used indicates indicate different final suspected "
    "probable possible likely".split()
)
# words a coder uses about conditions that must survive the narrative filter
KEEP = frozenset("no not without with other right left first due".split())
