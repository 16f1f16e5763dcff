"""The words that tell sibling codes apart, read from a query and from a code's title, so that a
code whose title contradicts the query can be ranked below its siblings. Vectors and BM25 both
see "with obstruction" and "without obstruction" as near twins; a coder does not.

The axes:
- what is stated and what is denied ("without", "not", "no" open a denial that runs to the next
  comma, "with" or "but"): "bronchiectasis without acute exacerbation" contradicts
  "Bronchiectasis with (acute) exacerbation";
- side: a query that names no side wants the unspecified-side code (guideline I.B.13), one that
  names a side wants that side;
- the residual classes: "other" against "unspecified";
- mutually exclusive words and numbers: initial/subsequent/sequela, acute/chronic,
  benign/malignant/uncertain, primary/secondary, stage III/stage 3 against stage 1;
- sites (multiple / unspecified / other) and trimesters (none named wants the unspecified one);
- what goes unsaid: intractability and "with status epilepticus" are coded only when stated;
- setting: a congenital code, or a personal or family history code, wants a query that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.text import NUMBERED, ROMAN, stem

DENY = frozenset({"without", "not", "no", "except"})
SCOPE_ENDS = frozenset({"with", "but"})
FILLER = frozenset(
    "a an the of mention stated as so any having to in on for by from at is are be".split()
)
SIDES = ("right", "left", "bilateral")
NOT_A_SIDE = re.compile(
    r"\b(?:right|left)\b(?:\s*\?|\s+(?:code|codes|way|answer|one|now|away|to|over|out|behind|"
    r"alone|untreated|against|the|a|it|this|that)\b)"
)
EXCLUSIVE = (
    frozenset({"initial", "subsequent", "sequela"}),
    frozenset({"acute", "chronic"}),
    frozenset({"benign", "malignant", "uncertain"}),
    frozenset({"primary", "secondary"}),
    frozenset({"mild", "moderate", "severe"}),
    frozenset({"complete", "incomplete"}),
)
TRIMESTER = re.compile(r"\b(first|second|third|1st|2nd|3rd|unspecified) trimester\b")
ORDINAL = {"1st": "first", "2nd": "second", "3rd": "third"}
# said by a title, unsaid by the query: the default is their absence (an undocumented
# intractability or status epilepticus is not coded)
UNSAID_DEFAULTS = (
    ("intractable", re.compile(r"\bintractable\b")),
    ("status", re.compile(r"\bwith status (?:epilepticus|migrainosus|asthmaticus)\b")),
)
COMPLICATION = frozenset({stem("complication"), stem("complications")})
LATE_EFFECT = re.compile(r"\blate effects?\b")
# a title word that puts a code in another setting, and the words by which a query names it
SETTINGS = (
    (
        "congenital",
        re.compile(r"\bcongenital\b"),
        re.compile(r"\b(?:congenital|anomal\w*|malformation\w*|deformit\w*|hereditary|birth)\b"),
    ),
    ("history", re.compile(r"\bhistory\b"), re.compile(r"\bhistory\b")),
)
SITES = (
    ("multiple", re.compile(r"\bmultiple sites\b")),
    ("unspecified", re.compile(r"\b(?:unspecified site|site unspecified)\b")),
    ("other", re.compile(r"\bother (?:specified )?sites?\b")),
)

CLAUSE = re.compile(r"[,;:\[\]]")
PARTS = (
    "side|eye|ear|limb|arm|leg|hand|foot|feet|knee|hip|shoulder|elbow|wrist|ankle|thigh|finger|"
    "thumb|toe|lung|kidney|breast|ovary|testis|forearm|femur|tibia|fibula|humerus|radius|ulna|"
    "eyelid|orbit|buttock|heel|calf|clavicle|scapula"
)
UNSPECIFIED_SIDE = re.compile(rf"\bunspecified (?:\w+ )?(?:{PARTS})s?\b", re.I)
BOTH = re.compile(rf"\bboth (?:\w+ )?(?:{PARTS})s?\b", re.I)


@dataclass(frozen=True)
class Reading:
    said: frozenset[str]
    denied: frozenset[str]
    side: str | None  # right, left, bilateral, unspecified (a title's "unspecified eye")
    residual: str | None  # other or unspecified, when exactly one of them is written
    exclusive: frozenset[str]
    numbers: frozenset[str]
    site: str | None  # multiple, unspecified or other (sites), when exactly one is written
    trimester: str | None  # first, second, third, unspecified
    asserted: frozenset[str]  # of UNSAID_DEFAULTS, the ones the text states
    mentioned: frozenset[str]  # of UNSAID_DEFAULTS, the ones the text names at all
    setting: frozenset[str]  # of SETTINGS, the ones a title is in
    named: frozenset[str]  # of SETTINGS, the ones a query names
    linked: bool = False  # the text names something a condition comes "with"


def stated(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``text`` says the pattern outright ("intractable", not "not intractable")."""
    for match in pattern.finditer(text):
        before = text[: match.start()].split()[-1:]
        if not before or before[0] not in DENY:
            return True
    return False


@lru_cache(maxsize=65536)
def read(text: str) -> Reading:
    text = LATE_EFFECT.sub("sequela", text.lower())  # ICD-9-CM's word for a sequela
    said: set[str] = set()
    denied: set[str] = set()
    words: list[str] = []
    numbers: set[str] = set()
    linked = False
    for clause in CLAUSE.split(text):
        denying = joining = False
        tokens = re.findall(r"[a-z0-9]+", clause)
        for i, word in enumerate(tokens):
            if word in DENY:
                denying = True
                continue
            if word in SCOPE_ENDS:
                denying, joining = False, word == "with"
                continue
            words.append(word)
            if i and tokens[i - 1] in NUMBERED and (word.isdigit() or word in ROMAN):
                numbers.add(ROMAN.get(word, word))
            if word in FILLER:
                continue
            linked = linked or (joining and not denying)
            (denied if denying else said).add(stem(word))
    present = set(words)
    side_words = set(re.findall(r"[a-z]+", NOT_A_SIDE.sub(" ", text)))
    sides = [s for s in SIDES if s in side_words]
    if BOTH.search(text):
        sides.append("bilateral")
    side = sides[0] if len(set(sides)) == 1 else None
    if side is None and UNSPECIFIED_SIDE.search(text):
        side = "unspecified"
    residuals = [r for r in ("other", "unspecified") if r in present]
    sites = [name for name, pattern in SITES if pattern.search(text)]
    trimesters = [ORDINAL.get(t, t) for t in TRIMESTER.findall(text)]
    return Reading(
        said=frozenset(said - denied),
        denied=frozenset(denied - said),
        side=side,
        residual=residuals[0] if len(residuals) == 1 else None,
        exclusive=frozenset(w for group in EXCLUSIVE for w in group if w in present),
        numbers=frozenset(numbers),
        site=sites[0] if len(sites) == 1 else None,
        trimester=trimesters[0] if len(set(trimesters)) == 1 else None,
        asserted=frozenset(name for name, pattern in UNSAID_DEFAULTS if stated(pattern, text)),
        mentioned=frozenset(name for name, _ in UNSAID_DEFAULTS if name in present),
        setting=frozenset(name for name, put, _ in SETTINGS if put.search(text)),
        named=frozenset(name for name, _, naming in SETTINGS if naming.search(text)),
        linked=linked,
    )


def unlinked(query: Reading, title: Reading) -> bool:
    """A title "without complications" against a query that names what the condition comes
    with ("type 2 diabetic with high blood sugar" is not E11.9)."""
    return query.linked and bool(title.denied & COMPLICATION) and not query.denied & COMPLICATION


def contradictions(query: Reading, title: Reading) -> int:
    """On how many axes a code's title says what the query does not."""
    count = 0
    if query.denied & title.said or query.said & title.denied or unlinked(query, title):
        count += 1
    if title.side and title.side != (query.side or "unspecified"):
        count += 1
    if query.residual and title.residual and query.residual != title.residual:
        count += 1
    for group in EXCLUSIVE:
        asked, given = query.exclusive & group, title.exclusive & group
        if len(asked) == 1 and given and not asked & given:
            count += 1
    if query.numbers and title.numbers and not query.numbers & title.numbers:
        count += 1
    if query.site and title.site and query.site != title.site:
        count += 1
    if title.trimester and title.trimester != (query.trimester or "unspecified"):
        count += 1
    if title.asserted - query.mentioned:
        count += 1
    if title.setting - query.named:
        count += 1
    return count
