"""Every number retrieval and answering use, in one place, each with the measurement that set
it. A change here is a change of behaviour: measure it with `medcode eval` (the GEMs tiers on
the tuning seed 99 and the checking seed 7, `dev_lay`, `dev_guidelines`, and `--only real
--part tune` then `--part check`) and write the figures beside it. Figures are in
docs/quality.md and docs/speed.md."""

from __future__ import annotations

from dataclasses import dataclass, replace

# --- fusion ---------------------------------------------------------------------------------
RRF_K = 10  # reciprocal-rank constant: a sharp fusion, the top of each list counts most
RERANK_SPAN = 3  # the best RERANK_SPAN * k fused candidates are read for qualifiers


@dataclass(frozen=True)
class Weights:
    """Chosen by a grid over the lists each query produced, fused offline, on a sample of the
    ICD-9-CM paraphrase benchmark drawn with another seed than the one `medcode eval` reports;
    dev_lay took no part. Title vectors and the index lookup carry most of the weight: alone
    they are the best lists at top-1, and the others mostly break their ties."""

    exact: float = 10.0
    lexical: float = 1.5
    dense: float = 2.5  # with lexical 2.0 and dense 1.0, dev_guidelines R@5 falls to 0.933
    index: float = 0.5
    title: float = 8.0
    lookup: float = 4.0
    # guideline passages quoting a term the query uses (see DefinedTerms), then those naming
    # the categories of its codes and of the codes found for it (as their own list at weight
    # 2 or 4: tuning half of dev_real 0.647 -> 0.588, 0.529)
    defined: float = 2.0
    # score factor for a guideline section of the chapter a question's codes lie in: the
    # guidelines are written chapter by chapter, and a question about a code often turns on
    # a rule of its chapter (tuning half of dev_real, section cited: 0.706 -> 0.765 at 1.5;
    # 2 and 3 gained nothing there and cost a code question)
    chapter: float = 1.5
    heading: float = 0.3  # score factor for categories and subcategories not asked for
    # score factor for a HCPCS quality-measure code when the question is not about quality
    # reporting (the same as a heading's: not chosen by a grid)
    measure: float = 0.3
    contradiction: float = 0.6  # score factor per axis a code's title contradicts the query on
    whole_entry: float = 1.5  # lookup weight factor when an index entry holds the whole query
    # a title vote counts by its cosine similarity to the query to this power: a name the model
    # does not know ("Tietze's disease") still has a nearest title, but not a near one
    closeness: float = 2.0
    # score factor for a guideline section written for the other setting (Sections II and III
    # are inpatient, IV outpatient): chosen on the tuning half of dev_real
    setting: float = 0.5
    depth: int = 60

    def for_any_kind(self) -> Weights:
        """A search over every kind (a chat's main search) wants codes and prose alike: the
        index lookup counts as much as the lexical list, or codes would bury a guideline or a
        policy the query matches (title vectors join the dense list there, see Dense)."""
        return replace(self, lookup=self.lexical)


# --- depths and pools -----------------------------------------------------------------------
# vector neighbours fetched per result wanted, before filters. 8 (480 neighbours of each
# collection) was set when the main collection held every vector of every kind; since index
# lines and title-only codes left it (24k vectors), 2 gives the same eval figures on the tuning
# seed 99 and the checking seed 7 (dev sets, GEMs, real questions; one GEMs approximate MRR
# 0.701 -> 0.700), the same top 10 for every dev query, and saves about 7 ms of CPU a search
OVERFETCH = 2
PROSE_OVERFETCH = 4  # the same for the prose collection, where guidelines are a third
LEXICAL_POOL = 300  # one wide BM25 query per search, shared by the lists that filter it
# a filtered vector search among at most this many passages of one system or kind is exact and
# in memory (retrieval/small_sets.py: ICD-10-PCS 22k, HCPCS 9k, guidelines; 1.5 kB each)
SMALL_SET = 25_000
INDEX_LINES = 20  # index lines (BM25) whose codes vote in the "index" list
NAMING_DEPTH = 5  # guideline passages naming the question's code categories
# BM25 gates its match set on terms held by under these shares of passages, rarest first:
# scoring every passage that holds "acute" is what made BM25 slow (8 ms at the median now)
RARE_SHARES = (0.01, 0.03)
# the wide BM25 query's gate lets through at most this many passages, rarest words first (see
# LexicalIndex.within): the tail of a long question's answer time was scoring 5-12k of them
WIDE_BUDGET = 3000
# a filtered BM25 query matches a facet word first (see LexicalIndex.faceted) when it is held by
# at most this share of passages: "kindguideline" (519 of 186k) spares scoring thousands of
# matches, "systemicd10cm" (140k) costs 11 ms to read, more than it spares
FACET_SHARE = 0.05
# Chroma's HNSW graphs search with ef_search = 100 by default: over the 58k title vectors of a
# full index, a query for 120 neighbours then finds 96% of the true nearest ones; 400 finds 99%,
# for about 0.7 ms more a query. (The title query of a search with a dense list asks for as
# many neighbours as the wide one, 120: its codes without inclusion terms have no other vector.)
TITLES_EF_SEARCH = 400

# --- the Alphabetic Index lookup ------------------------------------------------------------
LOOKUP_COMMON = 1500  # entries holding a word: past this, the word does not pick candidates
# entries holding a word: up to this, the word always picks candidates (approximate R@10
# 0.870 -> 0.880 on the tuning sample; 200 and 1,000 did worse on one sample each)
LOOKUP_RARE = 300
GRAFTED = 40  # a "see" target with more coded sub-terms than this is too broad to read on

# --- guideline terms ------------------------------------------------------------------------
MOST_QUOTING = 6  # a term quoted by more passages than this rules on nothing in particular

# --- reading a question ---------------------------------------------------------------------
# words: a question this short is read whole (dropping "codes" from "Can Z codes be used as a
# principal diagnosis?" had cost dev_guidelines a query)
SHORT = 12
MIN_CONCEPT_WEIGHT = 4.0  # a concept holds at least one word most code titles do not use
MAX_CONCEPTS = 3  # searched one by one (4: 14 ms more at the median, no change on dev_real)

# --- answering ------------------------------------------------------------------------------
MAIN_K = 10  # passages of a question's main search
GUIDELINE_K = 6  # passages of its guideline search
RULE_K = 8  # passages of a rule probe's guideline search (rule_probes.py), one kept
LEADING_RULES = 3  # a rule probe's passage comes after this many of the guideline search
CONCEPT_K = 6  # code passages searched per concept
LEADING = 2  # best codes of the main search that the guideline search also reads
MAX_LLM_PASSAGES = 8  # numbered passages a language model gets
# guideline sections named after the quoted ones (tuning half of dev_real, section cited
# 0.647 -> 0.706)
ALSO_SEE = 3
HEADING_SLACK = 15  # characters a heading's text may hold past its (cut) title
