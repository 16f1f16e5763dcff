"""The terms a guideline quotes, read off its text."""

from __future__ import annotations

from assistant.defined import terms_in
from assistant.text import plain_words


def test_quoted_terms_are_read_as_plain_words() -> None:
    text = (
        "Do not code diagnoses documented as “probable”, “suspected,” “rule out,” "
        'or "Compatible With" terms; see “with” and “in”.'
    )
    assert terms_in(text) == {"probable", "suspected", "rule out", "compatible with"}


def test_a_question_is_read_the_same_way() -> None:
    assert plain_words("Can I code 'Rule-out' MI?") == "can i code rule out mi"
    said = plain_words("The doctor wrote: rule out, appendicitis")
    assert f" {plain_words('rule out')} " in f" {said} "
