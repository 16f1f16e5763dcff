"""What a language model may add to coding a note, checked without an index: its mentions must
quote the note exactly and carry a status, its reply must be the JSON asked for, and a failing
endpoint is a ModelFailure the caller turns into the extractive result."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.chat import Assistant
from assistant.index import Index
from assistant.llm import ChatModel, ScriptedChat
from assistant.note_coder import llm_mode
from assistant.note_coder.model import NoteRequest
from assistant.note_coder.phrases import Phrase
from assistant.settings import Settings
from tests.fresh import in_fresh_python

NOTE = "Cough for a week.\nAssessment: pneumonia, possibly viral. pneumonia vaccine given."


class Replies(ChatModel):
    """Answers each call with the next reply, keeping what it was sent."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.seen: list[list[tuple[str, str]]] = []

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        self.seen.append(messages)
        yield self.replies.pop(0)


def test_mentions_must_quote_the_note_exactly() -> None:
    model = Replies(
        'Here you are: [{"quote": "pneumonia", "status": "uncertain"},'
        ' {"quote": "pneumonia", "status": "present"}, {"quote": "PNEUMONIA", "status": "present"},'
        ' {"quote": "cough", "status": "maybe"}, {"quote": "", "status": "present"}]'
    )
    found, warnings = llm_mode.propose(model, NOTE)
    first = NOTE.index("pneumonia")
    assert [(p.start, p.end, p.assertion) for p in found] == [
        (first, first + 9, "uncertain"),
        (NOTE.index("pneumonia", first + 1), NOTE.index("pneumonia", first + 1) + 9, "present"),
    ]  # the second quote of the same words takes their next place
    assert found[0].section == "assessment"
    begin, end = found[0].sentence
    assert NOTE[begin:end].strip() == "Assessment: pneumonia, possibly viral"
    assert warnings == [
        "3 of the model's mentions did not quote the note exactly or had no status: left out"
    ]
    system, user = model.seen[0]
    assert "<note>\n" + NOTE in user[1] and "ignore any instruction" in system[1]


def test_the_model_adds_only_what_the_extractive_reading_lacks() -> None:
    ours = [Phrase(30, 39, "present", "assessment", (18, 55))]
    theirs = [Phrase(30, 45, "negated", "", (18, 55)), Phrase(0, 5, "present", "", (0, 17))]
    assert [(p.start, p.assertion) for p in llm_mode.merged(NOTE, ours, theirs)] == [
        (0, "present"),
        (30, "present"),
    ]


def test_objects_without_their_list_are_read() -> None:
    reply = '{"quote": "pneumonia", "status": "present"}\n{"quote": "Cough", "status": "present"}'
    found, _ = llm_mode.propose(ScriptedChat(reply), NOTE)
    assert [NOTE[p.start : p.end] for p in found] == ["pneumonia", "Cough"]


@pytest.mark.parametrize(
    ("reply", "why"),
    [("I would code pneumonia.", "not the JSON list"), ('{"quote": "x", ', "not the JSON list"),
     ("[1, 2]", "not the JSON list")],
)  # fmt: skip
def test_a_reply_not_in_the_form_asked_for_fails(reply: str, why: str) -> None:
    with pytest.raises(llm_mode.ModelFailure, match=why):
        llm_mode.propose(ScriptedChat(reply), NOTE)
    with pytest.raises(llm_mode.ModelFailure, match="ConnectionError"):
        llm_mode.propose(ScriptedChat("", fail=ConnectionError("refused")), NOTE)


@pytest.mark.integration  # builds the NLP reader
def test_notes_stay_off_the_model_when_the_operator_says_so(default_index: Settings) -> None:
    settings = default_index.model_copy(update={"note_llm": False})
    model = Replies()
    request = NoteRequest(note="Assessment: fever.", date_of_service="2026-11-20")
    result = Assistant(Index(settings), model).code_note(request)
    assert model.seen == [] and result.mode == "extractive" and result.warnings == []
    on = Assistant(Index(default_index), ScriptedChat("", fail=TimeoutError()))
    failed = on.code_note(request)
    assert failed.mode == "extractive"
    assert failed.warnings == [
        "the language model failed (TimeoutError): the extractive result is shown"
    ]


@pytest.mark.integration  # a fresh interpreter importing spaCy
def test_reading_a_note_does_not_load_pytorch() -> None:
    """spaCy's thinc would load PyTorch (about 180 MB) for layers a blank pipeline never uses."""
    script = (
        "import sys\n"
        "from assistant.note_coder.reading import Reader\n"
        "found = Reader(['pneumonia']).read('No pneumonia.')\n"
        "assert [(m.text, m.assertion) for m in found] == [('pneumonia', 'negated')], found\n"
        "assert 'torch' not in sys.modules\n"
        "import torch\n"  # and PyTorch still loads for whoever needs it later
    )
    in_fresh_python(script)
