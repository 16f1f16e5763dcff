"""The chat widget end to end in real headless Chromium (Debian's chromium, driven by Playwright
with executable_path): ask, watch the answer stream in, open a citation, read the passage."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.editions import edition
from assistant.settings import Settings
from assistant.validity import LAST
from ingest.run import ingest
from tests.api.conftest import Server, free_port, start_server
from tests.conftest import CORPUS, ROOT, index_slice

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
EVIL = (
    '# Evil policy\nModifier 25 onerror test <img src=x onerror="window.pwned=1"> '
    "<script>window.pwned=2</script> [1] **bold**\n"
)

INDEX_FILE = CORPUS / "icd10cm_index_2025_flat.csv"
NOTE_TERMS = {"Diabetes, diabetic", "Disease, diseased", "Pneumonia", "History", "Stroke"}
NOTE = (
    "History of stroke without residual deficits. No pneumonia.\n"
    '<img src=x onerror="window.pwned=1">\n'
    "Assessment: type 2 diabetes mellitus with stage 3a chronic kidney disease."
)

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def widget_server(
    default_index: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, int]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("widget")
    settings = default_index.model_copy(update={"data_dir": folder / "data"})
    shutil.copytree(default_index.data_dir, settings.data_dir)
    doc = folder / "evil.md"
    doc.write_text(EVIL)
    ingest(settings, [doc], quiet=True)
    if INDEX_FILE.is_file():  # the note panel's index terms; its test skips without them
        ingest(settings, [index_slice(folder, NOTE_TERMS)], quiet=True)
    page_port = free_port()
    origin = f"http://127.0.0.1:{page_port}"
    yield from (
        (s, page_port)
        for s in start_server(
            settings, MEDCODE_CORS_ORIGINS=f'["{origin}"]', MEDCODE_RATE_LIMIT_PER_MINUTE="1000"
        )
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def ask(page: Any, question: str) -> Any:
    page.fill("textarea", question)
    page.keyboard.press("Enter")
    bubble = page.locator(".mc-bot").last
    bubble.wait_for()
    page.wait_for_function(
        "() => { const b = [...document.querySelectorAll('.mc-bot')].pop();"
        " return b && !b.hasAttribute('aria-busy'); }",
        timeout=60000,
    )
    return bubble


def test_ask_stream_cite_read(widget_server: tuple[Server, int], browser: object) -> None:
    server, _ = widget_server
    page = browser.new_page(viewport={"width": 1000, "height": 800})  # type: ignore[attr-defined]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + "/")
    with page.expect_response(lambda r: r.url.endswith("/v1/chat")) as streamed:
        bubble = ask(page, "E11")
    response = streamed.value
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text().count("event: delta") > 3  # the answer arrived in pieces
    text = bubble.inner_text()
    assert "E11 Type 2 diabetes mellitus — not billable (category)" in text
    marker = bubble.locator(".mc-cite").first
    assert marker.get_attribute("aria-label").startswith("Open source 1: icd10cm-tabular")
    marker.click()
    panel = page.locator(".mc-panel")
    panel.wait_for()
    assert "icd10cm-tabular · FY2026" in panel.inner_text()
    assert "Type 2 diabetes mellitus" in panel.locator("pre").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    page.fill("input", "e119")
    page.keyboard.press("Enter")
    page.locator(".mc-panel h2", has_text="E11.9").wait_for()
    shown = page.locator(".mc-panel pre").inner_text()
    mark = "Valid" if date.today() <= LAST else "Not checked"  # past the lists' last date
    assert shown.startswith(f"{mark} on {date.today().isoformat()}")  # today, by default
    assert "\nType 2 diabetes mellitus without complications\nBillable" in shown
    assert all(u.startswith(server.url) for u in requests)  # offline: no CDN, no fonts


def test_nothing_in_a_passage_can_inject(
    widget_server: tuple[Server, int], browser: object
) -> None:
    server, _ = widget_server
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    bubble = ask(page, "modifier 25 onerror evil policy")
    bubble.locator(".mc-cite[aria-label*='doc-evil']").first.click()
    page.locator(".mc-panel h2").wait_for()
    panel_text = page.locator(".mc-panel pre").inner_text()
    assert '<img src=x onerror="window.pwned=1">' in panel_text
    assert page.evaluate("window.pwned") is None
    assert page.locator(".mc img, .mc script").count() == 0


def test_embedded_with_one_tag_in_another_site(
    widget_server: tuple[Server, int], browser: object, tmp_path: Path
) -> None:
    server, page_port = widget_server
    (tmp_path / "index.html").write_text(
        f'<html><body><h1>Clinic intranet</h1><script src="{server.url}/widget.js" '
        f'data-api="{server.url}"></script></body></html>'
    )
    site = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(page_port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        for _ in range(50):
            try:
                page.goto(f"http://127.0.0.1:{page_port}/index.html")
                break
            except playwright_api.Error:
                page.wait_for_timeout(100)
        page.click(".mc-open")
        bubble = ask(page, "E11.65")
        assert "E11.65 Type 2 diabetes mellitus with hyperglycemia" in bubble.inner_text()
    finally:
        site.terminate()


def test_a_date_of_service_checks_codes_in_its_edition(
    widget_server: tuple[Server, int], browser: object
) -> None:
    server, _ = widget_server
    page = browser.new_page(viewport={"width": 1000, "height": 800})  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    head = page.locator(".mc-head")
    head.filter(has_text="ICD-10-CM").wait_for()
    in_effect = edition(date.today())
    assert f"ICD-10-CM {in_effect} in effect" in head.inner_text()
    if in_effect != "FY2026":  # the titles loaded are FY2026: the header warns
        assert "⚠ loaded: FY2026" in head.inner_text() and "mc-stale" in str(
            head.get_attribute("class")
        )
    page.fill("input.mc-date", "2026-11-15")
    page.fill("input", "I42.0")
    page.keyboard.press("Enter")
    page.locator(".mc-panel h2", has_text="I42.0").wait_for()
    shown = page.locator(".mc-panel pre").inner_text()
    assert shown.startswith("⚠ Not valid on 2026-11-15 (FY2027)")
    assert "I42.00, I42.01, I42.09" in shown
    with page.expect_request(lambda r: r.url.endswith("/v1/chat")) as sent:
        bubble = ask(page, "Is I42.0 the code for dilated cardiomyopathy?")
    assert sent.value.post_data_json["date_of_service"] == "2026-11-15"
    assert "I42.0 ⚠ not valid on the date of service" in bubble.inner_text()
    assert "ICD-10-CM FY2027 is in effect on 2026-11-15" in bubble.inner_text()


def test_check_codes_panel(widget_server: tuple[Server, int], browser: object) -> None:
    server, _ = widget_server
    page = browser.new_page(viewport={"width": 1000, "height": 900})  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    form = page.locator(".mc-checkform")
    assert form.is_hidden()  # until asked for
    page.click("button.mc-check-toggle")
    assert form.is_visible()
    page.fill("input.mc-date", "2026-11-20")
    form.locator("select").first.select_option("inpatient")
    form.locator("textarea").fill("I21.4, J96.01, E10.9 E11.9")
    form.locator("input").last.fill("02703ZZ")
    with page.expect_response(lambda r: r.url.endswith("/v1/check")) as sent:
        form.locator("button[type=submit]").click()
    assert sent.value.request.post_data_json["diagnoses"][3] == {"code": "E11.9"}
    page.wait_for_function(
        "() => { const b = [...document.querySelectorAll('.mc-bot')].pop();"
        " return b && !b.hasAttribute('aria-busy'); }",
        timeout=60000,
    )
    bubble = page.locator(".mc-bot").last
    text = bubble.inner_text()
    assert "✖ error excludes1: E10.9 and E11.9 are not coded together" in text
    assert "MS-DRG 250" in text and "J96.01: an MCC" in text
    item = bubble.locator("li", has_text="excludes1")
    item.locator(".mc-cite").first.click()
    page.locator(".mc-panel h2", has_text="Type 1 diabetes mellitus").wait_for()
    assert "type 2 diabetes mellitus (E11.-)" in page.locator(".mc-panel pre").inner_text()
    form.locator("textarea").fill("0DTJ4ZZ")
    form.locator("button[type=submit]").click()
    page.locator(".mc-bot", has_text="Error: diagnoses[0].code").wait_for()
    page.screenshot(path=str(ARTIFACTS / "widget-check.png"))


def test_code_a_note_panel(widget_server: tuple[Server, int], browser: object) -> None:
    if not INDEX_FILE.is_file():
        pytest.skip("needs ../shared/corpus/icd10cm_index_2025_flat.csv for the index terms")
    server, _ = widget_server
    page = browser.new_page(viewport={"width": 1000, "height": 1000})  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    form = page.locator(".mc-noteform")
    assert form.is_hidden()
    page.click("button.mc-note-toggle")
    assert form.is_visible() and page.locator(".mc-checkform").is_hidden()
    page.fill("input.mc-date", "2026-11-20")
    form.locator("textarea").fill(NOTE)
    with page.expect_response(lambda r: r.url.endswith("/v1/code-note")) as sent:
        form.locator("button[type=submit]").click()
    assert sent.value.request.post_data_json == {
        "note": NOTE, "setting": "outpatient", "date_of_service": "2026-11-20"
    }  # fmt: skip
    page.wait_for_function(
        "() => { const b = [...document.querySelectorAll('.mc-bot')].pop();"
        " return b && !b.hasAttribute('aria-busy'); }",
        timeout=60000,
    )
    bubble = page.locator(".mc-bot").last
    shown = bubble.locator(".mc-note")
    assert shown.inner_text() == NOTE  # the note whole, its markup as text
    assert page.evaluate("() => window.pwned") is None
    diabetes = shown.locator("mark.mc-a-present", has_text="diabetes")
    assert diabetes.get_attribute("title").startswith("E11.22 Type 2 diabetes mellitus")
    stroke = shown.locator("mark.mc-a-historical", has_text="stroke")
    assert stroke.get_attribute("title").startswith("Z86.73")
    pneumonia = shown.locator("mark.mc-a-negated", has_text="pneumonia")
    assert pneumonia.get_attribute("title") == "not coded: negated in the note"
    text = bubble.inner_text()
    assert "E11.22 Type 2 diabetes mellitus with diabetic chronic kidney disease" in text
    assert "N18.31" in text and "pneumonia: negated in the note" in text
    assert "Editions: icd10cm FY2027" in text
    item = bubble.locator("li", has_text="E11.22")
    item.locator(".mc-cite").first.click()
    page.locator(".mc-panel h2", has_text="with diabetic chronic kidney disease").wait_for()
    assert "E11.22" in page.locator(".mc-panel pre").inner_text()
    page.screenshot(path=str(ARTIFACTS / "widget-note.png"))
    form.locator("textarea").fill("x" * 20001)  # past the limit: the field stops at it
    assert len(form.locator("textarea").input_value()) == 20000


def test_the_widget_shows_the_build_until_it_is_done(
    widget_server: tuple[Server, int], browser: object
) -> None:
    """/readyz answered as a server that is still storing vectors answers (the body made by
    the real status class); the widget shows how far it is, asks again, and hides it once the
    server says the build is done."""
    from assistant.build_status import BuildStatus

    server, _ = widget_server
    status = BuildStatus(phase="vectors", vectors_total=9400, vectors_stored=2420, rate=35.0)
    status.running = True
    building = {"status": "ready", "currency": [], "semantic_search": "building"}
    answers = iter([{**building, "build": status.public()}])
    page = browser.new_page()  # type: ignore[attr-defined]

    def readyz(route: Any) -> None:
        body = next(answers, None)
        if body is None:
            route.continue_()  # the real server: no build
        else:
            route.fulfill(json=body)

    page.route("**/readyz", readyz)
    page.goto(server.url + "/")
    banner = page.locator(".mc-build")
    banner.wait_for()
    assert "2,420 of 9,400 vectors stored" in banner.inner_text()
    assert page.locator(".mc-build progress").get_attribute("value") == "2420"
    banner.wait_for(state="hidden", timeout=15000)  # asked again 3 s later: done
