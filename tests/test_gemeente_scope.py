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
VVE = "Vve-indicaties taal/spraak per 100 kinderen (waargenomen)"


@pytest.fixture(scope="module")
def previous_schema_db(tmp_path_factory) -> Path:
    """Voorbeeldstad and two synthetic gemeenten loaded by the schema before migration 0070 (every
    migration up to 0065), with a partner, an LEA and an analist account and a release."""
    with pytest.MonkeyPatch.context() as patch:
        # and 0090: today's LRK loader stores the postcode year of each location (a column of
        # raw_lrk__locations that nothing in 0070-0087 touches)
        older = [(version, path) for version, path in store.migration_files() if version < 70 or version == 90]
        patch.setattr(store, "migration_files", lambda: older)
        # the marts of today's models read tables of later migrations (published_signal_patterns):
        # the app builds them once it has migrated the copy (regio_db)
        path = sample_and_synthetic(tmp_path_factory.mktemp("regio"), 2, build_marts=False)
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



def _connect_below(path: Path, version: int):
    """A connection to `path` migrated by the migrations before `version` only (an older Kindkaart)."""
    with pytest.MonkeyPatch.context() as patch:
        older = [(number, file) for number, file in store.migration_files() if number < version]
        patch.setattr(store, "migration_files", lambda: older)
        return store.connect(path)


@pytest.fixture
def untied_db(tmp_path, monkeypatch) -> Path:
    """Accounts made before any gemeente was loaded (migration 0070 tied the partner and LEA
    accounts to none), one partner set to --alle on purpose since; migrated to the current schema
    and then Voorbeeldstad loaded. The app (KINDKAART_DB) uses it."""
    from data_sources import jobs

    path = tmp_path / "kindkaart.duckdb"
    con = _connect_below(path, 70)
    for login, role, organisation in (("ggd", "partner", GGD), ("zaal", "lea", None),
                                      ("regio", "partner", GGD), ("analist", "analist", None)):
        con.execute("insert into accounts (login, role, organisation, password_hash)"
                    " values (?, ?, ?, null)", [login, role, organisation])
    con.close()
    con = _connect_below(path, 75)
    assert con.execute("select count(*) from account_gemeenten").fetchall() == [(0,)]
    # what `users set-gemeente` wrote (regio --alle after it had been tied to GM0001)
    for detail in ("regio: GM0001 -> alle", "ggd: alle -> GM0002", "ggd: GM0002 -> GM0001, GM0002"):
        con.execute("insert into audit_log (actor, action, detail) values"
                    " ('opdrachtregel', 'gemeenten gewijzigd', ?)", [detail])
    con.execute("delete from account_gemeenten")  # as if the gemeenten were taken away again
    con.close()
    con = store.connect(path)
    try:
        jobs.load_sample(con)
    finally:
        con.close()
    monkeypatch.setenv("KINDKAART_DB", str(path))
    return path


def test_partner_and_lea_accounts_tied_to_nothing_see_no_gemeente_after_the_update(untied_db, capsys):
    con = store.connect(untied_db)
    try:
        assert accounts.gemeente_scope(con, "ggd") == set()
        assert accounts.gemeente_scope(con, "zaal") == set()
        assert accounts.gemeente_scope(con, "regio") is None  # --alle was said on purpose
        assert accounts.gemeente_scope(con, "analist") is None
    finally:
        con.close()
    for account in (Account("ggd", "partner", GGD), Account("zaal", "lea")):
        at = run_page(account=account, params={"gemeente": "GM9999"})
        assert not at.exception, at.exception
        said = (f"Uw account is nog niet aan een gemeente gebonden, dus Kindkaart toont u geen gemeente. "
                f"De beheerder kan dat doen: `python -m data_sources users set-gemeente {account.login}"
                " --gemeente GEMEENTE`.")
        assert [w.value for w in at.main.warning] == [said]
        assert [w.value for w in at.sidebar.warning] == [said]
        assert not [s for s in at.selectbox if s.key == "_gemeente_code_choice"]
        assert not at.dataframe and not at.get("plotly_chart")
        at.switch_page("pages/overzicht.py")
        at.run()
        assert not at.exception, at.exception
        assert said in [w.value for w in at.warning] and not at.title
    at = run_page(account=Account("regio", "partner", GGD))
    assert offered(at) == ["GM9999"]
    code, out = users(untied_db, "list", capsys=capsys)
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert lines["ggd"].endswith("gemeenten: geen (nog niet gebonden)")
    assert lines["regio"].endswith("gemeenten: alle") and lines["analist"].endswith("gemeenten: alle")
    code, out = users(untied_db, "set-gemeente", "ggd", "--gemeente", "GM9999", capsys=capsys)
    assert code == 0, out
    assert fetch(untied_db, "select detail from audit_log where action = 'gemeenten gewijzigd'"
                            " order by event_id desc limit 1") == [("ggd: geen (nog niet gebonden) -> GM9999",)]
    at = run_page(account=Account("ggd", "partner", GGD))
    assert offered(at) == ["GM9999"] and not at.warning


def test_only_an_explicit_alle_lets_a_partner_see_every_gemeente(tmp_path, capsys):
    db = tmp_path / "leeg.duckdb"
    store.connect(db).close()
    code, out = users(db, "add", "jgz", "--rol", "partner", "--organisatie", GGD, "--oidc", capsys=capsys)
    assert code == 1 and "geef --gemeente op (er zijn 0 gemeenten geladen" in out and "--alle" in out
    code, out = users(db, "add", "jgz", "--rol", "partner", "--organisatie", GGD, "--oidc",
                      "--gemeente", "Zwolle", capsys=capsys)
    assert code == 0, out
    code, out = users(db, "add", "regio", "--rol", "lea", "--oidc", "--alle", capsys=capsys)
    assert code == 0, out
    code, out = users(db, "add", "beheer", "--rol", "beheerder", "--oidc", capsys=capsys)
    assert code == 0, out
    con = store.connect(db)
    try:
        assert accounts.gemeente_scope(con, "jgz") == {"GM0193"}
        assert accounts.gemeente_scope(con, "regio") is None
        assert accounts.gemeente_scope(con, "beheer") is None
        assert accounts.gemeente_scope(con, "niemand") == set()
    finally:
        con.close()
    assert fetch(db, "select detail, gemeenten from audit_log where action = 'account toegevoegd'"
                     " order by event_id") == [
        (f"jgz (partner, {GGD}; gemeenten: GM0193)", ["GM0193"]),
        ("regio (lea; gemeenten: alle)", None), ("beheer (beheerder; gemeenten: alle)", None)]


def test_a_beheerder_tied_to_gemeenten_sees_only_their_accounts_and_log(regio_db, capsys):
    from conftest import add_account

    add_account(regio_db, "beheer1", "beheerder", gemeenten=["GM0001"])
    assert users(regio_db, "set-gemeente", "ggd", "--gemeente", "GM0001,GM0002", capsys=capsys)[0] == 0
    assert users(regio_db, "set-gemeente", "zaal", "--gemeente", "GM0002", capsys=capsys)[0] == 0
    con = store.connect(regio_db)
    try:
        with store.transaction(con):
            accounts.set_released(con, "GM0002", "wachtlijst_so", "lea", True, "beheer")
            accounts.set_released(con, "GM0001", "wachtlijst_so", "partner", True, "beheer")
            for login in ("ggd", "zaal", "analist"):
                accounts.audit(con, login, "inloggen", "rol ...")
            accounts.audit(con, "analist", "export", "kinderen.xlsx", ["GM0002"])
            accounts.audit(con, "analist", "export", "kinderen.csv", ["GM0001"])
    finally:
        con.close()
    admin = run_page("beheer", account=Account("beheer1", "beheerder"), params={"gemeente": "GM0001"})
    assert not admin.exception, admin.exception
    table = admin.table[0].value
    # its own and the partner of GM0001 (with only GM0001 named); not zaal (GM0002) nor the
    # accounts that see every gemeente
    assert list(zip(table["Login"], table["Gemeenten"], strict=True)) == [("beheer1", "GM0001"), ("ggd", "GM0001")]
    log = admin.dataframe[0].value
    seen = list(zip(log["Wie"], log["Wat"], log["Details"], strict=True))
    assert ("ggd", "inloggen", "rol ...") in seen
    assert ("beheer", "vrijgave", "wachtlijst_so voor partners in GM0001") in seen
    assert ("analist", "export", "kinderen.csv") in seen
    assert ("opdrachtregel", "gemeenten gewijzigd", "ggd: GM0001, GM0002, GM9999 -> GM0001, GM0002") in seen
    for hidden in (("zaal", "inloggen", "rol ..."), ("analist", "inloggen", "rol ..."),
                   ("analist", "export", "kinderen.xlsx"),
                   ("beheer", "vrijgave", "wachtlijst_so voor de LEA-weergave in GM0002")):
        assert hidden not in seen
    # the CSV is made from the same query, with the account's gemeenten as they are on click
    con = store.connect(regio_db)
    try:
        everything = accounts.audit_log(con)
        assert len(everything) > len(log) and accounts.audit_log(con, scope={"GM0001"}) == [
            row for row in everything if row[0] in set(log["Nummer"])]
    finally:
        con.close()
    # a beheerder of every gemeente still sees everything
    admin = run_page("beheer", account=Account("beheer", "beheerder"), params={"gemeente": "GM0001"})
    assert len(admin.dataframe[0].value) == len(everything)
    assert "zaal" in list(admin.table[0].value["Login"])


KWB_TWO = ROOT / "tests" / "fixtures" / "cbs" / "kwb-2024.csv"  # Utrecht (GM0344) and Veenendaal (GM0345)


def _read_on_the_page(db: Path, own: list[str], chosen: str | None = None, keep_all: bool | None = None):
    """Gemeente laden as an analist tied to `own`: upload the kwb file of two gemeenten and read it."""
    from conftest import add_account

    add_account(db, "ana", "analist", gemeenten=own)
    at = run_page("gemeente_laden", account=Account("ana", "analist"))
    if chosen:
        at.selectbox(key="laden_gemeente").set_value(chosen).run()
    at.file_uploader(key="laden_bestand").set_value(("kwb-2024.csv", KWB_TWO.read_bytes(), "text/csv"))
    at.run()
    if keep_all is not None:
        at.radio(key="laden_bestand_bereik").set_value(keep_all).run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception, at.exception
    return at


def _stored(db) -> list[str]:
    return [code for (code,) in fetch(db, "select distinct gemeente_code from regions"
                                          " where gemeente_code <> 'GM9999' order by 1")]


@pytest.mark.parametrize("chosen", [None, "GM0345"])
def test_a_tied_analist_stores_only_its_gemeenten_from_a_file_and_is_told_the_rest(app_db, chosen):
    at = _read_on_the_page(app_db, ["GM0344", "GM9999"], chosen=chosen)
    assert not at.error
    assert [s.value for s in at.success] == [
        "kwb-2024.csv is ingelezen (Kerncijfers wijken en buurten, 1 gemeente(n)). Kies de gemeente "
        "links in de zijbalk."]
    assert ("Het bestand heeft ook 1 andere gemeente(n) (GM0345); alleen de gemeenten van uw account "
            "zijn opgeslagen, van de andere niets.") in [i.value for i in at.info]  # informs, warns not
    assert _stored(app_db) == ["GM0344"]
    assert fetch(app_db, "select actor, action, gemeenten from audit_log where action = 'cbs-lading'") == [
        ("ana", "cbs-lading", ["GM0344"])]


def test_a_tied_analist_choosing_its_gemeente_sees_the_choice_of_its_own(app_db):
    at = _read_on_the_page(app_db, ["GM0344", "GM0193"], chosen="GM0344", keep_all=True)
    assert at.radio(key="laden_bestand_bereik").options == [
        "Alleen Utrecht (GM0344)", "Alle gemeenten van uw account in het bestand (GM0193, GM0344)"]
    assert not at.error
    assert _stored(app_db) == ["GM0344"]


def test_a_file_without_any_gemeente_of_the_account_is_refused(app_db):
    at = _read_on_the_page(app_db, ["GM0193"])
    assert [e.value for e in at.error] == [
        "kwb-2024.csv is niet ingelezen; er is niets opgeslagen.",
        "Bestand kwb-2024.csv: geen van de gemeenten van uw account (GM0193) staat in het bestand; "
        "er is niets opgeslagen."]
    assert _stored(app_db) == []
    assert fetch(app_db, "select count(*) from audit_log where action = 'cbs-lading'") == [(0,)]


def test_the_command_line_stores_every_gemeente_of_a_file(app_db):
    assert main(["import-cbs", str(KWB_TWO), "--db", str(app_db)]) == 0
    assert _stored(app_db) == ["GM0344", "GM0345"]


def _read_lrk_on_the_page(app_db, own: list[str], name: str, data: bytes):
    from conftest import add_account

    add_account(app_db, "ana", "analist", gemeenten=own)
    at = run_page("gemeente_laden", account=Account("ana", "analist"))
    at.file_uploader(key="laden_lrk").set_value((name, data, "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_lrk_export_without_a_location_of_the_account_is_refused(app_db):
    lrk = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
    before = fetch(app_db, "select count(*) from loads where dataset like 'lrk%'")
    at = _read_lrk_on_the_page(app_db, ["GM0344"], lrk.name, lrk.read_bytes())
    assert [e.value for e in at.error] == [
        f"{lrk.name} is niet ingelezen; er is niets opgeslagen.",
        "De export heeft geen locaties waarvoor GM0344 de verantwoordelijke gemeente is; er is niets "
        "opgeslagen. Kies in het register de gemeente van uw account, of lees de landelijke export in "
        "met een account voor alle gemeenten."]
    assert fetch(app_db, "select count(*) from loads where dataset like 'lrk%'") == before


def test_a_tied_analist_reads_the_national_lrk_export_for_its_own_gemeente(app_db):
    # the register's open data is one national file: the analist of Voorbeeldstad keeps its own
    # locations and is told about the others, which are not stored and count nowhere
    lrk = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
    data = lrk.read_bytes()  # cp1252 with CRLF, as the register writes it
    other = ("555000001;KDV;Elders Kinderopvang;40;J;Ingeschreven;01-01-2020;;Dorpsstraat 1;9999 ZZ;"
             "Elders;GM0344;;;;;;;;;;\r\n"
             "555000002;BSO;Elders BSO;20;N;Ingeschreven;01-01-2020;;Dorpsstraat 2;9999 ZZ;"
             "Elders;GM0344;;;;;;;;;;\r\n").encode("cp1252")
    national = data + (b"" if data.endswith(b"\n") else b"\r\n") + other
    at = _read_lrk_on_the_page(app_db, ["GM9999"], "lrk_export_2024.csv", national)
    assert not at.error, [e.value for e in at.error]
    assert ("2 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de locaties van "
            "Voorbeeldstad (GM9999) horen bij uw account.") in [i.value for i in at.info]
    stored = fetch(app_db, "select distinct register_gemeente_code from raw_lrk__locations r"
                           " join loads using (load_id) where loads.file_name = 'lrk_export_2024.csv'")
    assert stored == [("GM9999",)]
    assert fetch(app_db, "select count(*) from raw_lrk__locations where lrk_id like '555%'") == [(0,)]


@pytest.mark.parametrize("regions", [["Nederland"], ["Nederland", "Zwolle (gemeente)", "Utrecht (gemeente)"]])
def test_a_tied_analist_keeps_the_national_age_profile_and_only_its_own_gemeente(app_db, tmp_path, regions):
    # 03759ned as the README asks for it: the gemeente and Nederland (the profile of gemeenten
    # without their own); Nederland is no other gemeente's figure, Utrecht is
    from conftest import add_account
    from test_cbs_statline_ages import TITLE_HEADER, title_rows

    text = "\n".join([TITLE_HEADER, *(row for region in regions for row in title_rows(region))]) + "\n"
    add_account(app_db, "ana", "analist", gemeenten=["GM0193", "GM9999"])
    at = run_page("gemeente_laden", account=Account("ana", "analist"))
    at.file_uploader(key="laden_bestand").set_value(("03759ned.csv", text.encode("utf-8-sig"), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    stored = {code for (code,) in fetch(app_db, "select distinct gemeente_code from raw_cbs__population_by_age")}
    assert "NL01" in stored and "GM0344" not in stored
    assert ("GM0193" in stored) == ("Zwolle (gemeente)" in regions)
