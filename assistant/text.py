"""Text normalisation, in one place: the stemmer, the stop words of each use, Roman numerals
read as digits, and the plain forms terms are compared in."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

# words that say nothing about which passage is meant, for BM25
SEARCH_STOP = frozenset(
    "a an and are as at be by can code codes coding do does for from how i if in is it its may "
    "of on or should the this to what when where which with without you".split(" ")
)
# words that say nothing about which Alphabetic Index entry is meant ("without" does: "Migraine >
# without aura" is not "with aura")
LOOKUP_STOP = frozenset(
    "a an and are as at be by for from in into is of on or the to with due other than "
    "what which code codes coding".split()
)
SUFFIXES = ("ations", "ation", "ically", "ical", "ive", "ions", "ion", "ic", "ia", "es", "s", "y")
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}
NUMBERED = frozenset({"stage", "type", "grade", "degree", "class", "phase"})
ENGLISH = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball's English stemmer (lymphocytic/lymphocyte, depletion/depleted agree), then a
    few suffixes it keeps (anemia/anemic, which it leaves as "anemia" and "anem"). Not for an
    inflammation: Snowball reads "prostatitis" as "prostate" and "gastritis" as "gastric"."""
    if not word.endswith("itis"):
        word = ENGLISH.stemWord(word)
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def numbered(words: list[str]) -> list[str]:
    """Roman numerals after "stage", "grade", "type" and the like as digits: the index says
    "grade 4" where ICD-9-CM said "grade IV" (and "I" alone stays a pronoun)."""
    return [
        ROMAN.get(word, word) if i and words[i - 1] in NUMBERED else word
        for i, word in enumerate(words)
    ]


def stems(text: str) -> set[str]:
    """The stems of the words an index entry is matched on."""
    words = numbered(re.findall(r"[a-z0-9]+", text.lower()))
    return {stem(w) for w in words if w not in LOOKUP_STOP}


def words_of(text: str) -> list[str]:
    """The words BM25 matches on, and a Roman numeral after "grade", "stage", "type" and the
    like as a digit too (titles write "grade 4" or "type II")."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    digits = [n for w, n in zip(words, numbered(words), strict=True) if n != w]
    return list(dict.fromkeys(w for w in words + digits if w not in SEARCH_STOP))


def any_of(words: list[str]) -> str:
    """An FTS5 expression matching any of the words."""
    return " OR ".join(f'"{w}"' for w in words)


def fts_query(text: str) -> str:
    return any_of(words_of(text))


def plain_words(text: str) -> str:
    """Lower-case words and slashes alone, one space apart: how a quoted guideline term and a
    question are compared."""
    return " ".join(re.findall(r"[a-z0-9/]+", text.lower()))


def plain_term(text: str) -> str:
    """An inclusion term without its nonessential words (in parentheses or brackets) and "NOS"
    (notation): "Sore throat (acute) NOS" is "sore throat"."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|\bnos\b", " ", text.lower())
    return " ".join(text.split()).strip(" .?")
