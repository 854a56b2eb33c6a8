"""End to end in headless Debian Chromium driven by Playwright (skips when either is missing)."""

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, app_url):
    """A page in its own browser context (its own storage: a separate visitor)."""
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(app_url, wait_until="load")  # Gradio keeps a stream open: never "networkidle"
    return page


@pytest.fixture(scope="module")
def page(browser, app_url):
    return open_page(browser, app_url)


def ask(page, message):
    """Send a chat message and wait for its answer."""
    page.wait_for_selector("#fm3-chatbot", timeout=30_000)
    answers = "document.querySelectorAll('#fm3-chatbot .bot-row').length"
    before = page.evaluate(answers)
    box = page.locator("#fm3-chat-input textarea")
    box.fill(message)
    box.press("Enter")
    page.wait_for_function(f"{answers} > {before}", timeout=30_000)


def loaded_images(page, selector):
    return page.evaluate(f"Array.from(document.querySelectorAll('{selector}')).map(i => i.complete && i.naturalWidth)")


def test_chat_search_shows_product_cards_with_images(page):
    box = page.locator("#fm3-chat-input textarea")
    box.fill("sneakers")  # "black sneakers" shows only the few black ones: answers show items that meet the request
    box.press("Enter")
    page.wait_for_selector("#fm3-chatbot .fm3-card img", timeout=30_000)
    page.wait_for_function(
        "Array.from(document.querySelectorAll('#fm3-chatbot .fm3-card img')).every(i => i.complete && i.naturalWidth > 0)",
        timeout=15_000,
    )
    assert len(loaded_images(page, "#fm3-chatbot .fm3-card img")) == 6
    assert "Sneakers" in page.locator("#fm3-chatbot .fm3-card .fm3-name").first.inner_text()
    assert page.locator("#fm3-mode").inner_text() == "Demo mode: drawings and rules, no AI models"


def last_answer(page) -> str:
    return page.evaluate("Array.from(document.querySelectorAll('#fm3-chatbot .bot-row')).pop().innerText")


def test_three_turn_conversation_with_a_refinement_then_new_conversation(browser, app_url):
    page = open_page(browser, app_url)
    ask(page, "casual shoes for a man")
    assert "Applied: casual shoes · for men." in last_answer(page)
    ask(page, "more formal")  # the same slot, the fitting type: formal shoes
    assert "Formal Shoes" in last_answer(page) and "Sneakers" not in last_answer(page)
    ask(page, "in brown")
    answer = last_answer(page)
    assert "Applied: formal shoes · brown" in answer and "Matches what you asked: formal shoe, brown" in answer
    page.locator("#fm3-new-chat").click()
    page.wait_for_function("document.querySelectorAll('#fm3-chatbot .message').length == 0", timeout=15_000)
    ask(page, "a summer dress")
    answer = last_answer(page)
    assert "Applied: dresses · for summer." in answer and "brown" not in answer.split("I suggest")[0]
    page.locator("#fm3-chatbot button[aria-label='Clear']").click()  # the chat's bin forgets the conversation too
    page.wait_for_function("document.querySelectorAll('#fm3-chatbot .message').length == 0", timeout=15_000)
    ask(page, "cheaper")
    assert last_answer(page).startswith("There is no earlier answer to change yet")
    page.context.close()


def test_gallery_filters_the_catalog(page):
    page.get_by_role("tab", name="Gallery").click()
    page.get_by_role("textbox", name="Search").fill("red dress")
    page.get_by_role("button", name="Browse").click()
    page.wait_for_function("document.body.innerText.includes('matches for “red dress”')", timeout=30_000)
    captions = page.locator("#fm3-gallery .caption-label, #fm3-gallery [class*=caption]").all_inner_texts()
    assert captions and "Red Dress" in captions[0]


def upload_person_and_try_on(page, folder):
    from PIL import Image

    photo = folder / "me.png"
    Image.new("RGB", (300, 400), (200, 180, 160)).save(photo)
    page.locator("#fm3-tryon-person input[type=file]").set_input_files(str(photo))
    page.wait_for_selector("#fm3-tryon-person img", timeout=15_000)
    result = "document.querySelector('#fm3-tryon-result img')"
    before = page.evaluate(f"{result}?.src || ''")
    page.locator("#fm3-tryon-run").click()
    page.wait_for_function(  # a new, loaded result, or an error other than the "first" hints
        f"({result} && {result}.src !== {before!r} && {result}.naturalWidth > 0)"
        " || /⚠️(?!.*first)/.test(document.querySelector('#fm3-tryon-message').innerText)",
        timeout=30_000,
    )
    assert page.locator("#fm3-tryon-result img").count(), page.locator("#fm3-tryon-message").inner_text()
    return page.evaluate("(() => { const i = document.querySelector('#fm3-tryon-result img'); return [i.naturalWidth, i.naturalHeight]; })()")


def test_try_on_preview_is_labelled_as_a_preview(page, tmp_path):
    page.get_by_role("tab", name="Try-on").click()
    assert "labelled preview" in page.locator("#fm3-tryon-backend").inner_text()
    page.locator("#fm3-tryon-run").click()
    page.wait_for_function("document.querySelector('#fm3-tryon-message')?.innerText?.includes('first')", timeout=30_000)
    assert "Upload a photo of yourself first" in page.locator("#fm3-tryon-message").inner_text()
    size = upload_person_and_try_on(page, tmp_path)
    page.wait_for_function("document.querySelector('#fm3-tryon-message')?.innerText?.includes('preview')", timeout=15_000)
    assert "not AI try-on" in page.locator("#fm3-tryon-message").inner_text()
    assert size == [300, 400]


def test_chat_to_gallery_to_find_similar_to_try_on(page, tmp_path):
    page.get_by_role("tab", name="Chat").click()
    for message in ("a navy shirt for a man", "show me what that looks like"):
        ask(page, message)
    page.wait_for_function("document.querySelector('#fm3-chatbot')?.innerText?.includes('could look like')", timeout=30_000)
    pictures = "Array.from(document.querySelectorAll('#fm3-chatbot img')).filter(i => !i.closest('.fm3-card')).length"
    page.wait_for_function(f"{pictures} === 1", timeout=15_000)  # the generated picture, outside the product cards

    page.get_by_role("tab", name="Gallery").click()
    captions = page.locator("#fm3-gallery .caption-label, #fm3-gallery [class*=caption]")
    page.wait_for_function("document.querySelector('#fm3-gallery')?.innerText?.includes('Sketch (not a photo)')", timeout=15_000)
    texts = captions.all_inner_texts()
    assert texts[0].startswith("Sketch (not a photo)") and any("Shirt" in text for text in texts[1:])

    page.locator("#fm3-gallery .thumbnail-item").first.click()
    page.locator("#fm3-gallery-similar").click()
    page.wait_for_function("document.querySelector('#fm3-gallery-info')?.innerText?.includes('look like')", timeout=30_000)
    assert not any(text.startswith("Sketch") for text in captions.all_inner_texts())  # real catalog items now
    page.locator("#fm3-gallery .thumbnail-item").first.click()  # a catalog shirt: similar ones are shirts too
    page.locator("#fm3-gallery-similar").click()
    page.wait_for_function("document.querySelector('#fm3-gallery-info')?.innerText?.includes('among shirts')", timeout=30_000)
    assert all("Shirt" in text for text in captions.all_inner_texts())

    first_item = captions.first.inner_text()
    page.locator("#fm3-gallery .thumbnail-item").first.click()
    page.locator("#fm3-gallery-like").click()
    page.wait_for_function("document.querySelector('#fm3-gallery-info')?.innerText?.includes('Liked')", timeout=15_000)
    assert first_item in page.locator("#fm3-gallery-info").inner_text()
    assert page.locator("#fm3-gallery-download").is_enabled()
    page.locator("#fm3-gallery-tryon").click()
    page.wait_for_function("document.querySelector('#fm3-tryon-garment input')?.value?.length > 0", timeout=15_000)
    page.get_by_role("tab", name="Try-on", selected=True).wait_for(timeout=15_000)
    assert upload_person_and_try_on(page, tmp_path) == [300, 400]  # from a product in the gallery to a try-on result
    assert page.locator("#fm3-tryon-garment input").input_value() == first_item.split(" — ")[0] + " — " + first_item.split(" — ")[1]


def test_two_visitors_never_see_each_others_profile(browser, app_url):
    alice, bob = open_page(browser, app_url), open_page(browser, app_url)
    ask(alice, "black sneakers")
    alice.locator("#fm3-rate-like").click()
    alice.wait_for_function("document.querySelector('#fm3-rated')?.innerText?.includes('Noted')", timeout=15_000)
    liked = alice.locator("#fm3-rated strong").inner_text()

    identities = []
    for visitor in (alice, bob):
        visitor.get_by_role("tab", name="Profile").click()
        visitor.wait_for_function("document.querySelector('#fm3-profile-id')?.innerText?.includes('Anonymous profile')", timeout=15_000)
        identities.append(visitor.evaluate("localStorage.getItem('fashionm3-identity')"))
    assert identities[0] and identities[1] and identities[0] != identities[1]  # each browser holds its own token
    alice.wait_for_function(f"document.querySelector('#fm3-profile-likes')?.innerText?.includes({liked!r})", timeout=15_000)
    assert liked not in bob.locator("#fm3-profile-likes").inner_text()
    assert "none yet" in bob.locator("#fm3-profile-likes").inner_text()
    alice.wait_for_function("document.querySelector('#fm3-profile-history')?.innerText?.includes('black sneakers')", timeout=15_000)
    assert "black sneakers" not in bob.locator("#fm3-profile-history").inner_text()


def test_try_it_on_from_the_chat_answer(page, tmp_path):
    page.get_by_role("tab", name="Chat").click()
    ask(page, "a white t-shirt for a woman")
    ask(page, "try it on")
    page.get_by_role("tab", name="Try-on", selected=True).wait_for(timeout=15_000)
    assert page.locator("#fm3-tryon-garment input").input_value()
    assert upload_person_and_try_on(page, tmp_path) == [300, 400]
