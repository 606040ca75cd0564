"""Roles without Streamlit (who is the user, what role, what the [auth] section lacks), every
write path refusing a viewer on the server, and the sign-in gate in AppTest."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, briefs, overlays, paths, settings, sources, store
from dashboard.schema import DataError

from .conftest import collection, make_feature

APP = str(paths.ROOT / "dashboard" / "app.py")
VIEWER = auth.User("vera@example.org", "viewer")
EDITOR = auth.User("ed@example.org", "editor")
SECTION = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
           "client_id": "efm", "client_secret": "s3cret",
           "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration"}


@pytest.mark.parametrize(("claims", "claim", "mapping", "expected"), [
    ({"sub": "u1", "email": "a@x.org"}, None, None, ("a@x.org", "viewer")),
    ({"sub": "u1"}, None, None, ("u1", "viewer")),
    ({"sub": "u1", "roles": "editor"}, "roles", None, ("u1", "editor")),
    ({"sub": "u1", "roles": ["offline_access", "editor", "viewer"]}, "roles", None, ("u1", "editor")),
    ({"sub": "u1", "roles": ["Admin"]}, "roles", None, ("u1", "admin")),
    ({"sub": "u1", "roles": ["offline_access"]}, "roles", None, ("u1", "viewer")),
    ({"sub": "u1", "realm_access": {"roles": ["admin"]}}, "realm_access.roles", None, ("u1", "admin")),
    ({"sub": "u1", "roles": ["admin"]}, None, None, ("u1", "viewer")),  # no claim named: ignored
    # the roles file wins over the claim; emails match whatever their case
    ({"sub": "u1", "email": "A@X.org", "roles": ["admin"]}, "roles", {"a@x.org": "viewer"},
     ("A@X.org", "viewer")),
    ({"sub": "u1"}, None, {"u1": "editor"}, ("u1", "editor")),
])
def test_resolve(claims, claim, mapping, expected):
    user = auth.resolve(claims, claim, mapping)
    assert (user.id, user.role) == expected


def test_resolve_uses_the_default_role_and_the_name():
    user = auth.resolve({"sub": "u1", "name": "Ana"}, default_role="editor")
    assert (user.role, user.label()) == ("editor", "Ana")


@pytest.mark.parametrize(("role", "edit", "admin"), [
    ("viewer", False, False), ("editor", True, False), ("admin", True, True), (None, False, False)])
def test_rights(role, edit, admin):
    assert (auth.can_edit(role), auth.can_admin(role)) == (edit, admin)


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("roles.toml", '"Ana@X.org" = "editor"\n"bo@x.org" = "ADMIN"\n',
     {"ana@x.org": "editor", "bo@x.org": "admin"}),
    ("roles.json", '{"ana@x.org": "viewer"}', {"ana@x.org": "viewer"}),
])
def test_read_roles(tmp_path, name, text, expected):
    (tmp_path / name).write_text(text)
    assert auth.read_roles(tmp_path / name) == expected


@pytest.mark.parametrize(("name", "text", "match"), [
    ("roles.toml", '"ana@x.org" = "boss"\n', r"ana@x.org: unknown role 'boss' \(known: viewer"),
    ("roles.toml", 'ana@x.org = editor\n', "does not parse"),
    ("roles.json", '{"ana@x.org": ', "does not parse"),
    ("roles.json", '["editor"]', "is not a table"),
])
def test_bad_roles_file_is_one_line(tmp_path, name, text, match):
    (tmp_path / name).write_text(text)
    with pytest.raises(DataError, match=match) as info:
        auth.read_roles(tmp_path / name)
    assert "\n" not in str(info.value)


def test_missing_roles_file(tmp_path):
    with pytest.raises(DataError, match="roles file .*nope.toml: cannot be read"):
        auth.read_roles(tmp_path / "nope.toml")


@pytest.mark.parametrize(("change", "match"), [
    ({"client_secret": None}, r"missing client_secret \(needed: redirect_uri"),
    ({"client_id": "", "cookie_secret": None}, "missing cookie_secret, client_id"),
    ({"server_metadata_url": "idp.example.org"}, "server_metadata_url 'idp.example.org' is not"),
    ({"redirect_uri": "http://127.0.0.1:8501/"}, "redirect_uri must end with /oauth2callback"),
])
def test_bad_auth_section_is_one_line(change, match):
    section = {k: v for k, v in {**SECTION, **change}.items() if v is not None}
    with pytest.raises(DataError, match=match):
        auth.check_auth_section(section)


def test_good_auth_section():
    auth.check_auth_section(SECTION)


def test_role_settings_from_environment_and_file(tmp_path):
    config = tmp_path / "efm.toml"
    config.write_text('roles_claim = "groups"\nroles_file = "roles.toml"\ndefault_role = "editor"\n')
    cfg = settings.load_settings({}, config)
    assert (cfg.roles_claim, cfg.roles_file, cfg.default_role) == (
        "groups", paths.ROOT / "roles.toml", "editor")
    cfg = settings.load_settings({"EFM_ROLES_CLAIM": "roles", "EFM_ROLES_FILE": str(tmp_path / "r.json"),
                                  "EFM_DEFAULT_ROLE": "Viewer"}, config)
    assert (cfg.roles_claim, cfg.roles_file, cfg.default_role) == ("roles", tmp_path / "r.json", "viewer")
    assert settings.load_settings({}, tmp_path / "none.toml").default_role == "viewer"


def test_unknown_default_role_is_named(tmp_path):
    with pytest.raises(DataError, match="EFM_DEFAULT_ROLE: unknown role 'boss'"):
        settings.load_settings({"EFM_DEFAULT_ROLE": "boss"}, tmp_path / "none.toml")


@pytest.mark.parametrize(("user", "refused"), [
    (None, None), (EDITOR, None), (auth.User("root", "admin"), None),
    (VIEWER, "saving incidents needs the editor or admin role; vera@example.org is signed in as viewer"),
    (auth.SIGNED_OUT, "saving incidents needs signing in with the editor or admin role"),
])
def test_require_writable_asks_who_is_acting(user, refused):
    cfg = settings.Settings()
    with auth.acting_as(user):
        assert settings.writable(cfg) is (refused is None)
        if refused is None:
            settings.require_writable(cfg, "saving incidents")
        else:
            with pytest.raises(settings.RoleError, match=refused):
                settings.require_writable(cfg, "saving incidents")
    with auth.acting_as(EDITOR), pytest.raises(settings.ReadOnlyError, match="read-only"):
        settings.require_writable(settings.Settings(read_only=True), "saving incidents")


@pytest.fixture
def data(tmp_path, monkeypatch):
    """Two incidents in a temporary file with an (empty) source registry beside it."""
    path = tmp_path / "incidents.geojson"
    path.write_text(json.dumps(collection(make_feature(), make_feature(id="pl-incursion-2025-09-11",
                                                                       date="2025-09-11"))))
    sources.path_for(path).write_text('{"sources": {}}')
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    monkeypatch.setenv("EFM_BRIEFS_DIR", str(tmp_path / "briefs"))
    return path


def _writes(data):
    """Each write path once: store, importer, source registry, brief packs, overlays."""
    edited = make_feature(summary="Changed.")
    new = make_feature(id="pl-incursion-2025-09-12", date="2025-09-12")
    return {
        "edit": lambda: store.edit(store.open_snapshot(data), edited, user=auth.current_id()),
        "retract": lambda: store.retract(store.open_snapshot(data), edited["id"], "wrong"),
        "import": lambda: sources.save_import(data, [new], "extra.csv", user=auth.current_id()),
        "registry": lambda: sources.save(sources.path_for(data), {}),
        "brief": lambda: briefs.save_pack(briefs.new_pack("morning", "Morning"),
                                          folder=data.parent / "briefs"),
        "overlay": lambda: overlays.add(data.parent / "overlays", b"{}", "zone.geojson", "Zone",
                                        cfg=settings.load_settings()),
    }


@pytest.mark.parametrize("write", ["edit", "retract", "import", "registry", "brief", "overlay"])
def test_a_viewer_is_refused_on_every_write_path(data, write):
    before = data.read_bytes()
    with auth.acting_as(VIEWER), pytest.raises(settings.RoleError, match="signed in as viewer"):
        _writes(data)[write]()
    assert data.read_bytes() == before
    assert not (data.parent / "briefs").exists() and not (data.parent / "overlays").exists()


def test_an_editor_writes_and_the_history_records_who(data):
    with auth.acting_as(EDITOR):
        _writes(data)["edit"]()
        _writes(data)["import"]()
    assert [(e.action, e.user) for e in store.history(data)] == [
        ("edit", "ed@example.org"), ("import", "ed@example.org")]


# The gate in the app: AppTest seeds the secrets and the signed-in user (st.user).

@pytest.fixture
def app_data(tmp_path, monkeypatch):
    path = tmp_path / "incidents.geojson"
    shutil.copy(paths.INCIDENTS, path)
    for name, value in {"EFM_DATA": str(path), "EFM_BRIEFS_DIR": str(tmp_path / "briefs"),
                        "EFM_ROLES_CLAIM": "roles"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    monkeypatch.delenv("EFM_ROLES_FILE", raising=False)
    return path


def plain(markdown: str) -> str:
    """Text as shown, without the escapes ``state.md`` adds."""
    return markdown.replace("\\", "").replace("&#58;", ":")


def _app(section=SECTION, user=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = section
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


def test_signed_out_visitor_sees_only_the_sign_in_button(app_data):
    at = _app()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.get("component_instance") and not at.tabs


def test_bad_auth_section_stops_with_one_line(app_data):
    at = _app({**SECTION, "client_secret": ""})
    assert [plain(e.value) for e in at.error] == [
        "Sign-in is not set up correctly: secrets.toml [auth]: missing client_secret (needed: "
        "redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url)"]
    assert not at.button


def test_bad_roles_file_stops_with_one_line(app_data, tmp_path, monkeypatch):
    (tmp_path / "roles.toml").write_text('"vera@example.org" = "boss"\n')
    monkeypatch.setenv("EFM_ROLES_FILE", str(tmp_path / "roles.toml"))
    at = _app(user={"is_logged_in": True, "email": "vera@example.org", "sub": "v"})
    assert len(at.error) == 1 and "vera@example.org: unknown role 'boss'" in plain(at.error[0].value)
    assert not at.tabs


@pytest.mark.parametrize(("roles", "writes"), [(["viewer"], False), (["editor"], True), ([], False)])
def test_write_controls_follow_the_role(app_data, roles, writes):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = SECTION
    at.user = {"is_logged_in": True, "email": "ana@example.org", "sub": "a", "roles": roles}
    at.query_params["incident"] = "pl-incursion-2025-09-10"
    at.run()
    assert not at.exception, at.exception
    keys = {b.key for b in at.button}
    assert "sign-out" in keys
    assert {"add_incident", "edit-incident", "retract-incident"} <= keys if writes else \
        not {"add_incident", "edit-incident", "retract-incident"} & keys
    signed = plain(" ".join(c.value for c in at.sidebar.caption))
    assert f"Signed in as **ana@example.org** · role: {roles[0] if roles else 'viewer'}" in signed
    assert ("Your role is viewer" in signed) is not writes
    assert ("Create" in [b.label for b in at.button]) is writes  # a new brief pack
    assert any("needs curation rights" in c.value for c in at.caption) is not writes  # article tab


def test_without_sign_in_the_app_is_as_before(app_data):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    keys = {b.key for b in at.button}
    assert "add_incident" in keys and "sign-out" not in keys and "sign-in" not in keys


def test_a_secrets_file_that_does_not_parse_is_named_not_ignored(tmp_path):
    """Streamlit reads a broken secrets file as no secrets: the app must not open without
    sign-in because of a typo."""
    from streamlit import config

    from dashboard.ui import signin

    bad = tmp_path / "secrets.toml"
    bad.write_text('[auth]\nclient_id = efm\n')
    before = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(bad)])
    try:
        with pytest.raises(DataError, match=r"secrets.toml: is not valid TOML \(Invalid value"):
            signin.auth_section()
        config.set_option("secrets.files", [str(tmp_path / "none.toml")])
        assert signin.auth_section() is None
    finally:
        config.set_option("secrets.files", before)
