"""Write the standard reflection in a real browser on a phone, and count what it costs the worker.

    .venv/bin/python bench/reflection_benchmark.py                 # both paths, touch and keyboard
    .venv/bin/python bench/reflection_benchmark.py --path full --input touch

The standard reflection: the session date today, two sentences of what happened, two context
ratings (Accepting strongly present, Empowering present), one chain (Accepting, then the first
shift and the first outcome the evidence links to it), one line of learning. It is written
from the worker's dashboard to the submitted reflection's page, through the full steps and
through the quick path (when the dashboard offers one), by touch and by keyboard, in Debian's
Chromium at 360x740 against gunicorn serving a throwaway SQLite database.

For each run it prints:

- pages: page views from the dashboard (counted) to the submitted reflection (counted),
  whether loaded in full or swapped in by htmx with a new address;
- taps (touch) or keypresses other than typed text (keyboard: Tab, arrows, Space, Enter);
- screens scrolled: vertical distance scrolled to reach each control, in 740 px screens (the
  jump to the top when a new page appears is not counted);
- words of interface text: the words visible in the main region (not the site navigation or
  footer) of each page view when it appears, summed;
- server seconds: the time from request sent to first byte, for every request to the site
  except static files (autosaves included), summed.

Nothing is timed on purpose to be fast: a tired worker's taps are what is measured, so the
figures are counts and are the same on a quiet or a busy machine, apart from server seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, Page, Request, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 360, "height": 740}
SCREEN = PHONE["height"]
PASSWORD = "benchmark-password-for-a-throwaway-site"  # noqa: S105 (a throwaway site)
WHAT_HAPPENED = (
    "We met at the cafe and talked about the week, which had been hard. "
    "I listened and said it made sense to feel that way."
)
LEARNING = "Slowing down and listening first helped more than advice."
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

SETUP = """
import django
django.setup()
from django.core.management import call_command
from accounts.models import Membership, Organisation, SupervisionLink, User
call_command("migrate", interactive=False, verbosity=0)
call_command("load_framework", verbosity=0)
organisation = Organisation.objects.create(name="Riverside Peer Support", slug="riverside")
worker = User.objects.create_user(username="bench-worker", password=PASSWORD, display_name="Pat")
supervisor = User.objects.create_user(username="bench-supervisor", password=PASSWORD, display_name="Sam")
Membership.objects.create(user=worker, organisation=organisation, is_peer_worker=True)
Membership.objects.create(user=supervisor, organisation=organisation, is_supervisor=True)
SupervisionLink.objects.create(organisation=organisation, supervisor=supervisor, worker=worker)
"""


def environment(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "appear_site.settings",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-any-deployment",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{database}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_MANIFEST": "false",
        "WHITENOISE_USE_FINDERS": "true",
        "FAST_PASSWORD_HASHING": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "appear_site.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


@dataclass
class Tally:
    name: str
    pages: int = 0
    actions: int = 0
    scrolled_px: float = 0.0
    words: int = 0
    server_ms: float = 0.0
    urls: list[str] = field(default_factory=list)

    def row(self, action_word: str) -> str:
        return (
            f"{self.name:<22} pages {self.pages:>3}  {action_word} {self.actions:>4}  "
            f"screens scrolled {self.scrolled_px / SCREEN:>5.1f}  words {self.words:>5}  "
            f"server s {self.server_ms / 1000:>5.2f}"
        )


class Worker:
    """One run: the browser page, how it is driven (touch or keyboard), and the tally."""

    def __init__(self, page: Page, tally: Tally, *, touch: bool) -> None:
        self.page = page
        self.tally = tally
        self.touch = touch
        self.url = ""
        self.flow_marker = 0
        page.on("requestfinished", self._timed)

    def _timed(self, request: Request) -> None:
        if "/static/" in request.url:
            return
        timing = request.timing
        if timing["responseStart"] > 0 and timing["requestStart"] >= 0:
            self.tally.server_ms += timing["responseStart"] - timing["requestStart"]

    # What the worker sees --------------------------------------------------------------------

    def _scroll_y(self) -> float:
        return float(self.page.evaluate("window.scrollY"))

    def arrived(self) -> None:
        """Count a page view if the address changed (a load or an htmx swap with a new URL)."""
        self.page.wait_for_load_state("networkidle")
        # htmx settles a swap a moment after the response (20 ms by default).
        self.page.wait_for_timeout(100)
        if self.page.url != self.url:
            self.url = self.page.url
            self.tally.pages += 1
            self.tally.urls.append(re.sub(r"^https?://[^/]+", "", self.url))
            text = self.page.evaluate("(document.querySelector('main') || document.body).innerText")
            self.tally.words += len(re.findall(r"[\w’'-]+", text))

    # What the worker does --------------------------------------------------------------------

    def _reach(self, target: Locator) -> None:
        """Bring `target` into reach: scroll to it (touch) or Tab to it (keyboard)."""
        before = self._scroll_y()
        if self.touch:
            target.scroll_into_view_if_needed()
            self.tally.scrolled_px += abs(self._scroll_y() - before)
            return
        for _ in range(400):
            if target.evaluate("element => element === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
            self.tally.actions += 1
            after = self._scroll_y()
            self.tally.scrolled_px += abs(after - before)
            before = after
        raise SystemExit(f"Tab never reached {target}")

    def _reach_group(self, radio: Locator) -> None:
        """Keyboard: Tab into a radio group (focus lands on its checked or first radio)."""
        name = radio.get_attribute("name")
        before = self._scroll_y()
        for _ in range(400):
            if self.page.evaluate(
                "name => document.activeElement && document.activeElement.name === name", name
            ):
                return
            self.page.keyboard.press("Tab")
            self.tally.actions += 1
            after = self._scroll_y()
            self.tally.scrolled_px += abs(after - before)
            before = after
        raise SystemExit(f"Tab never reached the group {name}")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.tally.actions += 1

    def activate(self, target: Locator) -> None:
        """Tap or Enter a link or button, then count the page it leads to."""
        self._reach(target)
        left = self.page.url
        if self.touch:
            target.tap()
            self.tally.actions += 1
        else:
            self.press("Enter")
        self.page.wait_for_function("left => location.href !== left", arg=left, timeout=15000)
        self.arrived()

    def type_into(self, target: Locator, text: str) -> None:
        self._reach(target)
        if self.touch:
            target.tap()
            self.tally.actions += 1
        target.press_sequentially(text, delay=0)

    def choose_radio(self, radio: Locator) -> None:
        if self.touch:
            self._reach(radio)
            radio.tap()
            self.tally.actions += 1
            return
        self._reach_group(radio)
        if radio.evaluate("element => element === document.activeElement"):
            if not radio.is_checked():
                self.press("Space")
            return
        for _ in range(12):
            self.press("ArrowDown")
            if radio.is_checked():
                return
        raise SystemExit(f"Arrow keys never reached {radio}")

    def choose_option(self, select: Locator, *, index: int) -> None:
        """Pick the option at `index` (counting the blank as 0) of a select."""
        self._reach(select)
        if self.touch:
            # One tap opens the picker, one tap picks.
            select.tap()
            select.select_option(index=index)
            self.tally.actions += 2
            return
        for _ in range(index - int(select.evaluate("element => element.selectedIndex"))):
            self.press("ArrowDown")

    def disclose(self, summary: Locator) -> None:
        """Open a <details> by its summary."""
        self._reach(summary)
        if self.touch:
            summary.tap()
            self.tally.actions += 1
        else:
            self.press("Enter")

    def wait_for_save(self) -> None:
        self.page.wait_for_load_state("networkidle")


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "bench-worker")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/")


def _radio(page: Page, name: str, value: str) -> Locator:
    return page.locator(f"input[type=radio][name='{name}'][value='{value}']")


def full_steps(worker: Worker) -> None:
    """Dashboard -> start -> every step -> check -> (privacy) -> the submitted reflection."""
    page = worker.page
    step_by_step = page.get_by_role("link", name=re.compile("^Step by step"))
    if step_by_step.count():
        worker.activate(step_by_step.first)
    else:
        worker.activate(page.get_by_role("link", name="Reflect on a session").first)
    worker.activate(page.get_by_role("button", name=re.compile("Start a new reflection")))
    next_button = page.locator("#flow-form .flow-actions button[value=next]")
    # 1. The session: the date is already today.
    assert page.locator("#id_session_date").input_value() == time.strftime("%Y-%m-%d")
    worker.activate(next_button)
    # 2. What happened.
    worker.type_into(page.locator("#id_what_happened"), WHAT_HAPPENED)
    worker.activate(next_button)
    # 3. The contexts: two ratings.
    worker.choose_radio(_radio(page, "ctx-accepting-presence", "3"))
    worker.choose_radio(_radio(page, "ctx-empowering-presence", "2"))
    worker.activate(next_button)
    # 4. One chain: Accepting, and what the evidence links to it first.
    choose_chain(worker)
    worker.activate(next_button)
    # 5. Outcomes and 6. what did not go well: nothing.
    worker.activate(next_button)
    worker.activate(next_button)
    # 7. Learning.
    worker.type_into(page.locator("#id_learning"), LEARNING)
    worker.activate(next_button)
    # The check page, then submit.
    worker.activate(page.get_by_role("button", name=re.compile("^Submit")))
    if "/privacy/" in page.url:
        raise SystemExit("The privacy check stopped the standard reflection: " + page.url)


def choose_chain(worker: Worker) -> None:
    """One chain: Accepting, then the first shift and outcome the studies link to it."""
    page = worker.page
    quick = page.locator("[data-quick-chain]")
    if quick.count():
        worker.choose_radio(quick.locator("input[name$='-context'][value]").first)
        # htmx lists what the studies link to the context first.
        page.get_by_text(re.compile("^Listed first")).first.wait_for()
        page.wait_for_load_state("networkidle")
        mechanism = quick.locator("input[type=radio][name$='-mechanism']").first
        worker.choose_radio(mechanism)
        worker.choose_radio(quick.locator("input[type=radio][name$='-outcome_domain']").first)
        return
    context = page.locator("select[name$='-context']").first
    accepting = context.locator("option", has_text="Accepting")
    worker.choose_option(context, index=int(accepting.evaluate("o => o.index")))
    page.wait_for_load_state("networkidle")
    worker.choose_option(page.locator("select[name$='-mechanism']").first, index=1)
    worker.choose_option(page.locator("select[name$='-outcome_domain']").first, index=1)
    worker.wait_for_save()


def quick_path(worker: Worker) -> bool:
    """Dashboard -> the quick reflection page -> the submitted reflection. False if absent."""
    page = worker.page
    link = page.get_by_role("button", name=re.compile("Quick reflection"))
    if not link.count():
        return False
    worker.activate(link.first)
    assert page.locator("#id_session_date").input_value() == time.strftime("%Y-%m-%d")
    worker.type_into(page.locator("#id_what_happened"), WHAT_HAPPENED)
    worker.choose_radio(_radio(page, "ctx-accepting-presence", "3"))
    worker.choose_radio(_radio(page, "ctx-empowering-presence", "2"))
    choose_chain(worker)
    worker.type_into(page.locator("#id_learning"), LEARNING)
    worker.activate(page.get_by_role("button", name=re.compile("^Submit")))
    if "/privacy/" in page.url:
        raise SystemExit("The privacy check stopped the standard reflection: " + page.url)
    return True


def run(
    browser: Browser, base: str, name: str, drive: Callable[[Worker], Any], *, touch: bool
) -> Tally | None:
    context = browser.new_context(
        viewport=PHONE, has_touch=touch, is_mobile=touch, device_scale_factor=2 if touch else 1
    )
    page = context.new_page()
    sign_in(page, base)
    tally = Tally(name)
    worker = Worker(page, tally, touch=touch)
    worker.arrived()
    try:
        finished = drive(worker)
    except Exception:
        print(f"{name} stopped at {page.url} after {tally.urls}", file=sys.stderr)
        shot = Path(tempfile.gettempdir()) / "reflection-benchmark-stopped.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"A picture of where it stopped: {shot}", file=sys.stderr)
        raise
    context.close()
    if finished is False:
        return None
    if not re.search(r"/reflections/\d+/(\?submitted=1)?$", tally.urls[-1]):
        raise SystemExit(f"{name} did not end on the reflection page: {tally.urls}")
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", choices=["full", "quick", "both"], default="both")
    parser.add_argument("--input", choices=["touch", "keyboard", "both"], default="both")
    parser.add_argument("--pages", action="store_true", help="list each run's page addresses")
    parser.add_argument(
        "--port", type=int, default=0, help="serve on this port (default: any free one)"
    )
    arguments = parser.parse_args()
    paths = {"full": [("full steps", full_steps)], "quick": [("quick path", quick_path)]}
    chosen = paths["full"] + paths["quick"] if arguments.path == "both" else paths[arguments.path]
    inputs = ["touch", "keyboard"] if arguments.input == "both" else [arguments.input]

    with tempfile.TemporaryDirectory() as temporary:
        env = environment(Path(temporary) / "bench.sqlite3")
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-c", f"PASSWORD={PASSWORD!r}\n{SETUP}"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = arguments.port or free_port()
        server = serve(env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                    args=CHROMIUM_ARGS,
                )
                print("Standard reflection at 360x740 (Chromium), dashboard to submitted page:")
                for input_kind in inputs:
                    for label, drive in chosen:
                        tally = run(
                            browser,
                            base,
                            f"{label} ({input_kind})",
                            drive,
                            touch=input_kind == "touch",
                        )
                        if tally is None:
                            print(f"{label} ({input_kind}): not offered by this version")
                            continue
                        print(tally.row("taps" if input_kind == "touch" else "keys"))
                        if arguments.pages:
                            print("    " + " -> ".join(tally.urls))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
