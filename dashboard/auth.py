"""Who is signed in and what they may do: roles from an ID-token claim or a mapping file.

Sign-in itself is Streamlit's OpenID Connect support (``st.login``, configured in the
``[auth]`` section of ``.streamlit/secrets.toml``); this module holds the rules, without
Streamlit:

- ``check_auth_section`` says in one line what an ``[auth]`` section is missing;
- ``resolve`` turns the signed-in user's claims into a ``User`` with one of ``ROLES``: the
  roles file (email or subject -> role) first, then the claim named by ``roles_claim`` (a
  string or a list; the highest known role wins; a dotted name such as
  ``realm_access.roles`` reaches into Keycloak's nested claim), else ``default_role``;
- ``current()`` is the user acting now. The UI registers the function that answers it
  (``identify``); ``settings.require_writable`` asks it on every write, so a viewer's write
  is refused on the server whatever the page shows. Without a registered function (the CLI,
  the tests) nobody is signed in and the deployment's own settings decide.
"""

from __future__ import annotations

import getpass
import json
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .schema import DataError

ROLES = ("viewer", "editor", "admin")  # each may do what the ones before it may
DEFAULT_ROLE = "viewer"
#: What Streamlit's st.login needs in ``[auth]`` (the unnamed, default provider).
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True)
class User:
    """A signed-in person: ``id`` is what the history records (email, else subject);
    ``role`` is None for a visitor who has not signed in yet."""

    id: str | None
    role: str | None
    name: str | None = None

    def label(self) -> str:
        return self.name or self.id or "not signed in"


SIGNED_OUT = User(None, None)


def check_role(value: object, where: str) -> str:
    """``value`` as a role name, or ``DataError`` naming the unknown one."""
    if not isinstance(value, str) or value.strip().lower() not in ROLES:
        raise DataError(f"{where}: unknown role {value!r} (known: {', '.join(ROLES)})")
    return value.strip().lower()


def can_edit(role: str | None) -> bool:
    """Whether ``role`` may add, edit, retract, import and change brief packs and overlays."""
    return role in ("editor", "admin")


def can_admin(role: str | None) -> bool:
    """Whether ``role`` is an administrator (today the same rights as an editor)."""
    return role == "admin"


def may_write(user: User | None) -> bool:
    """Whether ``user`` (None: nobody signs in on this deployment) may write."""
    return user is None or can_edit(user.role)


def refusal(action: str, user: User) -> str:
    """Why ``user`` may not do ``action``, in one line naming their role."""
    if user.role is None:
        return f"Not allowed: {action} needs signing in with the editor or admin role."
    return (f"Not allowed: {action} needs the editor or admin role; {user.id} is signed in "
            f"as {user.role}.")


def check_auth_section(section: Mapping[str, Any] | None, where: str = "secrets.toml [auth]") -> None:
    """``DataError`` in one line when the ``[auth]`` section lacks a key or has an empty one."""
    if not isinstance(section, Mapping):
        raise DataError(f"{where}: is not a table")
    missing = [k for k in AUTH_KEYS if not str(section.get(k) or "").strip()]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)} (needed: {', '.join(AUTH_KEYS)})")
    for key in ("redirect_uri", "server_metadata_url"):
        if not str(section[key]).startswith(("http://", "https://")):
            raise DataError(f"{where}: {key} {section[key]!r} is not an http(s) URL")
    if not str(section["redirect_uri"]).endswith("/oauth2callback"):
        raise DataError(f"{where}: redirect_uri must end with /oauth2callback "
                        f"(got {section['redirect_uri']!r})")


def read_roles(path: str | Path) -> dict[str, str]:
    """The roles file: a TOML or JSON table of email (or subject) -> role, keys lower-cased.
    ``DataError`` in one line when it is missing, does not parse or names an unknown role."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"roles file {path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"roles file {path}: does not parse ({exc})") from None
    if not isinstance(data, dict):
        raise DataError(f"roles file {path}: is not a table of email = role")
    return {str(who).strip().lower(): check_role(role, f"roles file {path}: {who}")
            for who, role in data.items()}


def _claim(claims: Mapping[str, Any], name: str) -> Any:
    value: Any = claims
    for part in name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def resolve(claims: Mapping[str, Any], roles_claim: str | None = None,
            mapping: Mapping[str, str] | None = None, default_role: str = DEFAULT_ROLE) -> User:
    """The user these ID-token claims describe, with their role (see the module's rules)."""
    email = claims.get("email") or None
    sub = claims.get("sub") or None
    who = str(email or sub or "") or None
    role = None
    for key in (email, sub):
        if key and mapping and str(key).strip().lower() in mapping:
            role = mapping[str(key).strip().lower()]
            break
    if role is None and roles_claim:
        value = _claim(claims, roles_claim)
        given = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        known = [r.lower() for r in given if isinstance(r, str) and r.lower() in ROLES]
        role = max(known, key=ROLES.index) if known else None
    return User(who, role or default_role, claims.get("name") or None)


_who: Callable[[], User | None] = lambda: None  # noqa: E731 - replaced by ``identify``


def identify(who: Callable[[], User | None]) -> None:
    """Register the function that says who is acting (the UI's: the session's signed-in
    user, ``SIGNED_OUT`` before sign-in, None when sign-in is not configured)."""
    global _who
    _who = who


def current() -> User | None:
    """The user acting now, or None when nobody signs in (no OIDC, the CLI)."""
    return _who()


def current_id() -> str | None:
    """What the history records for the user acting now (None: a local, signed-out session)."""
    user = current()
    return user.id if user else None


def command_line_user() -> str | None:
    """Who runs a command on the server, for the history: ``cli:<account>`` (None when the
    account has no name, as in some containers)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return None


@contextmanager
def acting_as(user: User | None) -> Iterator[None]:
    """Act as ``user`` for the duration (tests, scripts)."""
    before = _who
    identify(lambda: user)
    try:
        yield
    finally:
        identify(before)
