"""A language model's part in coding a note, held to what can be checked: it may name
conditions the vocabulary missed, each as the note's own words (found in the note character by
character, or dropped), and choose, for each mention, one of the codes the Alphabetic Index
leads that mention to (or none). Whatever it says that cannot be checked is left out with a
warning; a call that fails or a reply that is not the JSON asked for is a ``ModelFailure``,
and the caller shows the extractive result instead."""

from __future__ import annotations

import json
import re
from typing import Any, cast, get_args

from assistant.llm import ChatModel, as_data
from assistant.note_coder.index_reading import Picked
from assistant.note_coder.model import Assertion, Evidence
from assistant.note_coder.phrases import Phrase
from assistant.note_coder.reading import HEADER
from assistant.prompts import prompt

STATUSES = set(get_args(Assertion))
SENTENCE_END = re.compile(r"[.;\n]")
MOST_MENTIONS = 40


class ModelFailure(Exception):
    """The model could not be reached, or did not answer in the form asked for."""


def ask(model: ChatModel, system: str, user: str) -> list[dict[str, Any]]:
    try:
        reply = model.complete([("system", prompt(system)), ("human", user)])
    except Exception as error:  # any transport or server failure of the endpoint
        raise ModelFailure(type(error).__name__) from None
    found = json_list(reply)
    if found is None:
        raise ModelFailure("its reply was not the JSON list asked for")
    return found


def json_list(reply: str) -> list[dict[str, Any]] | None:
    """The list of objects in a reply: the list asked for, or (small models often write
    them so) the objects one after another without brackets."""
    start, end = reply.find("["), reply.rfind("]")
    if 0 <= start < end:
        try:
            found = json.loads(reply[start : end + 1])
        except json.JSONDecodeError:
            found = None
        if isinstance(found, list):
            return found if all(isinstance(x, dict) for x in found) else None
    objects: list[Any] = []
    at, decoder = reply.find("{"), json.JSONDecoder()
    while at >= 0:
        try:
            item, at = decoder.raw_decode(reply, at)
        except json.JSONDecodeError:
            return None
        objects.append(item)
        at = reply.find("{", at)
    return objects if objects and all(isinstance(x, dict) for x in objects) else None


def propose(model: ChatModel, note: str) -> tuple[list[Phrase], list[str]]:
    """The conditions the model reads in the note, each kept only where its quote is the
    note's exact words (the first place not already taken)."""
    items = ask(model, "note_mentions", f"<note>\n{as_data(note)}\n</note>")
    out: list[Phrase] = []
    dropped = 0
    for item in items[:MOST_MENTIONS]:
        quote, status = str(item.get("quote") or ""), item.get("status")
        at = note.find(quote) if quote.strip() else -1
        if at < 0 or status not in STATUSES:
            dropped += 1
            continue
        while any(p.start == at for p in out):
            at = note.find(quote, at + 1)
        if at >= 0:
            out.append(phrase_at(note, at, at + len(quote), cast(Assertion, status)))
    warnings = [f"{dropped} of the model's mentions did not quote the note exactly or had no "
                "status: left out"] if dropped else []  # fmt: skip
    return out, warnings


def phrase_at(note: str, start: int, end: int, status: Assertion) -> Phrase:
    """A quoted span as a phrase: its sentence runs to the stops around it, its section is
    the heading above it."""
    before = [m.end() for m in SENTENCE_END.finditer(note, 0, start)]
    after = SENTENCE_END.search(note, end)
    sentence = (before[-1] if before else 0, after.start() if after else len(note))
    heading = [m.group(0).strip(" :").lower() for m in HEADER.finditer(note, 0, start)]
    return Phrase(start, end, status, heading[-1] if heading else "", sentence)


def merged(note: str, found: list[Phrase], proposed: list[Phrase]) -> list[Phrase]:
    """The extractive phrases, and the model's that overlap none of them, in note order. Where
    both read a phrase, NegEx's assertion stands."""
    new = [p for p in proposed if not any(p.start < q.end and q.start < p.end for q in found)]
    return sorted([*found, *new], key=lambda p: p.start)


def choose(
    model: ChatModel,
    note: str,
    found: list[Phrase],
    options: dict[int, list[tuple[Picked, Evidence]]],
) -> tuple[dict[int, tuple[Picked, Evidence] | None], list[str]]:
    """The model's choice for each mention among its candidates; a mention it leaves out or
    answers for with a code not among them keeps the first candidate."""
    asked = [n for n, got in options.items() if got]
    if not asked:
        return {}, []
    lines = [f"<note>\n{as_data(note)}\n</note>", "", "Mentions and their candidate codes:"]
    for place, at in enumerate(asked, start=1):
        p = found[at]
        lines.append(f'{place}. "{as_data(note[p.start : p.end])}" ({p.assertion})')
        lines += [f"   - {picked.code} {picked.title}" for picked, _ in options[at]]
    items = ask(model, "note_choose", "\n".join(lines))
    chosen: dict[int, tuple[Picked, Evidence] | None] = {}
    refused = 0
    for item in items:
        number, code = item.get("mention"), str(item.get("code", "")).strip().upper()
        if not isinstance(number, int) or not 1 <= number <= len(asked):
            refused += 1
            continue
        n = asked[number - 1]
        if code == "NONE":
            chosen[n] = None
            continue
        match = next((o for o in options[n] if o[0].code == code), None)
        if match is None:
            refused += 1
            continue
        chosen[n] = match
    warnings = [f"{refused} of the model's choices named no listed mention or candidate: the "
                "index's first candidate is kept"] if refused else []  # fmt: skip
    return chosen, warnings
