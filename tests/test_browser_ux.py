"""The app as a visitor and a study participant see it, in headless Chromium at a laptop's and a phone's size:
the first screen, cards, try-on, gallery, a whole study run checked against its export, and the README screenshots.
"""

from __future__ import annotations

import csv
import dataclasses
import re

import pytest
from conftest import ROOT, free_port
from test_browser import browser  # noqa: F401  (the shared Chromium fixture)

DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
SCREENSHOTS = ROOT / "assets" / "screenshots"


@pytest.fixture(scope="module")
def study_app(service):
    """The app in study mode (admin token "tok") on its own port; yields (url, the study)."""
    from fashionm3.study.protocol import load_protocol
    from fashionm3.study.records import Study
    from fashionm3.ui.app import build_demo, launch_options

    study = Study(load_protocol(), service.store)
    studying = dataclasses.replace(service, study=study, settings=dataclasses.replace(service.settings, study=True, study_admin_token="tok"))
    demo = build_demo(studying)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(studying))
    yield f"http://127.0.0.1:{port}", study
    demo.close()


NOTHING_COVERED = """() => {
  const rects = sel => [...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect()).filter(r => r.width);
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const buttons = rects('#fm3-chatbot .top-panel button, #fm3-chatbot .scroll-down-button-container button');
  const covered = rects('#fm3-chatbot .user-row .message, #fm3-chatbot .fm3-card');
  return buttons.every(b => covered.every(c => !meet(b, c)));
}"""


def visit(browser, url, viewport, phone=False):  # noqa: F811
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector("#fm3-chat-input textarea", timeout=30_000)
    return page


def open_tab(page, name):
    """Select a tab; on a phone the last tabs sit in the "more" menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.count():
        tab.click()
    else:
        page.get_by_role("button", name="More tabs").click()
        page.locator(".overflow-dropdown button", has_text=name).click()


ANSWER_START_IN_VIEW = """() => {
  const wrap = document.querySelector('#fm3-chatbot .bubble-wrap').getBoundingClientRect();
  const answers = document.querySelectorAll('#fm3-chatbot .bot-row');
  const answer = answers[answers.length - 1];
  const first = answer.querySelector('p').getBoundingClientRect();
  return answer.getBoundingClientRect().height > wrap.height && first.top >= wrap.top && first.bottom <= wrap.bottom;
}"""


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def ask(page, message):
    box_ = page.locator("#fm3-chat-input textarea")
    before = page.locator("#fm3-chatbot .fm3-cards").count()
    box_.fill(message)
    box_.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('#fm3-chatbot .fm3-cards').length > {before}", timeout=30_000)
    page.wait_for_function("Array.from(document.querySelectorAll('#fm3-chatbot .fm3-card img')).every(i => i.complete && i.naturalWidth > 0)",
                           timeout=15_000)  # fmt: skip


@pytest.mark.parametrize(("name", "viewport", "phone"), [("desktop", DESKTOP, False), ("phone", PHONE, True)])
def test_first_screen_badge_input_and_examples_without_scrolling(browser, study_app, service, name, viewport, phone):  # noqa: F811
    page = visit(browser, study_app[0], viewport, phone)
    assert page.locator("#fm3-mode").inner_text() == "Demo mode: drawings and rules, no AI models"
    assert not page.locator("#fm3-status").is_visible()  # the details wait in the collapsed accordion
    page.get_by_text("How this demo works").click()
    page.locator("#fm3-status").wait_for(state="visible", timeout=10_000)
    details = page.locator("#fm3-status").inner_text()
    assert "Try-on" in details and "labelled cut-out preview" in details and str(service.settings.data_dir) not in details  # no paths
    page.get_by_text("How this demo works").click()
    page.locator("#fm3-status").wait_for(state="hidden", timeout=10_000)
    for selector in ("#fm3-chat-input textarea", "#fm3-photo-examples", "button:has-text('a summer dress')"):
        where = box(page, selector)
        assert where and where["y"] + where["height"] <= viewport["height"], (selector, where)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-start.png"))
    ask(page, "a summer dress")
    page.wait_for_timeout(2_000)  # the pictures have loaded: nothing scrolls any more
    assert page.evaluate(ANSWER_START_IN_VIEW)  # the answer's first line is in view, not only its last cards
    text = page.locator("#fm3-chatbot").inner_text()
    assert "Served by" not in text and not re.search(r"\bid \d", text)
    cards = [box(page, f"#fm3-chatbot .fm3-card >> nth={n}") for n in range(3)]
    per_row = 2 if phone else 3  # at least
    assert all(abs(card["y"] - cards[0]["y"]) < 2 for card in cards[:per_row]), cards  # side by side
    if phone:
        assert cards[2]["y"] > cards[0]["y"] + 50 and cards[0]["width"] > 120  # two per row, readable
    ask(page, "a darker one")
    page.wait_for_timeout(2_000)
    assert page.evaluate(ANSWER_START_IN_VIEW)  # the next answer's first line too, below the earlier answer
    assert page.evaluate(NOTHING_COVERED), "a chat button covers a message or a card"
    if phone:  # the rating row: the item picker across the screen, the two buttons side by side under it
        picker, like, dislike = (box(page, f"#fm3-rate-{part}") for part in ("item", "like", "dislike"))
        assert picker["width"] > viewport["width"] - 40 and like["y"] > picker["y"] + picker["height"] - 2
        assert abs(like["y"] - dislike["y"]) < 2 and like["height"] < 60, (picker, like, dislike)
    page.locator("#fm3-chatbot .fm3-cards").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.locator("#fm3-new-chat").click()  # starting over shows the first screen again, not the end of the page
    page.wait_for_function("document.querySelectorAll('#fm3-chatbot .message').length == 0 && window.scrollY == 0",
                           timeout=15_000)  # fmt: skip
    where = box(page, "#fm3-chat-input textarea")
    assert 0 <= where["y"] and where["y"] + where["height"] <= viewport["height"], where
    page.context.close()


def test_a_picked_example_is_sent_with_its_outfit_photo(browser, study_app):  # noqa: F811
    page = visit(browser, study_app[0], PHONE, True)
    page.locator("#fm3-photo-examples button").first.click()  # no Enter: picking it sends it
    page.wait_for_selector("#fm3-chatbot .fm3-card", timeout=30_000)
    cards = page.locator("#fm3-chatbot .fm3-cards").first.inner_text()
    assert ("Shoe" in cards or "Sneaker" in cards) and page.locator("#fm3-chatbot img").count() >= 2  # photo + cards
    page.get_by_role("button", name="a summer dress").click()
    page.wait_for_function("document.querySelectorAll('#fm3-chatbot .fm3-cards').length >= 2", timeout=30_000)
    assert "Dress" in page.locator("#fm3-chatbot .fm3-cards").last.inner_text()
    page.context.close()


def try_on_result(page):
    page.wait_for_function("document.querySelector('#fm3-tryon-result img')?.naturalWidth > 0", timeout=30_000)
    return page.evaluate("document.querySelector('#fm3-tryon-result img').src")


def test_try_on_example_then_live_slider_then_a_titled_refusal(browser, study_app, tmp_path):  # noqa: F811
    from PIL import Image

    page = visit(browser, study_app[0], DESKTOP)
    page.get_by_role("tab", name="Try-on").click()
    page.locator("#fm3-tryon-examples button, #fm3-tryon-examples tr").nth(1).click()  # a drawn figure and a garment
    first = try_on_result(page)
    assert "not AI try-on" in page.locator("#fm3-tryon-message").inner_text()
    number = page.locator("#fm3-tryon-dy input[type=number]")
    number.fill("0.1")
    number.press("Enter")
    page.wait_for_function(f"document.querySelector('#fm3-tryon-result img').src !== {first!r}", timeout=30_000)  # no button pressed
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (60, 60), (200, 180, 160)).save(tiny)
    page.locator("#fm3-tryon-person input[type=file]").set_input_files(str(tiny))
    page.locator("#fm3-tryon-run").click()
    page.wait_for_function("document.querySelector('#fm3-tryon-message')?.innerText?.includes('Photo too small')", timeout=30_000)
    assert "60x60" in page.locator("#fm3-tryon-message").inner_text()
    page.context.close()


def test_gallery_counts_what_it_shows_and_offers_try_on_only_for_clothes(browser, study_app):  # noqa: F811
    page = visit(browser, study_app[0], DESKTOP)
    page.get_by_role("tab", name="Gallery").click()
    page.get_by_role("textbox", name="Search").fill("handbag")
    page.get_by_role("button", name="Browse").click()
    page.wait_for_function("document.querySelector('#fm3-gallery-info')?.innerText?.includes('matches for')", timeout=30_000)
    shown = page.locator("#fm3-gallery .thumbnail-item").count()
    assert f"The {shown} best matches" in page.locator("#fm3-gallery-info").inner_text()
    page.locator("#fm3-gallery .thumbnail-item").first.click()
    page.wait_for_function("document.querySelector('#fm3-gallery-info')?.innerText?.includes('Selected')", timeout=15_000)
    assert "Handbag" in page.locator("#fm3-gallery-info").inner_text() and page.locator("#fm3-gallery-tryon").is_disabled()
    page.get_by_role("textbox", name="Search").fill("shirt")
    page.get_by_role("button", name="Browse").click()
    page.wait_for_function("document.querySelector('#fm3-gallery-info')?.innerText?.includes('“shirt”')", timeout=30_000)
    page.locator("#fm3-gallery .thumbnail-item").first.click()
    page.wait_for_function("document.querySelector('#fm3-gallery-info')?.innerText?.includes('Selected')", timeout=15_000)
    assert page.locator("#fm3-gallery-tryon").is_enabled()
    page.context.close()


def choose(page, question, value):
    """Tick ``value`` on the ``question``-th visible Likert block."""
    block = page.locator(".fm3-likert:visible").nth(question)
    block.locator("label").filter(has_text=re.compile(rf"^\s*{value}\b")).click()


def checked(page):
    return page.evaluate("Array.from(document.querySelectorAll('.fm3-likert input[type=radio]')).filter(i => i.checked && i.offsetParent).length")


def test_a_participant_runs_two_tasks_and_the_sus_and_the_export_has_exactly_their_answers(browser, study_app, tmp_path):  # noqa: F811
    url, study = study_app
    page = visit(browser, url, PHONE, True)
    open_tab(page, "Study")
    page.get_by_label("I have read the information above and agree to take part").check()
    page.locator("#fm3-study-join").click()
    page.wait_for_function("document.querySelector('#fm3-study-code')?.innerText?.includes('P-')", timeout=15_000)
    code = re.search(r"P-[A-Z0-9]{6}", page.locator("#fm3-study-code").inner_text()).group(0)
    assert "0 of 5 tasks answered" in page.locator("#fm3-study-progress").inner_text()
    given = {"complete": [4, 5, 3], "alternative": [2, 1, 5]}
    for n, (task_id, values) in enumerate(given.items()):
        page.get_by_label(study.protocol.task(task_id).title).check()
        page.locator("#fm3-study-start").click()
        page.locator("#fm3-study-done").wait_for(state="visible", timeout=15_000)
        assert page.locator(".fm3-likert:visible").count() == 0  # no questions before the task is done
        page.locator("#fm3-study-done").click()
        page.locator("#fm3-study-submit").wait_for(state="visible", timeout=15_000)
        assert checked(page) == 0  # fresh, never the previous task's answers
        first = page.locator(".fm3-likert:visible").first.inner_text()
        assert "1 · strongly disagree" in first and "5 · strongly agree" in first
        for question, value in enumerate(values):
            choose(page, question, value)
        page.locator("#fm3-study-submit").click()
        page.wait_for_function(f"document.querySelector('#fm3-study-progress')?.innerText.includes('{n + 1} of 5 tasks')", timeout=15_000)
        assert not page.locator("#fm3-study-submit").is_visible()
    sus = [5, 1, 4, 2, 5, 1, 4, 2, 5, 1]
    page.locator("#fm3-study-finish").wait_for(state="visible", timeout=15_000)
    for item, value in enumerate(sus):
        choose(page, item, value)
    page.locator("#fm3-study-finish").click()
    page.wait_for_function("document.querySelector('#fm3-study-progress')?.innerText.includes('questionnaire done')", timeout=15_000)
    page.context.close()

    study.export(tmp_path / "export")
    rows = [row for row in csv.DictReader((tmp_path / "export" / "answers.csv").open()) if row["participant"] == code]
    keys = [(row["task_id"], row["question"]) for row in rows]
    assert len(keys) == len(set(keys)) == 3 + 3 + 10  # exactly one row per answered question
    assert {row["task_id"] for row in rows} == {"complete", "alternative", "sus"}  # none for tasks never started
    questions = [qid for qid, _ in study.protocol.questions]
    for task_id, values in given.items():  # the values clicked, not stale ones
        assert {row["question"]: int(row["answer"]) for row in rows if row["task_id"] == task_id} == dict(zip(questions, values))
    assert [int(row["answer"]) for row in sorted((r for r in rows if r["task_id"] == "sus"), key=lambda r: int(r["question"][3:]))] == sus
    quality = next(row for row in csv.DictReader((tmp_path / "export" / "quality.csv").open()) if row["participant"] == code)
    assert quality["tasks_answered"] == "2" and quality["sus_contradictions"] == "0"
