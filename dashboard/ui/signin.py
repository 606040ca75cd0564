"""Sign-in with Streamlit's OpenID Connect support, when ``.streamlit/secrets.toml`` has an
``[auth]`` section: the gate before any data, who is signed in and Sign out in the sidebar,
and the function ``dashboard.auth`` asks who is acting (registered on import)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import auth, settings, style
from dashboard.schema import DataError
from dashboard.ui import state as S


def auth_section() -> Mapping[str, Any] | None:
    """The secrets' ``[auth]`` section, or None when sign-in is not configured. A secrets file
    that exists but does not parse raises ``DataError``: Streamlit would read it as no secrets,
    and the app would open without sign-in."""
    # No secrets file and none given in memory (AppTest's): nothing to parse. Asking
    # st.secrets would try on every run, and that cost the playback its faded symbols.
    in_memory = getattr(st.secrets, "_secrets", None) is not None
    if not in_memory and not any(Path(p).exists() for p in st.get_option("secrets.files")):
        return None
    if not st.secrets.load_if_toml_exists():
        for path in map(Path, st.get_option("secrets.files")):
            if path.is_file():
                try:
                    tomllib.loads(path.read_text(encoding="utf-8"))
                except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                    raise DataError(f"{path}: is not valid TOML ({exc})") from None
        return None
    section = st.secrets.get("auth")
    return section.to_dict() if hasattr(section, "to_dict") else section


def _signed_in(cfg: settings.Settings) -> auth.User | None:
    """The session's signed-in user with their role, or None before sign-in; ``DataError``
    for a roles file that cannot be used."""
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        return None
    mapping = auth.read_roles(cfg.roles_file) if cfg.roles_file else None
    return auth.resolve(claims, cfg.roles_claim, mapping, cfg.default_role)


def _acting() -> auth.User | None:
    """Who is acting in this script run: None without sign-in (or outside a script run),
    ``auth.SIGNED_OUT`` (who may not write) before sign-in or when the set-up is broken."""
    if get_script_run_ctx() is None:
        return None
    try:
        if auth_section() is None:
            return None
        return _signed_in(settings.load_settings()) or auth.SIGNED_OUT
    except DataError:
        return auth.SIGNED_OUT


auth.identify(_acting)


def gate(cfg: settings.Settings) -> None:
    """With sign-in configured: stop the page at a Sign in button until the visitor signs in,
    then show who is signed in, with their role and a Sign out button, in the sidebar. A set-up
    problem stops the page with a one-line message. Without sign-in: nothing."""
    try:
        section = auth_section()
        if section is None:
            return
        auth.check_auth_section(section)
        user = _signed_in(cfg)
    except DataError as exc:
        st.error(S.md(f"Sign-in is not set up correctly: {exc}"))
        st.stop()
    if user is None:
        st.markdown(f"### {style.DEFAULT_TITLE}")
        st.info("Sign in with your organisation's account to see the incident map.")
        if st.button("Sign in", type="primary", icon=":material/login:", key="sign-in"):
            st.login()
        st.stop()
    sb = st.sidebar
    who = f"{user.name} ({user.id})" if user.name and user.name != user.id else user.label()
    sb.caption(f"Signed in as **{S.md(who)}** · role: {user.role}")
    if sb.button("Sign out", icon=":material/logout:", key="sign-out"):
        st.logout()
