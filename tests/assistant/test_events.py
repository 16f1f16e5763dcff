"""Streamed answers are typed events; a failure after the stream began is the last event, and
every surface reports it in-band instead of breaking the stream."""

from __future__ import annotations

import json
from collections.abc import Iterator

from api.routes.chat import stream_events
from api.routes.completions import chunks
from assistant.answer_types import Answer, Citation
from assistant.errors import NotReady
from assistant.events import Cited, Delta, Done, Event, Failed, guarded

CITATION = Citation(n=1, passage_id="p", source="icd10cm", title="t", version="FY2026", text="x")


def breaking(error: Exception) -> Iterator[Event]:
    yield Cited([CITATION])
    yield Delta("E11.9 ")
    raise error


def test_a_failure_mid_stream_becomes_the_last_event() -> None:
    events = list(guarded(breaking(NotReady("the index is being rebuilt"))))
    assert [type(e) for e in events] == [Cited, Delta, Failed]
    assert events[-1] == Failed("not_ready", "the index is being rebuilt")
    other = list(guarded(breaking(KeyError("a patient's name"))))[-1]
    assert other == Failed("internal_error", "KeyError")  # the type, never the content


def test_each_event_has_its_wire_name_and_payload() -> None:
    answer = Answer(answer="E11.9 [1]", citations=[CITATION], codes=[], mode="extractive")
    events: list[Event] = [Cited([CITATION]), Delta("E11.9"), Done(answer), Failed("x", "y")]
    assert [e.kind for e in events] == ["citations", "delta", "done", "error"]
    assert events[0].payload() == [CITATION.model_dump()]
    assert events[1].payload() == {"text": "E11.9"}
    assert events[2].payload() == answer.model_dump()


def test_server_sent_events_report_the_failure_in_band() -> None:
    sent = list(stream_events(breaking(NotReady("rebuilding"))))
    assert [s.split("\n")[0] for s in sent] == ["event: citations", "event: delta", "event: error"]
    assert json.loads(sent[-1].split("data: ")[1]) == {
        "error": "not_ready",
        "message": "rebuilding",
    }


def test_openai_chunks_report_the_failure_in_band() -> None:
    sent = list(chunks("chatcmpl-x", breaking(RuntimeError("boom"))))
    assert sent[-1] == "data: [DONE]\n\n"
    error = json.loads(sent[-2].removeprefix("data: "))
    assert error == {"error": {"error": "internal_error", "message": "RuntimeError"}}
    assert json.loads(sent[1].removeprefix("data: "))["choices"][0]["delta"] == {
        "content": "E11.9 "
    }
