"""Accounts tied to gemeenten: one installation with several gemeenten (a regio, the national CBS
load) shows a partner or LEA account only its own, and releases partner figures per gemeente."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_page, sample_and_synthetic

from data_sources import accounts, store
from data_sources.accounts import Account
from data_sources.cli import main

GGD = "GGD Voorbeeldregio (JGZ)"
VVE = "Vve-indicaties per 100 kinderen (waargenomen)"


@pytest.fixture(scope="module")
def previous_schema_db(tmp_path_factory) -> Path:
    """Voorbeeldstad and two synthetic gemeenten loaded by the schema before migration 0070 (every
    migration up to 0065), with a partner, an LEA and an analist account and a release."""
    with pytest.MonkeyPatch.context() as patch:
        older = [(version, path) for version, path in store.migration_files() if version < 70]
        patch.setattr(store, "migration_files", lambda: older)
        path = sample_and_synthetic(tmp_path_factory.mktemp("regio"), 2)
        con = store.connect(path)
        try:
            assert not store.has_table(con, "account_gemeenten")
            for login, role, organisation in (("ggd", "partner", GGD), ("zaal", "lea", None),
                                              ("analist", "analist", None), ("beheer", "beheerder", None)):
                con.execute("insert into accounts (login, role, organisation, password_hash)"
                            " values (?, ?, ?, null)", [login, role, organisation])
            con.execute("insert into indicator_releases (indicator_key, audience, released_by)"
                        " values ('vve_per_100', 'partner', 'beheer')")
        finally:
            con.close()
    return path


@pytest.fixture
def regio_db(previous_schema_db, tmp_path, monkeypatch) -> Path:
    """A private copy, migrated to the current schema, that the app (KINDKAART_DB) uses."""
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(previous_schema_db, path)
    store.connect(path).close()
    monkeypatch.setenv("KINDKAART_DB", str(path))
    return path


def offered(at) -> list[str]:
    """The codes of the gemeenten the sidebar offers (app.py draws it; a page switched to in AppTest
    runs without it, so ask a run of app.py itself)."""
    return [re.search(r"\((GM[0-9]{4})(, fictief)?\)$", label).group(1)
            for label in at.selectbox(key="_gemeente_code_choice").options]


def fetch(path, sql, params=None):
    con = store.connect(path)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def users(db, *args, capsys) -> tuple[int, str]:
    code = main(["users", *args, "--db", str(db)])
    return code, capsys.readouterr().out


LOADED = ["GM0001", "GM0002", "GM9999"]


def test_the_migration_ties_existing_partners_and_lea_to_what_they_saw_and_copies_releases(regio_db):
    assert fetch(regio_db, "select login, gemeente_code from account_gemeenten order by 1, 2") == [
        ("ggd", code) for code in LOADED] + [("zaal", code) for code in LOADED]
    assert fetch(regio_db, "select gemeente_code, indicator_key, audience, released_by"
                           " from indicator_releases order by 1") == [
        (code, "vve_per_100", "partner", "beheer") for code in LOADED]
    # nothing that was visible disappears: the partner still sees every gemeente and the release
    at = run_page(account=Account("ggd", "partner", GGD))
    assert not at.exception, at.exception
    assert sorted(offered(at)) == LOADED
    for code in LOADED:
        at = run_page("kaart", account=Account("ggd", "partner", GGD), params={"gemeente": code})
        assert VVE in at.selectbox(key="_indicator_choice").options


def test_users_add_ties_partners_and_lea_to_gemeenten_by_code_or_name(regio_db, capsys):
    code, out = users(regio_db, "add", "jgz", "--rol", "partner", "--organisatie", GGD, "--oidc", capsys=capsys)
    assert code == 1
    assert "geef --gemeente op (er zijn 3 gemeenten geladen" in out
    assert fetch(regio_db, "select count(*) from accounts where login = 'jgz'") == [(0,)]
    code, out = users(regio_db, "add", "zaal2", "--rol", "lea", "--gemeente", "Nergensdorp", "--oidc",
                      capsys=capsys)
    assert code == 1 and "Onbekende gemeente: Nergensdorp" in out
    code, out = users(regio_db, "add", "jgz", "--rol", "partner", "--organisatie", GGD, "--oidc",
                      "--gemeente", "Voorbeeldstad,GM0001", "--gemeente", "gm0002", capsys=capsys)
    assert code == 0, out
    assert accounts.gemeente_scope(store.connect(regio_db), "jgz") == set(LOADED)
    code, out = users(regio_db, "add", "ana", "--rol", "analist", "--oidc", capsys=capsys)
    assert code == 0, out
    code, out = users(regio_db, "list", capsys=capsys)
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert lines["ana"].endswith("gemeenten: alle")
    assert lines["jgz"].endswith("gemeenten: GM0001,GM0002,GM9999")


def test_a_partner_in_an_installation_of_one_gemeente_is_tied_to_it(app_db, capsys):
    code, out = users(app_db, "add", "jgz", "--rol", "partner", "--organisatie", GGD, "--oidc", capsys=capsys)
    assert code == 0, out
    assert fetch(app_db, "select gemeente_code from account_gemeenten where login = 'jgz'") == [("GM9999",)]


def test_set_gemeente_narrows_and_widens_and_is_logged(regio_db, capsys):
    code, out = users(regio_db, "set-gemeente", "ggd", "--gemeente", "GM0001", capsys=capsys)
    assert code == 0 and "ziet nu alleen GM0001" in out
    code, out = users(regio_db, "set-gemeente", "zaal", "--alle", capsys=capsys)
    assert code == 0 and "ziet nu alle gemeenten" in out
    code, out = users(regio_db, "set-gemeente", "niemand", "--alle", capsys=capsys)
    assert code == 1 and "Er is geen account 'niemand'" in out
    assert fetch(regio_db, "select actor, action, detail from audit_log where action = 'gemeenten gewijzigd'"
                           " order by event_id") == [
        ("opdrachtregel", "gemeenten gewijzigd", "ggd: GM0001, GM0002, GM9999 -> GM0001"),
        ("opdrachtregel", "gemeenten gewijzigd", "zaal: GM0001, GM0002, GM9999 -> alle")]


def _narrow(db, login, *codes):
    con = store.connect(db)
    try:
        accounts.set_gemeenten(con, login, list(codes))
    finally:
        con.close()


@pytest.mark.parametrize("gemeente", ["GM9999", "GM0363", "iets anders"])
def test_a_partner_sees_only_its_gemeente_and_a_link_elsewhere_tells_nothing(regio_db, gemeente):
    _narrow(regio_db, "ggd", "GM0001")
    [(name,)] = fetch(regio_db, "select arg_max(region_name, year) from regions where region_code = 'GM0001'")
    at = run_page(account=Account("ggd", "partner", GGD), params={"gemeente": gemeente})
    assert not at.exception, at.exception
    assert offered(at) == ["GM0001"]
    # loaded (GM9999) or not (GM0363): the same sentence, nothing more
    assert [w.value for w in at.warning] == [
        f"De gemeente uit de link hoort niet bij uw account; u ziet nu {name}."]
    assert at.query_params["gemeente"] == "GM0001"
    at.switch_page("pages/kaart.py")
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [f"Kaart {name} 2024"]  # never Voorbeeldstad's map


def test_the_lea_view_sees_only_its_gemeente(regio_db):
    _narrow(regio_db, "zaal", "GM9999")
    at = run_page(account=Account("zaal", "lea"), params={"gemeente": "GM0002"})
    assert not at.exception, at.exception
    assert offered(at) == ["GM9999"]
    assert any("hoort niet bij uw account" in w.value for w in at.warning)


def test_a_page_run_alone_stops_for_a_gemeente_outside_the_account(regio_db):
    from streamlit.testing.v1 import AppTest

    _narrow(regio_db, "ggd", "GM0001")
    for page in ("overzicht", "kaart"):
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
        at.session_state["kindkaart_account"] = Account("ggd", "partner", GGD)
        at.session_state["gemeente_code"] = "GM9999"
        at.session_state["year"] = 2024
        at.run()
        assert not at.exception, at.exception
        assert [e.value for e in at.error] == [
            "Deze gemeente hoort niet bij uw account. Kies een gemeente in de zijbalk."]
        assert not at.title and not at.get("deck_gl_json_chart") and not at.dataframe


def test_an_analist_tied_to_a_gemeente_gets_no_national_map(regio_db):
    at = run_page("kaart", account=Account("analist", "analist"))
    assert at.selectbox(key="_gebied_choice").options == ["Voorbeeldstad", "Nederland (alle gemeenten)"]
    _narrow(regio_db, "analist", "GM9999", "GM0001")
    at = run_page(account=Account("analist", "analist"))
    assert sorted(offered(at)) == ["GM0001", "GM9999"]
    at = run_page("kaart", account=Account("analist", "analist"), params={"gebied": "nederland"})
    assert not at.exception, at.exception
    assert not [s for s in at.selectbox if s.key == "_gebied_choice"]
    assert "Kaart Voorbeeldstad 2024" in [t.value for t in at.title]


def test_a_download_drawn_before_the_account_was_narrowed_is_refused(regio_db, monkeypatch):
    # a download's data is made on click: an account tied to other gemeenten since the page was
    # drawn gets no data of the gemeente it no longer sees
    import streamlit as st

    import ui.auth as auth
    from ui.data import close_idle

    partner = Account("ggd", "partner", GGD)
    monkeypatch.setattr(auth, "current_account", lambda: partner)
    monkeypatch.setitem(st.session_state, "gemeente_code", "GM0001")
    download = auth.audited("kinderen.xlsx", lambda: b"de gegevens")
    assert download() == b"de gegevens"
    close_idle()
    _narrow(regio_db, "ggd", "GM0002")
    assert download() == auth.DOWNLOAD_REFUSED.encode()
    close_idle()
    assert fetch(regio_db, "select count(*) from audit_log where action = 'export'") == [(1,)]


def test_beheer_releases_per_gemeente_and_logs_the_gemeente(regio_db):
    _narrow(regio_db, "ggd", "GM0001", "GM0002")
    admin = run_page("beheer", account=Account("beheer", "beheerder"), params={"gemeente": "GM0001"})
    assert not admin.exception, admin.exception
    partner_release = admin.multiselect(key="vrijgave_partner_GM0001")
    assert partner_release.value == ["vve_per_100"]  # copied by the migration
    partner_release.unselect("vve_per_100")
    admin.run()
    assert not admin.exception, admin.exception
    assert fetch(regio_db, "select gemeente_code from indicator_releases order by 1") == [
        ("GM0002",), ("GM9999",)]
    assert fetch(regio_db, "select actor, action, detail from audit_log where action like 'vrijgave%'") == [
        ("beheer", "vrijgave ingetrokken", "vve_per_100 voor partners in GM0001")]
    partner = Account("ggd", "partner", GGD)
    at = run_page("kaart", account=partner, params={"gemeente": "GM0001"})
    assert VVE not in at.selectbox(key="_indicator_choice").options
    at = run_page("kaart", account=partner, params={"gemeente": "GM0002"})
    assert VVE in at.selectbox(key="_indicator_choice").options
    # the accounts table names each account's gemeenten
    table = admin.table[0].value
    scopes = dict(zip(table["Login"], table["Gemeenten"], strict=True))
    assert scopes["ggd"] == "GM0001, GM0002" and scopes["analist"] == "alle"


@pytest.mark.browser
def test_in_the_browser_a_partner_sees_only_its_gemeente(regio_db):
    from browser import chromium_page, require_chromium, settled, sign_in, streamlit_server
    from conftest import add_account

    require_chromium()
    add_account(regio_db, "jgz", "partner", GGD, "correct paard batterij", gemeenten=["GM0001"])
    [(name,)] = fetch(regio_db, "select arg_max(region_name, year) from regions where region_code = 'GM0001'")
    with streamlit_server(regio_db) as url, chromium_page() as page:
        # a shared link to Voorbeeldstad, opened by a partner of another gemeente
        sign_in(page, f"{url}/?gemeente=GM9999", "jgz", "correct paard batterij", "Gegevens aanleveren")
        page.get_by_text("De gemeente uit de link hoort niet bij uw account").wait_for(timeout=60_000)
        settled(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_label("Gemeente").click()
        options = page.get_by_role("option")
        assert options.all_inner_texts() == [f"{name} (GM0001)"]
        assert "gemeente=GM0001" in page.url
        assert page.get_by_text("Voorbeeldstad").count() == 0
        assert page.locator("[data-testid='stException']").count() == 0


def test_gemeente_laden_shows_and_loads_only_the_accounts_gemeenten(regio_db):
    _narrow(regio_db, "analist", "GM9999")
    at = run_page("gemeente_laden", account=Account("analist", "analist"))
    assert not at.exception, at.exception
    choice = at.selectbox(key="laden_gemeente")
    assert [label for label in choice.options if "✓" in label] == ["Voorbeeldstad (GM9999, fictief) ✓"]
    choice.set_value("GM0363").run()
    at.button[0].click().run()  # Laden
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Deze gemeente hoort niet bij uw account: u laadt alleen uw eigen gemeenten."]
    assert "Geladen gegevens" not in [h.value for h in at.header]
    assert fetch(regio_db, "select count(*) from loads where gemeente_code = 'GM0363'") == [(0,)]
