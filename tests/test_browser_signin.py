"""Signing in as a person does, in headless Chromium, against a real OpenID Connect provider on
this machine (``oidc-provider-mock``): a viewer sees no write control, an editor edits an
incident through the form, and the history names who did it. The secrets live in a
temporary file the app is pointed at (``STREAMLIT_SECRETS_FILES``), never in the repository."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from dashboard import store
from tests.browser import MAP_FRAME, block_outside, data_copy, free_port, running_app, save_edit, wait_idle

pytestmark = pytest.mark.browser
INCIDENT = "pl-crash-debris-2025-09-10"
HISTORY = re.compile(r"^Change history \(\d+\)$")
USERS = [{"sub": "vera", "email": "vera@example.org", "roles": ["viewer"]},
         {"sub": "ed", "email": "ed@example.org", "name": "Ed Itor", "roles": ["editor"]}]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The provider's URL; its sign-in page offers the two predefined users as buttons."""
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with open(log, "w+b") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
             *(arg for user in USERS for arg in ("--user-claims", json.dumps(user)))],
            stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise RuntimeError("oidc-provider-mock did not start:\n"
                                       + log.read_text()[-2000:]) from None
                time.sleep(0.2)
        yield url
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return data_copy(tmp_path_factory, "signin")


@pytest.fixture(scope="module")
def app(provider, data):
    secrets = data.parent / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "a-test-only-secret-of-enough-length"
client_id = "efm-test"
client_secret = "efm-test-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""")
    env = {"STREAMLIT_SECRETS_FILES": str(secrets), "EFM_DATA": str(data),
           "EFM_BRIEFS_DIR": str(data.parent / "briefs"), "EFM_READ_ONLY": "0",
           "EFM_ROLES_CLAIM": "roles"}
    with running_app(env=env) as url:
        yield url


@pytest.fixture
def sign_in(browser, app):
    """Open the app in a fresh browser context, sign in as ``sub``; returns the page."""
    contexts = []

    def signed_in(sub: str, query: str = ""):
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        contexts.append(context)
        blocked: list[str] = []
        block_outside(context, blocked)
        page = context.new_page()
        page.goto(app, wait_until="domcontentloaded")
        page.get_by_text("Sign in with your organisation's account").wait_for()
        assert page.locator(MAP_FRAME).count() == 0  # no data before signing in
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name=sub, exact=True).click()  # the provider's page
        blocked.clear()  # the provider's own page asks a CDN for its stylesheet; the app must not
        page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
        if query:  # the provider sends the browser back to the app's front page
            page.goto(app + query, wait_until="domcontentloaded")
            page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
        assert not blocked
        return page

    yield signed_in
    for context in contexts:
        context.close()


def test_a_viewer_sees_no_write_control(sign_in):
    page = sign_in("vera", f"?incident={INCIDENT}")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Signed in as vera@example.org · role: viewer").wait_for()
    sidebar.get_by_text("Your role is viewer").wait_for()
    page.get_by_text(HISTORY).wait_for()  # the card is drawn
    wait_idle(page)
    assert page.get_by_text("Curate incidents").count() == 0
    for name in ("Edit", "Retract", "Add incident"):
        assert page.get_by_role("button", name=name, exact=True).count() == 0
    page.get_by_role("tab", name="From an article").click()
    page.get_by_text("needs curation rights").wait_for()


def test_an_editor_edits_and_the_history_shows_who(sign_in, data):
    page = sign_in("ed", f"?incident={INCIDENT}")
    page.locator('[data-testid="stSidebar"]').get_by_text(
        "Signed in as Ed Itor (ed@example.org) · role: editor").wait_for()
    save_edit(page, INCIDENT, "5", "signed-in edit")
    assert store.open_snapshot(data).feature(INCIDENT)["properties"]["drones"] == 5
    entry = store.history(data, INCIDENT)[-1]
    assert (entry.user, entry.note) == ("ed@example.org", "signed-in edit")
    page.get_by_text("Change history (1)").click()
    page.get_by_text("edit · ed@example.org").wait_for()


def test_sign_out_asks_to_sign_in_again(sign_in):
    page = sign_in("vera")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's logout page
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator(MAP_FRAME).count() == 0
