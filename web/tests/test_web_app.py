"""The web app end to end, in Debian's Chromium, against the whole product (see conftest.py).

Each test is one person's visit: signing up on Keycloak's real page, practising by camera and microphone (a real
face and a spoken answer), reading the transcript and the feedback; typing an answer; an upload surviving a
dropped connection; another person refused the first one's results. Screenshots of each main page go to
.local/screenshots/ (the current ones are kept in docs/screenshots/).
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.plugin import KeycloakAdmin, KeycloakUser
from playwright.async_api import BrowserContext, Page, Playwright, Request, Route, expect

from .conftest import (
    BROWSER_ARGS,
    CHROMIUM,
    CONTEXT,
    DESKTOP,
    Console,
    accessibility_problems,
    ca_context,
    screenshot,
)
from .media import SPOKEN_WORDS, FakeMedia

NewContext = Callable[..., Awaitable[tuple[BrowserContext, Page, Console]]]
PIPELINE_MS = 240_000  # upload -> media checks -> Whisper -> feedback, on two busy cores


async def api_get(page: Page, path: str, **params: str) -> Any:
    """Call the API as the page's signed-in person (with the token the app holds), to check what was stored."""
    token = await page.evaluate(
        "() => JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage).find(k => k.startsWith('oidc.user'))))"
        ".access_token"
    )
    async with httpx.AsyncClient(verify=ca_context(), base_url="https://localhost:8443") as http:
        response = await http.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


async def sign_up(page: Page, keycloak: KeycloakAdmin, *, shoot: bool = False) -> str:
    """Create an account through the app's button and Keycloak's own registration page; returns the email."""
    await page.goto("/")
    if shoot:
        await screenshot(page, "01-home")
    await page.get_by_role("button", name="Create a free account").click()
    form = page.locator("#kc-register-form")
    await expect(form).to_be_visible()
    email = f"web-{secrets.token_hex(6)}@example.com"
    today = datetime.now(UTC).date()
    await page.fill("#email", email)
    await page.fill("#firstName", "Robin")
    await page.fill("#lastName", "Tester")
    await page.fill("#birthdate", today.replace(year=today.year - 30, day=1).isoformat())
    await page.fill("#password", "a-long-passphrase-7")
    await page.fill("#password-confirm", "a-long-passphrase-7")
    if shoot:
        await screenshot(page, "02-sign-up")
        problems = await accessibility_problems(page)  # Keycloak's sign-up page, in Intervu's theme
        assert not problems, "\n".join(problems)
    await form.locator("[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/welcome"))
    return email


async def sign_in(page: Page, user: KeycloakUser, to: str = "/", *, check: bool = False) -> None:
    await page.goto(to)
    await page.get_by_role("button", name="Sign in").first.click()
    if check:  # Keycloak's sign-in page, in Intervu's theme
        await expect(page.locator("#kc-login")).to_be_visible()
        problems = await accessibility_problems(page)
        assert not problems, "\n".join(problems)
    await page.fill("#username", user.username)
    await page.fill("#password", user.password)
    await page.locator("#kc-login").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def accept_policy(page: Page, *, shoot: bool = False, then_continue: bool = True, accepted: bool = False) -> None:
    """Accept the policy on /welcome (``accepted``: that was done already) and, unless told not to, continue."""
    await expect(page).to_have_url(re.compile(r"/welcome"))
    if not accepted:
        await page.get_by_role("button", name="I have read and accept the privacy policy").click()
        await expect(page.get_by_text("Accepted. Thank you.")).to_be_visible()
    if shoot:
        await screenshot(page, "03-welcome")
    if not then_continue:
        return
    await page.get_by_role("button", name="Continue").click()
    await expect(page).not_to_have_url(re.compile(r"/welcome"))  # accepted once is accepted: no second round


async def start_session(page: Page, *, questions: int = 1, shoot: bool = False) -> str:
    await page.goto("/practice")
    await page.get_by_label("Role", exact=True).select_option("software-engineer")
    await page.get_by_label("Question type").select_option("behavioral")
    await page.get_by_label("Questions", exact=True).select_option(str(questions))
    if shoot:
        await screenshot(page, "04-practice-setup")
    await page.get_by_role("button", name="Start the interview").click()
    await expect(page).to_have_url(re.compile(r"/practice/[0-9a-f-]{36}"))
    await expect(page.locator("#question-heading")).to_be_visible()
    return page.url.rsplit("/", 1)[-1].split("?")[0]


async def record(page: Page, fake: FakeMedia, *, shoot: bool = False) -> None:
    await page.get_by_role("button", name="Turn on camera and microphone").click()
    # The microphone's level before the first word: the fake microphone speaks, the meter moves and says so.
    await expect(page.get_by_text("We can hear you.")).to_be_visible(timeout=15_000)
    meter = page.get_by_role("meter", name="Microphone level")
    # The framing guide, when asked: a frame of the camera checked as the answer's video will be (a real face).
    await page.get_by_role("button", name="Check how I appear on camera").click()
    guide = page.get_by_role("status", name="How you appear on camera")
    await expect(guide.locator("li.good", has_text="Your face is in the picture")).to_be_visible(timeout=15_000)
    if shoot:
        await screenshot(page, "05-practice-before-recording")
    await page.get_by_role("button", name="Start recording").click()
    await expect(page.get_by_text(re.compile(r"Recording starts in \d"))).to_be_visible()  # the countdown
    await expect(page.get_by_role("timer")).to_contain_text("Recording", timeout=6_000)
    # A video call: while recording, the question and the stop button are on screen without scrolling.
    await expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    await expect(page.get_by_role("button", name="Stop recording")).to_be_in_viewport()
    await expect(page.get_by_label("Your camera")).to_be_in_viewport()
    levels = set()
    # Chromium loops the answer: a bit more than one pass holds every word.
    deadline = fake.answer.duration_s + 2.5
    for _ in range(int(deadline / 0.25)):
        levels.add(int(await meter.get_attribute("aria-valuenow") or 0))
        await page.wait_for_timeout(250)
    assert len(levels) >= 5 and max(levels) >= 30, levels  # it moves with the voice, and speech reads as speech
    if shoot:
        await screenshot(page, "05-practice-recording")
    await page.get_by_role("button", name="Stop recording").click()
    await expect(page.get_by_label("Your recorded answer")).to_be_visible()
    await expect(page.get_by_text(re.compile(r"Your answer, \d:\d\d long"))).to_be_visible()


async def test_sign_up_practise_on_camera_and_read_the_transcript_and_feedback(
    new_context: NewContext,
    fake_media: FakeMedia,
    keycloak: KeycloakAdmin,
    make_user: Callable[..., Awaitable[KeycloakUser]],
) -> None:
    _, page, console = await new_context()
    email = await sign_up(page, keycloak, shoot=True)
    created = (await keycloak.request("GET", "/users", params={"email": email, "exact": "true"})).json()
    try:
        await accept_policy(page, shoot=True)
        session_id = await start_session(page, questions=3, shoot=True)
        interviewer = page.get_by_label("The interviewer asks the question").locator("source").first
        await expect(interviewer).to_have_attribute("src", re.compile("/api/avatar/files/"), timeout=120_000)
        first_clip = (await interviewer.get_attribute("src") or "").split("?")[0]
        await record(page, fake_media, shoot=True)
        await page.get_by_role("button", name="Use this answer").click()
        await expect(page.get_by_role("progressbar", name="Uploading your answer")).to_be_attached()
        await expect(page.get_by_text("Uploaded. Your transcript and feedback are being prepared.")).to_be_visible(
            timeout=60_000
        )
        # The next question: its own interviewer clip, and the camera still on (no second permission round).
        await page.get_by_role("button", name="Next question").click()
        await expect(page.get_by_role("button", name="Start recording")).to_be_visible()
        await expect(interviewer).to_have_attribute("src", re.compile("/api/avatar/files/"), timeout=120_000)
        assert (await interviewer.get_attribute("src") or "").split("?")[0] != first_clip
        await page.get_by_role("button", name="Finish and see results").click()
        await expect(page).to_have_url(re.compile(rf"/sessions/{session_id}"))

        transcript = page.get_by_label("Transcript")
        await expect(transcript).to_be_visible(timeout=PIPELINE_MS)
        text = (await transcript.inner_text()).lower()
        heard = [w for w in SPOKEN_WORDS if w in text]
        assert len(heard) >= 4, (heard, text)
        await expect(page.get_by_text("overall, out of 100")).to_be_visible()
        await expect(page.get_by_role("button", name=re.compile(r"^Relevance \d+ out of 100"))).to_be_visible()
        await expect(page.get_by_role("heading", name="Your coach says")).to_be_visible()

        # The words are in sync with the recording: a click on a word seeks the video there.
        video = page.get_by_label("Your recorded answer")
        await expect(video).to_have_attribute("src", re.compile(r"/api/media/files/"))
        word = transcript.get_by_role("button", name="migration").first
        await word.click()
        seconds = await video.evaluate("v => v.currentTime")
        assert seconds > 0.5, seconds
        await expect(transcript.locator(".word.current")).to_have_count(1, timeout=10_000)
        # The spoken answer has two silences: the transcript marks the pauses between its words.
        await expect(transcript.locator(".pause").first).to_be_visible()
        # A score's evidence: a click outlines the words it rests on and plays from there.
        await page.get_by_role("button", name=re.compile(r"^STAR structure \d+ out of 100\. Show the moment")).click()
        await expect(transcript.locator(".word.evidence").first).to_be_visible()
        await expect(video).to_be_in_viewport(ratio=0.5)  # the moment plays where the person can see it
        await screenshot(page, "06-results")
        assert not (problems := await accessibility_problems(page)), "\n".join(problems)
        assert not console.unexpected(), console.errors

        # Someone else opens the first person's results address: refused, and nothing of the answer shows.
        other = await make_user()
        _, intruder, intruder_console = await new_context()
        await sign_in(intruder, other, to="/")
        await accept_policy(intruder)
        await intruder.goto(f"/sessions/{session_id}")
        await expect(intruder.get_by_role("heading", name="Results not found")).to_be_visible()
        await expect(
            intruder.get_by_text("These results do not exist, or they belong to someone else.")
        ).to_be_visible()
        assert "migration" not in (await intruder.content()).lower()
        await intruder.goto(f"/practice/{session_id}")
        await expect(intruder.get_by_role("heading", name="Session not found")).to_be_visible()
        # The only console lines: the browser reporting the refused API calls (404).
        assert not intruder_console.unexpected("status of 404"), intruder_console.errors
    finally:
        for user in created:
            await keycloak.delete_user(user["id"])


async def test_a_typed_answer_gets_feedback_and_every_page_works_at_phone_width(
    new_context: NewContext, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    user = await make_user()
    _, page, console = await new_context(phone=True)
    await sign_in(page, user)
    await accept_policy(page)
    await start_session(page)
    # On a phone the call stacks: the interviewer, your camera in its corner, then the question and the controls;
    # recording, the question and the stop button are still on screen.
    await page.get_by_role("button", name="Turn on camera and microphone").click()
    await page.get_by_role("button", name="Start recording").click()
    await expect(page.get_by_role("timer")).to_contain_text("Recording", timeout=6_000)
    for needed in (page.get_by_role("heading", level=1), page.get_by_role("button", name="Stop recording")):
        await expect(needed).to_be_in_viewport()
    await screenshot(page, "05-practice-recording-phone")
    await page.get_by_role("button", name="Stop recording").click()
    await page.get_by_role("button", name="Record again").click()
    await page.get_by_role("tab", name="Type my answer").click()
    await page.get_by_label("Your answer").fill(
        "When our team missed a deadline, I took ownership: I talked to the customer, split the work into small "
        "releases and we delivered the first part within a week. The result was a happier customer and a team "
        "that planned better, and I learned to raise risks early."
    )
    await page.get_by_role("button", name="Submit my answer").click()
    await expect(page.get_by_text(re.compile(r"Answered \(1 attempt\)"))).to_be_visible()
    await page.get_by_role("button", name="Finish and see results").click()
    transcript = page.get_by_label("Transcript")
    await expect(transcript).to_contain_text("took ownership", timeout=PIPELINE_MS)
    await expect(page.get_by_text("overall, out of 100")).to_be_visible()
    await screenshot(page, "07-results-typed-phone")

    # Answer the same question again, and see how the two attempts compare.
    await page.get_by_role("link", name="Answer again").click()
    await page.get_by_role("tab", name="Type my answer").click()
    await page.get_by_label("Your answer").fill(
        "Situation: our team missed a release deadline by two weeks. Task: I had to win back the customer. Action: "
        "I called them the same day, split the work into three small releases and reviewed risks with the team "
        "every Monday. Result: the first release shipped in five days, the customer renewed, and our estimates "
        "improved by 30 percent. I learned to raise risks early."
    )
    await page.get_by_role("button", name="Submit my answer").click()
    await expect(page.get_by_text(re.compile(r"Answered \(2 attempts\)"))).to_be_visible()
    await page.get_by_role("button", name="Finish and see results").click()
    await expect(page.get_by_label("Attempt").locator("option")).to_have_count(2)
    compare = page.get_by_role("heading", name="Attempt 2 compared with attempt 1")
    await expect(compare).to_be_visible(timeout=PIPELINE_MS)
    await expect(compare).to_be_in_viewport()  # near the top: what a second attempt is for
    await expect(page.get_by_text(re.compile(r"^Better: "))).to_be_visible()  # typed twice: no recording noise
    await page.get_by_text("Every score").click()
    await expect(page.get_by_role("row", name=re.compile("^STAR structure"))).to_be_visible()

    # No page is wider than the phone.
    for path, heading in (
        ("/progress", "Your progress"),
        ("/settings", "Settings"),
        ("/inbox", "Inbox"),
        ("/policy", None),
        ("/practice", "Start a practice interview"),
    ):
        await page.goto(path)
        if heading:
            await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    assert not console.unexpected(), console.errors


async def test_the_main_pages_with_data(
    new_context: NewContext, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    """Progress charts, inbox, settings and the policy, each with something in it (and screenshots)."""
    user = await make_user()
    _, page, console = await new_context()
    await sign_in(page, user, check=True)
    await accept_policy(page, then_continue=False)
    # Onboarding asks what the person prepares for: the practice setup starts there, home counts down to it.
    goal = page.get_by_role("form", name="What you are preparing for")
    await goal.get_by_label("Role").select_option("software-engineer")
    await goal.get_by_label("Level").select_option("hard")
    interview = datetime.now(UTC).date() + timedelta(days=10)
    await goal.get_by_label("Interview date").fill(interview.isoformat())
    await goal.get_by_role("button", name="Save").click()
    await expect(goal.get_by_text("Your Software engineer interview is in 10 days.")).to_be_visible()
    await accept_policy(page, accepted=True)
    await page.goto("/")
    await expect(page.get_by_text("Your Software engineer interview is in 10 days.")).to_be_visible()
    await page.goto("/practice")
    await expect(page.get_by_label("Role", exact=True)).to_have_value("software-engineer")
    await expect(page.get_by_label("Difficulty")).to_have_value("hard")
    for answer in (
        "I like working here.",
        "In my last job I led a small team. We planned the release, I split the work, and we shipped on time "
        "with fewer bugs, because I reviewed every risk with the team each week.",
    ):
        await start_session(page)
        await page.get_by_role("tab", name="Type my answer").click()
        await page.get_by_label("Your answer").fill(answer)
        await page.get_by_role("button", name="Submit my answer").click()
        await page.get_by_role("button", name="Finish and see results").click()
        await expect(page.get_by_text("overall, out of 100")).to_be_visible(timeout=PIPELINE_MS)

    mark = page.locator("header .brand img")  # the sign-in pages' mark (test_brand.py: one file), loaded
    await expect(mark).to_have_attribute("src", "/favicon.svg")
    assert await mark.evaluate("img => img.complete && img.naturalWidth > 0")

    await page.goto("/progress")
    overall = page.locator("figure", has=page.get_by_role("heading", name="Overall score", exact=True))
    await expect(overall.locator(".recharts-line-curve")).to_be_attached()  # a line through the two answers
    await expect(overall.locator(".recharts-line-dot")).to_have_count(2)
    # Two answers on one day: the line is drawn, and the page says what a trend still needs (not "no trend yet").
    await expect(overall.get_by_text("A trend needs three answers on at least two days: 2 so far.")).to_be_visible()
    skills = page.locator(".small-multiples figure")
    assert await skills.count() >= 3  # one small chart per skill, each on the same 0-100 scale
    await overall.get_by_text("Show the numbers").click()
    await expect(overall.get_by_role("row")).to_have_count(2)  # the header and today
    await expect(page.locator(".figures").get_by_text("Answers")).to_be_visible()
    await screenshot(page, "08-progress")
    problems = await accessibility_problems(page)

    await page.goto("/inbox")
    await expect(page.get_by_role("heading", name=re.compile("feedback", re.I)).first).to_be_visible(timeout=60_000)
    await screenshot(page, "09-inbox")
    problems += await accessibility_problems(page)
    await page.get_by_role("button", name="Mark all as read").click()
    await expect(page.get_by_role("button", name="Mark all as read")).to_be_disabled()

    await page.goto("/settings")
    await expect(page.get_by_label("First name")).to_have_value("Test")
    await page.get_by_label("First name").fill("Alexis")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    await page.get_by_label("Keep device information with my sessions").check()
    await expect(page.get_by_text("Keep device information with my sessions: on. Saved.")).to_be_visible()
    await expect(page.get_by_label("Keep my recordings")).to_be_checked()  # kept unless withdrawn
    await page.get_by_label("Keep my recordings").uncheck()
    await page.get_by_label("Delete my recordings after").select_option("90")
    await expect(page.get_by_text("Keep my recordings: off. Saved.")).to_be_visible()
    await page.get_by_role("button", name="Export my data").click()
    await expect(page.get_by_role("button", name=re.compile(r"Download \("))).to_be_visible(timeout=120_000)
    await screenshot(page, "10-settings")
    problems += await accessibility_problems(page)
    await _every_notice_link_opens_its_page(page)

    manifest = await page.request.get("/manifest.webmanifest")  # installable: a manifest and a service worker
    assert manifest.ok and (await manifest.json())["short_name"] == "Intervu"
    assert (await page.request.get("/sw.js")).ok

    await page.goto("/policy")
    await expect(page.get_by_text(re.compile(r"Version \d+ · published"))).to_be_visible()
    await screenshot(page, "11-policy")
    problems += await accessibility_problems(page)
    for path in ("/practice", "/"):
        await page.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        problems += await accessibility_problems(page)
    assert not problems, "\n".join(problems)

    assert (await api_get(page, "/api/accounts/me"))["first_name"] == "Alexis"
    consents = await api_get(page, "/api/accounts/consents")
    chosen = {c["purpose"]: (c["granted"], c["retention_days"]) for c in consents}
    assert chosen["keep_recordings"] == (False, 90) and chosen["device_info"] == (True, None)
    assert not console.unexpected(f"/api/interviews/sessions/answers/{GONE}"), console.errors


GONE = uuid.UUID(int=0x60E)  # an answer that does not exist (its lookup's 404 is expected in the console)


async def _every_notice_link_opens_its_page(page: Page) -> None:
    """The inbox's "Open" on each notice (e-mails and pushes carry the same link), the addresses older notices
    carry, and a link to an answer that is gone."""
    notices = page.locator("ul.inbox > li")
    await page.goto("/inbox")
    export = notices.filter(has_text="Your data export is ready")
    await expect(export).to_be_visible(timeout=60_000)
    await export.get_by_role("link", name="Open").click()
    await expect(page).to_have_url(re.compile(r"/settings\?export=[0-9a-f-]+$"))
    await expect(page.locator("li.export[aria-current=true]")).to_contain_text("Download")
    await expect(page.get_by_role("heading", name="Export your data")).to_be_in_viewport()

    heard = set()
    for n in range(2):
        await page.goto("/inbox")
        feedback = notices.filter(has_text="Your feedback is ready")
        await expect(feedback).to_have_count(2)
        await feedback.nth(n).get_by_role("link", name="Open").click()
        await expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]+\?question=[0-9a-f-]+&answer=[0-9a-f-]+$"))
        await expect(page.get_by_text("overall, out of 100")).to_be_visible()
        heard.add((await page.get_by_label("Transcript").inner_text())[:20])
    assert heard == {"I like working here.", "In my last job I led"}

    items = (await api_get(page, "/api/notifications/inbox"))["items"]
    answer_id = next(i["link"] for i in items if i["kind"] == "feedback_ready").rsplit("/", 1)[-1]
    export_id = next(i["link"] for i in items if i["kind"] == "export_ready").rsplit("=", 1)[-1]
    await page.goto(f"/results/{answer_id}")  # how older notices pointed at an answer
    await expect(page).to_have_url(re.compile(rf"/sessions/.+&answer={answer_id}$"))
    await expect(page.get_by_text("overall, out of 100")).to_be_visible()
    await page.goto(f"/settings/privacy/exports/{export_id}")
    await expect(page).to_have_url(re.compile(rf"/settings\?export={export_id}$"))
    await expect(page.locator("li.export[aria-current=true]")).to_be_visible()
    await page.goto("/privacy")
    await expect(page).to_have_url(re.compile(r"/policy$"))
    await expect(page.get_by_text(re.compile(r"Version \d+ · published"))).to_be_visible()
    await page.goto(f"/answers/{GONE}")
    await expect(page.get_by_role("heading", name="This answer is gone")).to_be_visible()


async def test_an_upload_resumes_after_the_connection_drops(
    new_context: NewContext, fake_media: FakeMedia, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    user = await make_user()
    context, page, console = await new_context()
    await sign_in(page, user)
    await accept_policy(page)
    session_id = await start_session(page)
    await record(page, fake_media)

    seen: list[str] = []
    dropped = False

    async def cut_the_second_chunk(route: Route, request: Request) -> None:
        nonlocal dropped
        seen.append(request.method)
        if request.method == "PATCH" and seen.count("PATCH") == 2 and not dropped:
            dropped = True
            await context.set_offline(True)  # the connection goes away mid-request, and stays away a while
            await route.abort("internetdisconnected")
            return
        await route.continue_()

    await page.route("**/api/media/uploads/**", cut_the_second_chunk)
    await page.get_by_role("button", name="Use this answer").click()
    await expect(page.get_by_text(re.compile("Connection lost: reconnecting"))).to_be_visible(timeout=30_000)
    await screenshot(page, "12-upload-reconnecting")
    await page.wait_for_timeout(3000)
    await context.set_offline(False)
    await expect(page.get_by_text("Uploaded. Your transcript and feedback are being prepared.")).to_be_visible(
        timeout=60_000
    )
    assert dropped
    # After the drop the client asked the server how far it got (HEAD) and sent only the rest.
    after = seen[seen.index("PATCH") + 2 :]
    assert "HEAD" in after, seen

    session = await api_get(page, f"/api/interviews/sessions/{session_id}")
    answer_id = session["questions"][0]["answers"][0]["id"]
    recordings = await api_get(page, "/api/media/recordings", answer_id=answer_id)
    assert len(recordings) == 1
    recording = recordings[0]
    assert recording["upload_offset"] == recording["upload_length"] > 512 * 1024 * 2, recording
    assert not console.unexpected("ERR_INTERNET_DISCONNECTED", "Failed to load resource"), console.errors


async def test_deleting_the_account_asks_for_the_password_again_and_can_be_cancelled(
    new_context: NewContext, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    user = await make_user()
    context, page, console = await new_context()
    await sign_in(page, user)
    await accept_policy(page)
    # Another tab (tokens are per tab): signed in silently through Keycloak's session, no click, no password.
    tab = await context.new_page()
    await tab.goto("/inbox")
    await expect(tab.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    await tab.close()
    await page.goto("/settings")
    await page.get_by_role("button", name="Delete my account…").click()
    await page.get_by_role("button", name="Yes, delete everything").click()
    # The API wants a password typed in the last minutes: Keycloak asks for it again, whatever the session.
    await expect(page.locator("#kc-login")).to_be_visible()
    if await page.locator("#username").count():  # Keycloak may show the name without a field
        await page.fill("#username", user.username)
    await page.fill("#password", user.password)
    await page.locator("#kc-login").click()
    scheduled = page.get_by_text(re.compile("Your account will be deleted on"))
    await expect(scheduled).to_be_visible()
    await expect(scheduled).to_be_in_viewport()  # the page opens on the outcome, not at its top
    assert (await api_get(page, "/api/accounts/deletion"))["status"] == "scheduled"
    await screenshot(page, "13-deletion-scheduled")
    await page.get_by_role("button", name="Cancel the deletion").click()
    await expect(page.get_by_role("button", name="Delete my account…")).to_be_visible()
    assert (await api_get(page, "/api/accounts/deletion"))["status"] == "cancelled"
    assert not console.unexpected(), console.errors


async def test_a_blocked_camera_gets_guidance_and_the_typed_answer_still_works(
    playwright: Playwright, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    """A browser that refuses the camera and microphone (headless Chromium without the fake consent prompt says
    no): the page says what to do, and typing works. Everything here by keyboard alone."""
    chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
    try:
        context = await chromium.new_context(**CONTEXT, viewport=DESKTOP)
        page = await context.new_page()
        console = Console()
        console.watch(page)
        user = await make_user()
        await sign_in(page, user)
        await accept_policy(page)
        await start_session(page)
        await page.get_by_role("button", name="Turn on camera and microphone").focus()
        await page.keyboard.press("Enter")
        guidance = page.get_by_role("alert").filter(has_text="Camera or microphone needed")
        await expect(guidance).to_be_visible()
        await expect(guidance).to_contain_text(re.compile("not allowed to use your camera|No camera or microphone"))
        await screenshot(page, "14-camera-blocked")
        await page.get_by_role("button", name="Type my answer instead").focus()
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("tab", name="Type my answer")).to_have_attribute("aria-selected", "true")
        # The tabs follow the arrow keys.
        await page.get_by_role("tab", name="Type my answer").focus()
        await page.keyboard.press("ArrowLeft")
        await expect(page.get_by_role("tab", name="Record on camera")).to_be_focused()
        await page.keyboard.press("ArrowRight")
        await page.keyboard.press("Tab")
        await expect(page.get_by_label("Your answer")).to_be_focused()
        await page.keyboard.type("I would listen first, then agree on one small next step with the customer.")
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("button", name="Submit my answer")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.get_by_text("Sent. Your feedback is being prepared.")).to_be_visible()
        assert not console.unexpected(), console.errors
    finally:
        await chromium.close()


async def test_a_pasted_posting_says_what_it_was_read_as_and_the_role_can_be_chosen(
    new_context: NewContext, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    from intervu_interviews import labelled

    posting = next(p for p in labelled.postings() if p["id"] == "jd-001")  # a data-analyst posting (tune half)
    user = await make_user()
    for phone in (False, True):
        _, page, console = await new_context(phone=phone)
        await sign_in(page, user)
        if not phone:
            await accept_policy(page)
        await page.goto("/practice")
        await page.get_by_role("tab", name="From a job description").click()
        await page.get_by_label("Job description").fill(posting["text"])
        await page.get_by_label("Questions", exact=True).select_option("5")
        await page.get_by_role("button", name="Start the interview").click()
        await expect(page).to_have_url(re.compile(r"/practice/[0-9a-f-]{36}"))
        banner = page.get_by_role("status").filter(has_text="We read this posting as")
        await expect(banner).to_contain_text("Data analyst")
        await expect(banner).to_contain_text("SQL")
        await expect(page.locator("#question-heading")).to_have_text("Tell me about yourself.")
        await screenshot(page, f"15-practice-read-as{'-phone' if phone else ''}")
        if phone:
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            continue
        assert not (problems := await accessibility_problems(page)), "\n".join(problems)
        first = page.url
        # Not right: choose the role instead; the questions come from it and the first session is set aside.
        await page.get_by_label("Choose the role").select_option("business-analyst")
        await page.get_by_role("button", name="Use this role").click()
        await expect(page).not_to_have_url(first)
        await expect(page.locator("#question-heading")).to_be_visible()
        await expect(banner).to_have_count(0)
        session = await api_get(page, f"/api/interviews/sessions/{page.url.rsplit('/', 1)[-1].split('?')[0]}")
        assert session["role"] == "business-analyst" and session["inferred"] is None
        assert {q["question"]["role"] for q in session["questions"]} <= {"business-analyst", "general"}
        old = await api_get(page, f"/api/interviews/sessions/{first.rsplit('/', 1)[-1].split('?')[0]}")
        assert old["status"] == "abandoned"
        assert not console.unexpected(), console.errors


async def test_the_interviewer_asks_for_the_missing_result_and_the_results_show_the_thread(
    new_context: NewContext, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    """Issue 16 in the browser: a typed story with no result gets the follow-up "what happened in the end?", which
    is answered like any question; the results page shows it under its question, why it was asked, and the whole
    interview's summary."""
    user = await make_user()
    _, page, console = await new_context()
    await sign_in(page, user)
    await accept_policy(page)
    await start_session(page)
    main_question = await page.locator("#question-heading").inner_text()
    await page.get_by_role("tab", name="Type my answer").click()
    await page.get_by_label("Your answer").fill(
        "Last year our support queue grew to three hundred tickets after a billing bug. I was asked to bring "
        "response times back under a day. I sorted the tickets by severity, wrote macros for the common questions "
        "and asked the team lead for two more colleagues for a week."
    )
    await page.get_by_role("button", name="Submit my answer").click()
    # The interviewer listens, then asks; the follow-up becomes the current question.
    heading = page.locator("#question-heading")
    await expect(heading).to_contain_text("What happened in the end", timeout=PIPELINE_MS)
    await expect(page.get_by_text(re.compile(r"^Follow-up to question 1 of 1"))).to_be_visible()
    await expect(page.get_by_role("button", name="Question 1, follow-up 1")).to_be_visible()
    await screenshot(page, "16-follow-up-asked")
    await page.get_by_role("tab", name="Type my answer").click()
    await page.get_by_label("Your answer").fill(
        "In the end the backlog was cleared in five days and our first response time fell from 40 hours to 6."
    )
    await page.get_by_role("button", name="Submit my answer").click()
    await expect(page.get_by_text(re.compile(r"Answered \(1 attempt\)"))).to_be_visible()
    await page.get_by_role("button", name="Finish and see results").click()
    await expect(page.get_by_role("heading", name=main_question)).to_be_visible()
    thread = page.get_by_role("region", name="Follow-up questions")
    await expect(thread.get_by_role("heading", name=re.compile("^Follow-up: What happened in the end"))).to_be_visible()
    await expect(thread.get_by_text(re.compile("Why the interviewer asked: The story has no result"))).to_be_visible()
    await expect(thread.get_by_label("Transcript")).to_contain_text("backlog was cleared", timeout=PIPELINE_MS)
    summary = page.get_by_role("region", name="The whole interview")
    await expect(summary).to_contain_text("1 of them to follow-up questions", timeout=PIPELINE_MS)
    await expect(summary.get_by_role("heading", name="Work on these first")).to_be_visible()
    await screenshot(page, "17-results-thread-and-summary")
    assert not (problems := await accessibility_problems(page)), "\n".join(problems)
    assert not console.unexpected(), console.errors


async def test_while_the_interviewer_clip_is_not_ready_the_question_is_on_the_stage(
    new_context: NewContext, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> None:
    """A first session waits ~16 s for its clips: the stage shows the persona's picture with the question as a
    caption and offers the browser's voice, never an empty box (the clips are held back here to see it)."""
    user = await make_user()
    _, page, console = await new_context()

    async def not_yet(route: Route, request: Request) -> None:
        response = await route.fetch()
        body = await response.json()
        for clip in body["clips"]:
            clip.update(status="rendering", webm_url=None, mp4_url=None, audio_webm_url=None, audio_m4a_url=None,
                        captions_url=None)  # fmt: skip
        body["ready"] = 0
        body["total"] = max(body["total"], 1)
        await route.fulfill(response=response, json=body)

    await page.route(re.compile(r"/api/avatar/sessions/[^/]+/videos"), not_yet)
    await sign_in(page, user)
    await accept_policy(page)
    # The persona's picture is a frame of its greeting clip, rendered when the avatar worker starts.
    for _ in range(120):
        personas = await api_get(page, "/api/avatar/personas")
        if all((p["preview"] or {}).get("status") == "ready" for p in personas):
            break
        await page.wait_for_timeout(1000)
    await start_session(page)
    question = (await page.locator("#question-heading").inner_text()).strip()
    stage = page.locator(".stage")
    await expect(stage.locator(".caption")).to_have_text(question)
    await expect(stage.get_by_role("button", name="Read the question aloud")).to_be_visible()
    await expect(stage.get_by_role("progressbar", name="Preparing your interviewer")).to_be_attached()
    await expect(stage.locator("video.still")).to_have_attribute("src", re.compile(r"/api/avatar/files/.+#t=1$"))
    await expect(stage.get_by_label("The interviewer asks the question")).to_have_count(0)
    await screenshot(page, "18-practice-interviewer-not-ready")
    assert not console.unexpected(), console.errors


async def _practised(infra: DevSettings, user_id: str, overalls: list[float]) -> None:
    """Answers as analytics keeps them (one a day, the last today), written straight into its development database
    as the PostgreSQL superuser: weeks of practice cannot be spoken in a test."""
    conn = await asyncpg.connect(
        host="127.0.0.1", port=infra.pg_port, user="postgres", database="intervu_analytics",
        password=infra.pg_superuser_password.get_secret_value(), timeout=5,
    )  # fmt: skip
    now = datetime.now(UTC)
    try:
        for i, overall in enumerate(overalls):
            scores = {"relevance": round(overall), "structure": round(overall) - 5, "length": 80, "coverage": 50}
            await conn.execute(
                "INSERT INTO answer_results (answer_id, user_id, feedback_id, session_id, source, overall, scores,"
                " completed_at) VALUES ($1, $2, $3, $4, 'text', $5, $6::jsonb, $7)",
                uuid.uuid4(), user_id, uuid.uuid4(), uuid.uuid4(), overall, json.dumps(scores),
                now - timedelta(days=len(overalls) - 1 - i),
            )  # fmt: skip
    finally:
        await conn.close()


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
async def test_progress_says_what_one_answer_and_ten_answers_show(
    new_context: NewContext, make_user: Callable[..., Awaitable[KeycloakUser]], infra: DevSettings, phone: bool
) -> None:
    _, page, console = await new_context(phone=phone)
    one, ten = await make_user(), await make_user()
    await _practised(infra, one.id, [55])
    await _practised(infra, ten.id, [40 + 3 * i for i in range(10)])  # a steady climb over ten days

    await sign_in(page, one)
    await accept_policy(page)
    await page.goto("/progress")
    overall = page.locator("figure", has=page.get_by_role("heading", name="Overall score", exact=True))
    await expect(overall.get_by_text("A trend needs three answers on at least two days: 1 so far.")).to_be_visible()
    await expect(overall.locator(".recharts-line-dot")).to_have_count(1)
    assert not console.unexpected(), console.errors

    _, page, console = await new_context(phone=phone)  # the other person, in a browser of their own
    overall = page.locator("figure", has=page.get_by_role("heading", name="Overall score", exact=True))
    await sign_in(page, ten)
    await accept_policy(page)
    await page.goto("/progress")
    await expect(overall.get_by_text(re.compile(r"^\+21\.0 points a week \(improving\)\.$"))).to_be_visible()
    await expect(overall.locator(".recharts-line-dot")).to_have_count(10)
    skills = page.locator(".small-multiples figure")
    await expect(skills).to_have_count(4)
    for n in range(4):  # each skill: its own small chart, its usual range shaded, its own trend
        await expect(skills.nth(n).locator(".recharts-reference-area")).to_have_count(1)
    await expect(skills.filter(has_text="Relevance")).to_contain_text("points a week (improving)")
    await expect(skills.filter(has_text="Length")).to_contain_text("Steady.")
    await screenshot(page, "19-progress-ten-answers" + ("-phone" if phone else ""))
    if phone:
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not (problems := await accessibility_problems(page)), "\n".join(problems)
    assert not console.unexpected(), console.errors
