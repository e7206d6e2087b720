"""Concurrency benchmark: an LEA view and four partners uploading at once, against each alone."""

from __future__ import annotations

import asyncio
import math
import re
import secrets
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import browser  # noqa: E402  (tests/browser.py: Debian's Chromium, its flags, when a rerun is drawn)

SETTLED = browser.SETTLED
PARTNERS = 4
GEMEENTE = "GM9999"
# Enough steps for a 95th percentile that is not simply the slowest one (of five, as before):
# alone 20 slide steps and 10 uploads; together each partner uploads 8 files (32 uploads) and the
# room steps as long as any partner is busy (some 20-30 steps).
ROOM_STEPS = 20
UPLOADS_TOGETHER = 8
UPLOADS_ALONE = 10


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# Resolves once `holds()` is true, tested now and on every DOM change, in the next animation frame.
_WAIT_IN_PAGE = """([timeoutMs, what]) => new Promise((resolve, reject) => {
    const holds = () => (%s);
    const done = () => {
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve());
    };
    const observer = new MutationObserver(() => { if (holds()) done(); });
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error('timeout: ' + what)); }, timeoutMs);
    observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
    if (holds()) done();
})"""


async def _until(page, condition: str, timeout_ms: int = 120_000) -> None:
    """Wait in the page until the JavaScript expression `condition` holds, tested on every DOM
    change, and return in the next animation frame (when it is drawn). Playwright's own waits
    test at 0, 20, 70, 170 and 270 ms and then every 500 ms: a step that took 300 ms would count
    as 770 ms. Its 'raf' polling has no such steps but costs each waiting page a tenth of a core,
    which the five sessions on two cores then take from one another."""
    await page.evaluate(_WAIT_IN_PAGE % condition, [timeout_ms, condition[:80]])


async def _settled(page) -> None:
    await _until(page, SETTLED)


class Wire:
    """The websocket frames of one page with the browser's own timestamps (CDP, taken in the
    network layer): how long the server took to answer, without the browser's drawing. On this
    machine the five browsers take more processor time than the server, so the time on the wire
    shows how much of a slow step is the server's."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, dict]] = []
        self.received: list[tuple[float, dict]] = []

    @classmethod
    async def attach(cls, page) -> Wire:
        wire = cls()
        cdp = await page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameSent", lambda e: wire.sent.append((e["timestamp"], e["response"])))
        cdp.on("Network.webSocketFrameReceived",
               lambda e: wire.received.append((e["timestamp"], e["response"])))
        await cdp.send("Network.enable")
        return wire

    def mark(self) -> tuple[int, int]:
        return len(self.sent), len(self.received)

    async def answer(self, mark: tuple[int, int], done) -> float:
        """Seconds from the first rerun request sent after `mark` to the first frame received
        after it for which `done(payload, forward_msg, state)` holds (the browser may pass the
        frame on a moment after the page has drawn it: asked again for up to 10 s)."""
        for _ in range(200):
            found = self._answer(mark, done)
            if found is not None:
                return found
            await asyncio.sleep(0.05)
        raise RuntimeError("geen antwoord van de server op de websocket gezien")

    def _answer(self, mark: tuple[int, int], done) -> float | None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        start = next((stamp for stamp, frame in self.sent[mark[0]:]
                      if BackMsg.FromString(_payload(frame)).WhichOneof("type") == "rerun_script"), None)
        if start is None:
            return None
        state: dict = {}
        for stamp, frame in self.received[mark[1]:]:
            payload = _payload(frame)
            if stamp >= start and done(payload, ForwardMsg.FromString(payload), state):
                return stamp - start
        return None


def _payload(frame: dict) -> bytes:
    """A websocket frame's bytes (CDP gives binary frames, opcode 2, in base64)."""
    import base64

    data = frame["payloadData"]
    return base64.b64decode(data) if frame.get("opcode") == 2 else data.encode()


def _saved(payload: bytes, message, state: dict) -> bool:
    return b"Opgeslagen als upload" in payload


def _slide_drawn(counter: bytes):
    """Done when the run that draws the slide with this counter ('Dia 3 van') has finished."""
    def done(payload: bytes, message, state: dict) -> bool:
        state["seen"] = state.get("seen") or counter in payload
        return bool(state["seen"]) and message.WhichOneof("type") == "script_finished"
    return done


async def _sign_in(page, url: str, login: str, password: str, landed: str) -> None:
    await page.goto(url, wait_until="domcontentloaded")
    await page.get_by_label("Login").fill(login)
    await page.get_by_label("Wachtwoord").fill(password)
    await page.get_by_role("button", name="Inloggen").click()
    await page.get_by_text(landed).first.wait_for(timeout=120_000)
    await _settled(page)


async def _partner(page, url: str, login: str, password: str, files: list[Path],
                   started: asyncio.Event) -> tuple[list[float], list[float]]:
    """Seconds from 'Bevestigen en opslaan' to the answer, for each file in turn (after
    `started`: the room's first timed step), in the page and on the wire."""
    await _sign_in(page, url, login, password, "Gegevens aanleveren")
    await page.get_by_label("Soort registratie").click()
    await page.get_by_role("option").filter(has_text="(vve-indicaties)").click()
    await page.get_by_text("Levert meestal: JGZ").first.wait_for(timeout=120_000)
    await _settled(page)
    await started.wait()
    wire = await Wire.attach(page)
    times, on_wire = [], []
    for file in files:
        await page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(file)
        # this file's check, not an earlier page's button
        await page.get_by_text(f"{file.name} is in orde").first.wait_for(timeout=120_000)
        confirm = page.get_by_role("button", name="Bevestigen en opslaan")
        await confirm.wait_for(timeout=120_000)
        await _settled(page)
        start, mark = time.perf_counter(), wire.mark()
        await confirm.click()
        # the success line, or an error ("Probeer het opnieuw" when a simultaneous upload won)
        await _until(page, "[...document.querySelectorAll('[data-testid=\"stAlertContentSuccess\"]')]"
                           ".some(e => e.textContent.includes('Opgeslagen als upload'))"
                           " || !!document.querySelector('[data-testid=\"stAlertContentError\"]')")
        times.append(time.perf_counter() - start)
        on_wire.append(await wire.answer(mark, _saved))
        await _settled(page)  # the page with an empty uploader, before the next file goes in
        # read every error at once: a rerun may remove one between counting and reading it
        refused = [text for text in
                   await page.locator("[data-testid='stAlertContentError']").all_inner_texts()
                   if "Probeer het opnieuw" not in text]
        if refused:
            raise RuntimeError(f"upload van {login} geweigerd: {refused[0]}")
        if await page.locator("[data-testid='stException']").count():
            raise RuntimeError(f"uitzondering bij {login}")
    return times, on_wire


async def _room(page, url: str, login: str, password: str, started: asyncio.Event,
                uploading: asyncio.Event | None) -> tuple[list[float], list[float]]:
    """Seconds from 'Volgende' to the next slide drawn (in the page and on the wire), after one
    untimed round through the slides (the browser fetches each chart library once, on its first
    slide: a cost of the first view, not of a step; measured in 'Eerste weergave'). Alone
    ROOM_STEPS steps; with partners (`uploading` set while any of them is still busy) every step
    that starts while they upload."""
    await _sign_in(page, url, login, password, "Dia 1 van")
    total = int(re.search(r"van (\d+)", await page.locator(".kk-counter").first.inner_text()).group(1))
    for _ in range(total):
        await _next_slide(page)
    started.set()
    wire = await Wire.attach(page)
    times, on_wire = [], []
    while (len(times) < ROOM_STEPS) if uploading is None else uploading.is_set():
        mark = wire.mark()
        times.append(await _next_slide(page))
        counter = re.search(r"Dia \d+ van", await page.locator(".kk-counter").first.inner_text())
        on_wire.append(await wire.answer(mark, _slide_drawn(counter.group(0).encode())))
    return times, on_wire


async def _next_slide(page) -> float:
    """Click 'Volgende' and wait until the next slide is drawn; the seconds it took."""
    counter = await page.locator(".kk-counter").first.inner_text()
    number, total = map(int, re.search(r"Dia (\d+) van (\d+)", counter).groups())
    wanted = number % total + 1
    button = page.get_by_role("button", name="Volgende").first
    await button.wait_for()
    start = time.perf_counter()
    await button.click()
    counter_shows = f"(document.querySelector('.kk-counter')?.textContent ?? '').includes('Dia {wanted} van {total} ')"
    await _until(page, f"{counter_shows} && {SETTLED}")
    return time.perf_counter() - start


async def _sessions(browser_module, url: str, accounts: dict, files: dict,
                    who: list[str]) -> dict[str, tuple[list[float], list[float]]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=browser_module.CHROMIUM,
                                                   args=browser_module.CHROMIUM_ARGS, headless=True)
        try:
            roles = {login: accounts[login][0] for login in who}
            has_room = "lea" in roles.values()
            started = asyncio.Event()  # the room's first timed step (at once without a room)
            if not has_room:
                started.set()
            uploading = asyncio.Event() if any(r != "lea" for r in roles.values()) and has_room else None
            if uploading is not None:
                uploading.set()
            partners_left = sum(1 for r in roles.values() if r != "lea")

            async def partner(coroutine):
                nonlocal partners_left
                try:
                    return await coroutine
                finally:
                    partners_left -= 1
                    if partners_left == 0 and uploading is not None:
                        uploading.clear()

            jobs = {}
            for login in who:
                page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
                page.set_default_timeout(120_000)  # five sessions starting at once on two cores
                password = accounts[login][1]
                jobs[login] = (_room(page, url, login, password, started, uploading)
                               if roles[login] == "lea" else
                               partner(_partner(page, url, login, password, files[login], started)))
            results = await asyncio.gather(*jobs.values())
            return dict(zip(jobs, results, strict=True))
        finally:
            await browser.close()


def measure(ctx, row_class) -> list:
    """p95 of an LEA slide step and of a partner's confirmed upload with five sessions at once,
    against the same with one session alone."""
    from benchmarks.upload import workbook
    from data_sources import accounts as account_store
    from data_sources import store

    db = ctx.work_dir / "concurrency.duckdb"
    shutil.copy(ctx.db_path, db)
    accounts = {"zaal": ("lea", secrets.token_urlsafe(16))}
    accounts.update({f"partner{n}": ("partner", secrets.token_urlsafe(16)) for n in range(1, PARTNERS + 1)})
    files: dict[str, list[Path]] = {}
    con = store.connect(db)
    try:
        for login, (role, password) in accounts.items():
            organisation = f"Partner {login[-1]}" if role == "partner" else None
            account_store.add_account(con, login, role, password, organisation, [GEMEENTE])
            if role == "partner":
                files[login] = []
                for n in range(UPLOADS_ALONE + UPLOADS_TOGETHER):  # a new file for every upload
                    path = ctx.work_dir / f"{login}-{n}.xlsx"
                    path.write_bytes(workbook(con, "vve-indicaties", GEMEENTE, 40 + n, organisation))
                    files[login].append(path)
    finally:
        con.close()
    partners = [login for login, (role, _) in accounts.items() if role == "partner"]
    with browser.streamlit_server(db, timeout=120) as url:
        alone_room = asyncio.run(_sessions(browser, url, accounts, files, ["zaal"]))["zaal"]
        first = {partners[0]: files[partners[0]][:UPLOADS_ALONE]}
        alone_upload = asyncio.run(_sessions(browser, url, accounts, first,
                                             [partners[0]]))[partners[0]]
        later = {login: files[login][UPLOADS_ALONE:] for login in partners}
        together = asyncio.run(_sessions(browser, url, accounts, later, ["zaal", *partners]))
    (room, room_wire), (alone_room, alone_room_wire) = together["zaal"], alone_room
    uploads = [t for login in partners for t in together[login][0]]
    uploads_wire = [t for login in partners for t in together[login][1]]
    alone_upload, alone_upload_wire = alone_upload
    # Readers never wait long: the room's step at most twice as slow while partners upload.
    # Writers take turns (one write transaction at a time): four uploads at once may each wait
    # for the other three, never longer than that.
    return [
        row_class("Gelijktijdig", "LEA-weergave: volgende dia, met vier partners die uploaden (p95)",
                  p95(room), "s", p95(alone_room), "dezelfde stap alleen (p95)", "≤ 2 × alleen",
                  p95(room) <= 2 * p95(alone_room),
                  note=f"{len(room)} stappen tijdens de uploads, {len(alone_room)} alleen"),
        row_class("Gelijktijdig", "partner: upload bevestigen, vijf sessies tegelijk (p95)",
                  p95(uploads), "s", p95(alone_upload), "dezelfde upload alleen (p95)",
                  f"≤ {PARTNERS} × alleen", p95(uploads) <= PARTNERS * p95(alone_upload),
                  note=f"{len(uploads)} uploads samen, {len(alone_upload)} alleen, van "
                       f"40-{39 + UPLOADS_ALONE + UPLOADS_TOGETHER} rijen"),
        # The same steps as the server answered them (no target: the browsers' share of the
        # machine is the difference with the rows above).
        row_class("Gelijktijdig", "LEA-weergave: antwoord van de server op de websocket (p95)",
                  p95(room_wire), "s", p95(alone_room_wire), "hetzelfde alleen (p95)",
                  note="van het verzoek tot het einde van de rerun, zonder het tekenen in de browser"),
        row_class("Gelijktijdig", "partner: antwoord van de server op bevestigen, op de websocket (p95)",
                  p95(uploads_wire), "s", p95(alone_upload_wire), "hetzelfde alleen (p95)",
                  note="tot het bericht 'Opgeslagen als upload'"),
    ]
