"""Which text of a passage each vector collection holds, in one place: ingest embeds by these
rules and search reads the collections by them.

- The main collection: every passage by ``embed_text``, except a code whose embedded text is
  its title alone (``title_alone``): its one vector lies in the title collection, under its id;
  and except the Alphabetic Index lines (``WITHOUT_VECTOR``), which the index lookup and the
  lexical index reach by their words.
- The title collection: each code passage with a title, by its title.
- The prose collection: the guidelines, definitions and documents again (see vectorstore)."""

from __future__ import annotations

from assistant.models import Passage

INCLUSIONS = "Inclusion terms: "  # how a code passage's text introduces its inclusion terms
# kinds of passage with no vector at all. The Alphabetic Index's 111,000 lines were 82% of the
# main collection (and of its memory); the lookup and BM25 read them by their words, and
# leaving their vectors out of the dense lists moved `medcode eval` by one query at most
WITHOUT_VECTOR = ("index",)


def embed_text(passage: Passage) -> str:
    """What the dense index sees. Code passages are embedded by their title and inclusion terms:
    excludes and other notes name *other* conditions and would pull the wrong queries."""
    if passage.kind != "code":
        return passage.text
    synonyms = [ln for ln in passage.text.splitlines() if ln.startswith(INCLUSIONS.rstrip())]
    return "\n".join([passage.title, *[s.removeprefix(INCLUSIONS) for s in synonyms]])


def title_text(passage: Passage) -> str:
    return passage.title


def has_title_vector(kind: str, code: str | None, title: str | None) -> bool:
    """A passage of one code, with a title, also has a vector of its title alone."""
    return kind == "code" and bool(code) and bool(title)


def title_alone(kind: str, code: str | None, title: str | None, text: str) -> bool:
    """A code passage with no inclusion terms: its embedded text is its title, so its vector in
    the title collection is its only one (most codes: 40,076 of the Tabular List's 46,881, all
    of ICD-10-PCS and HCPCS). The test is on the text as a whole, so a passage that mentions
    the words anywhere keeps a vector of its own (a copy at worst, never a passage without)."""
    return has_title_vector(kind, code, title) and INCLUSIONS.rstrip() not in text


def alone(passage: Passage) -> bool:
    return title_alone(passage.kind, passage.code, passage.title, passage.text)


def titled(passages: list[Passage]) -> list[Passage]:
    """The passages that get a title vector."""
    return [p for p in passages if has_title_vector(p.kind, p.code, p.title)]


def own_vector(passages: list[Passage]) -> list[Passage]:
    """The passages the main collection holds."""
    return [p for p in passages if p.kind not in WITHOUT_VECTOR and not alone(p)]
