"""Who may see and do what: demo mode, login, pages per role, partner uploads, releases, audit log."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import add_account, delivery_history, run_page, upload_registration  # noqa: E402
from support import filled_template  # noqa: E402

from data_sources import store  # noqa: E402
from data_sources.accounts import Account  # noqa: E402
from data_sources.registrations.schemas import REGISTRATION_TYPES  # noqa: E402

GGD = "GGD Voorbeeldregio (JGZ)"
PASSWORD = "correct paard batterij"
ALL_PAGES = {"overzicht", "kaart", "continuum", "tekorten", "trends", "analysevragen", "scenarios",
             "presentatie", "databronnen", "aanleveren", "gemeente_laden", "beheer"}


def pages_of(at) -> set[str]:
    """The pages the navigation offers this session (file stems)."""
    return {Path(str(info["script_path"])).stem for info in at._registered_pages.values()
            if info.get("script_path")}


def fetch(db: Path, sql: str, params=()) -> list[tuple]:
    # read-write, as the app's connection in this process, else DuckDB refuses the second open
    con = duckdb.connect(str(db), config=store.CONNECT_CONFIG)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def signed_in_partner(login: str):
    """The app with a partner signed in through the login form, on its upload page."""
    at = run_page()
    at.text_input(key="login_naam").set_value(login)
    at.text_input(key="login_wachtwoord").set_value(PASSWORD)
    at.button[0].click()
    at.run()
    assert at.title[0].value == "Gegevens aanleveren"
    return at


def text_of(at) -> str:
    return " ".join(str(e.value) for e in [*at.title, *at.markdown, *at.caption, *at.info,
                                            *at.warning, *at.error, *at.success])


def test_demo_mode_shows_only_the_sample_gemeente_and_says_so(app_db):
    # a second gemeente in the database (real figures, say) must not appear without a login
    fetch(app_db, "insert into population_by_wijk_age by name (select * replace"
                  " ('GM0344' as gemeente_code, 'WK0344' || right(wijk_code, 2) as wijk_code)"
                  " from population_by_wijk_age where gemeente_code = 'GM9999')")
    at = run_page()
    assert not at.exception
    assert "Demomodus" in at.sidebar.warning[0].value
    assert at.selectbox(key="_gemeente_code_choice").options == ["Voorbeeldstad (GM9999, fictief)"]
    assert pages_of(at) == ALL_PAGES - {"gemeente_laden", "beheer"}


def test_once_an_account_exists_every_page_asks_for_a_login(app_db):
    add_account(app_db, "beheer", "beheerder")
    at = run_page()
    assert not at.exception
    assert [t.value for t in at.title] == ["Inloggen bij Kindkaart"]
    assert pages_of(at) == set()  # the login page is a function; no page file is reachable
    with pytest.raises(ValueError):
        at.switch_page("pages/overzicht.py")


def test_login_with_a_wrong_then_the_right_password_is_logged(app_db):
    add_account(app_db, "ggd", "partner", GGD)
    at = run_page()
    at.text_input(key="login_naam").set_value("ggd")
    at.text_input(key="login_wachtwoord").set_value("fout wachtwoord!")
    at.button[0].click()
    at.run()
    assert "klopt niet" in at.error[0].value
    at.text_input(key="login_wachtwoord").set_value(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Gegevens aanleveren"  # a partner starts where it delivers
    assert "Ingelogd als **ggd** (partner, GGD Voorbeeldregio (JGZ))" in at.sidebar.caption[0].value
    log = fetch(app_db, "select actor, action from audit_log order by event_id")
    # each attempt is logged before its password is checked, its outcome after
    assert log[-4:] == [("ggd", "inlogpoging"), ("ggd", "inloggen mislukt"),
                        ("ggd", "inlogpoging"), ("ggd", "inloggen")]


def test_an_unknown_login_gets_the_same_answer_as_a_wrong_password(app_db):
    # the unknown login is checked against a dummy hash (made at this first attempt), so that
    # neither the answer nor its time tells which logins exist
    add_account(app_db, "ggd", "partner", GGD)
    at = run_page()
    at.text_input(key="login_naam").set_value("bestaat-niet")
    at.text_input(key="login_wachtwoord").set_value(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert "klopt niet" in at.error[0].value
    assert at.title[0].value == "Inloggen bij Kindkaart"


@pytest.mark.parametrize("role, organisation, expected", [
    ("beheerder", None, ALL_PAGES),
    ("analist", None, ALL_PAGES - {"aanleveren", "beheer"}),
    ("partner", GGD, {"overzicht", "kaart", "aanleveren"}),
    ("lea", None, {"presentatie", "overzicht"}),
])
def test_pages_per_role(app_db, role, organisation, expected):
    add_account(app_db, role, role, organisation)
    at = run_page(account=Account(role, role, organisation))
    assert not at.exception
    assert pages_of(at) == expected
    for page in ALL_PAGES - expected:
        with pytest.raises(ValueError):
            at.switch_page(f"pages/{page}.py")


def test_a_disabled_account_is_signed_out_on_its_next_click(app_db):
    add_account(app_db, "ggd", "partner", GGD)
    at = run_page(account=Account("ggd", "partner", GGD))
    assert at.title[0].value == "Gegevens aanleveren"
    fetch(app_db, "update accounts set active = false where login = 'ggd'")
    at.run()
    titles = [t.value for t in at.title]
    # AppTest reruns the page file itself, which stops on its own (ui.auth.guard_page)
    assert "Gegevens aanleveren" not in titles
    assert titles == ["Inloggen bij Kindkaart"] or "Log eerst in" in at.info[0].value



def test_a_partner_uploads_as_its_own_organisation_and_sees_only_its_own_history(app_db):
    add_account(app_db, "kdv", "partner", "Kinderopvang Zonnetje")
    account = Account("kdv", "partner", "Kinderopvang Zonnetje")
    at = run_page(account=account)
    assert not at.exception
    # no field to type another organisation's name
    assert not [t for t in at.text_input if t.key == "aanleveren_organisatie"]
    assert at.text_input(key="aanleveren_eigen_organisatie").disabled
    assert "Nog geen aanleveringen" in text_of(at)  # the other organisations' uploads are not shown
    # the gemeente's population register is not a partner's to replace
    assert "bevolking" not in at.selectbox(key="aanleveren_soort").options
    assert len(at.selectbox(key="aanleveren_soort").options) == 9
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]])
    at.text_input(key="aanleveren_periode").set_value("2024")
    upload_registration(at, "vve-indicaties", "vve.xlsx", data)
    [button for button in at.button if button.label == "Bevestigen en opslaan"][0].click()
    at.run()
    assert not at.exception
    stored = fetch(app_db, "select organisation, loaded_by, status from loads"
                           " where file_name = 'vve.xlsx'")
    assert stored == [("Kinderopvang Zonnetje", "kdv", "active")]
    history = delivery_history(at)
    assert set(history["Organisatie"]) == {"Kinderopvang Zonnetje"}
    log = fetch(app_db, "select actor, action, detail from audit_log where action = 'upload'")
    assert log[0][0] == "kdv" and "vve-indicaties, Kinderopvang Zonnetje, 2024" in log[0][2]


def test_a_partner_cannot_restore_another_organisations_upload(app_db):
    from data_sources import jobs, store
    from data_sources.errors import InputRefused

    superseded = fetch(app_db, "select load_id from loads where source = 'partner' limit 1")[0][0]
    con = store.connect(app_db)
    try:
        with pytest.raises(InputRefused, match="niet van uw organisatie"):
            jobs.restore_upload(con, superseded, organisation="Kinderopvang Zonnetje", actor="kdv")
        with pytest.raises(InputRefused) as refused:  # named by the number the partner knows
            jobs.restore_upload(con, superseded, organisation="Kinderopvang Zonnetje", actor="kdv",
                                shown_as=2)
        assert refused.value.messages == ["Upload 2 bestaat niet of is niet van uw organisatie."]
    finally:
        con.close()


def test_the_gemeente_as_a_partner_neither_sees_nor_restores_its_brp(app_db):
    """The gemeente delivers jeugdhulp as a partner (handreiking row 8; the sample's jeugdhulp comes
    from 'Gemeente Voorbeeldstad'), under the name its BRP extracts carry too. Its partner account
    listed the BRP uploads as its own and could restore an earlier one, though a partner never
    delivers or replaces the population of the gemeente."""
    from data_sources import jobs, store
    from data_sources.errors import InputRefused

    organisation = "Gemeente Voorbeeldstad"
    brp = fetch(app_db, "select load_id from loads where dataset = 'bevolking' and status = 'active'")[0][0]
    con = store.connect(app_db)
    try:  # a newer extract replaces the sample's: the sample's is an earlier version now
        jobs.import_registration(con, filled_template("bevolking", [["BU99990101", 0, 10]]),
                                 "bevolking", organisation, "2024", "brp-nieuw.xlsx",
                                 gemeente_code="GM9999")
    finally:
        con.close()
    add_account(app_db, "gemeente", "partner", organisation)
    at = run_page(account=Account("gemeente", "partner", organisation))
    assert not at.exception
    shown = at.dataframe[0].value
    kinds = set(shown["Soort"])
    assert REGISTRATION_TYPES["jeugdhulp"].label in kinds and REGISTRATION_TYPES["bevolking"].label not in kinds
    assert not [s for s in at.selectbox if s.key == "aanleveren_herstel"]  # nothing of its own to restore
    before = fetch(app_db, "select load_id, status from loads order by load_id")
    con = store.connect(app_db)
    try:
        with pytest.raises(InputRefused) as refused:  # a forged request
            jobs.restore_upload(con, brp, organisation=organisation, gemeente_code="GM9999", shown_as=1)
        assert refused.value.messages == ["Upload 1 bestaat niet of is niet van uw organisatie."]
    finally:
        con.close()
    assert fetch(app_db, "select load_id, status from loads order by load_id") == before


def test_a_restore_from_one_gemeentes_page_never_restores_another_gemeentes_upload(app_db):
    # the page passes its gemeente: an upload id of another gemeente (a forged request) is
    # refused as one that does not exist there, and nothing changes
    from data_sources import jobs, store
    from data_sources.errors import InputRefused

    load_id, organisation, status = fetch(
        app_db, "select load_id, organisation, status from loads where source = 'partner'"
                " and gemeente_code = 'GM9999' limit 1")[0]
    before = fetch(app_db, "select load_id, status from loads order by load_id")
    con = store.connect(app_db)
    try:
        with pytest.raises(InputRefused) as refused:
            jobs.restore_upload(con, load_id, organisation=organisation, gemeente_code="GM0363",
                                shown_as=4)
        assert refused.value.messages == ["Upload 4 bestaat niet of hoort niet bij deze gemeente."]
    finally:
        con.close()
    assert fetch(app_db, "select load_id, status from loads order by load_id") == before


def test_partner_indicators_appear_for_partners_once_released(app_db):
    add_account(app_db, "ggd", "partner", GGD)
    add_account(app_db, "beheer", "beheerder")
    partner = Account("ggd", "partner", GGD)
    at = run_page("kaart", account=partner)
    assert not at.exception
    before = at.selectbox(key="_indicator_choice").options
    assert not [label for label in before if "Vve" in label or "Wachtlijst" in label]

    admin = run_page("beheer", account=Account("beheer", "beheerder"))
    assert not admin.exception
    admin.multiselect(key="vrijgave_partner_GM9999").select("vve_per_100")
    admin.run()
    assert not admin.exception
    assert fetch(app_db, "select indicator_key, audience, released_by from indicator_releases") == [
        ("vve_per_100", "partner", "beheer")]

    at = run_page("kaart", account=partner)
    after = at.selectbox(key="_indicator_choice").options
    assert "Vve-indicaties taal/spraak per 100 kinderen (waargenomen)" in after
    assert not [label for label in after if "Wachtlijst" in label]


def test_beheer_shows_the_audit_log_and_exports_it(app_db):
    add_account(app_db, "beheer", "beheerder")
    fetch(app_db, "insert into audit_log (actor, action, detail) values"
                  " ('ggd', 'upload', '=HYPERLINK(\"x\")')")
    at = run_page("beheer", account=Account("beheer", "beheerder"))
    assert not at.exception
    log = at.dataframe[0].value
    assert ("ggd", "upload") in set(zip(log["Wie"], log["Wat"], strict=True))
    csv = at.get("download_button")[0].proto
    assert csv.label == "Logboek (CSV)"


def test_cli_actions_are_logged_as_the_command_line(app_db, tmp_path):
    from data_sources.cli import main

    assert main(["export", "-o", str(tmp_path / "kinderen.csv"), "--db", str(app_db)]) == 0
    log = fetch(app_db, "select actor, action, detail from audit_log where action = 'export'")
    assert log == [("opdrachtregel", "export", "kinderen.csv (GM9999, 2024)")]


def test_guessing_passwords_is_stopped_after_five_failures(app_db):
    add_account(app_db, "ggd", "partner", GGD)
    at = run_page()
    for attempt in range(6):
        at.text_input(key="login_naam").set_value("ggd")
        at.text_input(key="login_wachtwoord").set_value(f"geraden {attempt}")
        at.button[0].click()
        at.run()
    assert "Te veel mislukte pogingen" in at.error[0].value
    # now even the right password waits
    at.text_input(key="login_wachtwoord").set_value(PASSWORD)
    at.button[0].click()
    at.run()
    assert "Te veel mislukte pogingen" in at.error[0].value
    assert fetch(app_db, "select count(*) from audit_log where action = 'inloggen mislukt'") == [(5,)]


BLOCKED_VICTIM = ("login 'victim': te veel mislukte pogingen (verdere weigeringen binnen 15 minuten staan"
                  " niet apart in het logboek)")


def test_a_login_refused_by_the_lockout_is_in_the_audit_log_once_per_window(app_db):
    add_account(app_db, "ggd", "partner", GGD)
    at = run_page()
    for attempt, login in enumerate(["ggd"] * 5 + ["ggd", "GGD", "Ggd"]):
        at.text_input(key="login_naam").set_value(login)
        at.text_input(key="login_wachtwoord").set_value(f"geraden {attempt}")
        at.button[0].click()
        at.run()
    assert "Te veel mislukte pogingen" in at.error[0].value
    at.text_input(key="login_wachtwoord").set_value(PASSWORD)  # the right one waits too
    at.button[0].click()
    at.run()
    assert "Te veel mislukte pogingen" in at.error[0].value
    blocked = "select actor, detail from audit_log where action = 'inloggen geblokkeerd' order by event_id"
    detail = BLOCKED_VICTIM.replace("victim", "ggd")
    # four refusals (the letter case of the login varies): one line, naming who was refused
    assert fetch(app_db, blocked) == [("ggd", detail)]
    assert fetch(app_db, "select count(*) from audit_log where action = 'inloggen mislukt'") == [(5,)]
    # the beheerder sees it on Beheer
    add_account(app_db, "beheer", "beheerder")
    log = run_page("beheer", account=Account("beheer", "beheerder")).dataframe[0].value
    assert ("ggd", "inloggen geblokkeerd") in set(zip(log["Wie"], log["Wat"], strict=True))
    # a line older than the lockout window: the next refusal writes a new one
    con = store.connect(app_db)
    try:
        con.execute("update audit_log set happened_at = happened_at - interval 16 minute"
                    " where action = 'inloggen geblokkeerd'")
    finally:
        con.close()
    at.button[0].click()
    at.run()
    assert "Te veel mislukte pogingen" in at.error[0].value
    assert fetch(app_db, blocked) == [("ggd", detail), ("Ggd", detail)]  # the login as typed


def test_a_locked_client_trying_ever_new_logins_writes_one_line(app_db):
    from data_sources import accounts

    con = store.connect(app_db)
    try:
        for number in range(accounts.MAX_CLIENT_FAILURES):
            accounts.finish_login(con, accounts.begin_login(con, f"login{number}", "192.0.2.7"), False)
        for number in range(50):  # random login names from the locked address
            assert accounts.begin_login(con, f"willekeurig{number}", "192.0.2.7") is None
        # another locked login's own line is not this one
        for _attempt in range(accounts.MAX_FAILURES):
            accounts.finish_login(con, accounts.begin_login(con, "ggd", "198.51.100.1"), False)
        assert accounts.begin_login(con, "ggd", "198.51.100.1") is None
        assert accounts.begin_login(con, "ggd", "198.51.100.1") is None
        assert con.execute("select actor, detail from audit_log where action = 'inloggen geblokkeerd'"
                           " order by event_id").fetchall() == [
            ("willekeurig0", "adres '192.0.2.7': te veel mislukte pogingen (verdere weigeringen binnen "
                             "15 minuten staan niet apart in het logboek)"),
            ("ggd", BLOCKED_VICTIM.replace("victim", "ggd"))]
    finally:
        con.close()


def test_with_an_identity_provider_the_login_page_offers_its_button(app_db):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    add_account(app_db, "anna@gemeente.nl", "analist")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "alleen-voor-deze-test", "client_id": "kindkaart",
                          "client_secret": "alleen-voor-deze-test",
                          "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Inloggen bij Kindkaart"]
    assert [b.label for b in at.button] == ["Inloggen"]
    assert not at.text_input  # no password form: the identity provider signs people in


def test_a_download_is_logged_as_its_account_and_refused_once_that_account_is_disabled(
        app_db, analist, monkeypatch):
    # A download's data is made on click, outside the page's run, where the session's login is
    # not at hand: the export was logged as 'demo'. It is now logged as the account that drew the
    # page, and an account disabled since gets no data.
    import ui.auth as auth
    from ui.data import close_idle

    monkeypatch.setattr(auth, "current_account", lambda: analist)
    download = auth.audited("kinderen.xlsx", lambda: b"de gegevens")
    assert download() == b"de gegevens"
    close_idle()
    con = store.connect(app_db)
    try:
        assert con.execute("select actor, action, detail from audit_log order by event_id desc limit 1"
                           ).fetchone() == ("analist", "export", "kinderen.xlsx")
        con.execute("update accounts set active = false where login = 'analist'")
        exports = con.execute("select count(*) from audit_log where action = 'export'").fetchone()
    finally:
        con.close()
    assert download() == auth.DOWNLOAD_REFUSED.encode()
    close_idle()
    con = store.connect(app_db, read_only=True)
    try:
        assert con.execute("select count(*) from audit_log where action = 'export'").fetchone() == exports
    finally:
        con.close()


def test_a_disabled_account_is_enabled_again_on_the_command_line_and_logged(app_db, capsys):
    from data_sources import accounts
    from data_sources.cli import main

    add_account(app_db, "ggd", "partner", GGD)
    assert main(["users", "disable", "ggd", "--db", str(app_db)]) == 0
    assert main(["users", "enable", "GGD", "--db", str(app_db)]) == 0  # any letter case
    assert "ggd is weer ingeschakeld" in capsys.readouterr().out.lower()
    con = store.connect(app_db)
    try:
        # the same role, organisation and password as before
        assert accounts.verify_login(con, "ggd", PASSWORD) == Account("ggd", "partner", GGD)
        assert con.execute("select disabled_at from accounts where login = 'ggd'").fetchone() == (None,)
    finally:
        con.close()
    log = fetch(app_db, "select actor, action, detail from audit_log where action like 'account %'"
                        " order by event_id")
    assert log[-2:] == [("opdrachtregel", "account uitgeschakeld", "ggd"),
                        ("opdrachtregel", "account ingeschakeld", "GGD")]
    # an active account or an unknown login: a Dutch answer, nothing logged
    assert main(["users", "enable", "ggd", "--db", str(app_db)]) != 0
    assert main(["users", "enable", "niemand", "--db", str(app_db)]) != 0
    said = capsys.readouterr().out
    assert "Het account 'ggd' is niet uitgeschakeld." in said and "Er is geen account 'niemand'." in said
    assert len(fetch(app_db, "select * from audit_log where action = 'account ingeschakeld'")) == 1


PAYLOAD = ("GM0000 ![](http://tracker.example/pixel.png) — uw sessie is verlopen: "
           "[log hier opnieuw in](https://phish.example/login) <img src=x onerror=alert(1)> "
           "www.phish.example :red[rood]")


def _markdown_is_plain(text: str) -> bool:
    """No link, image, HTML, entity, autolink, code or directive can start in `text`: each
    character that could start one is escaped, and so are the colon of "://" and the dot of
    "www."."""
    import re

    special = r"[\\\[\]!<>&$`@]"
    rest = re.sub(r"\\(" + special + r"|:(?=//)|\.)", "", text)
    return (re.search(special, rest) is None and "://" not in rest
            and re.search(r"(?i)www\.", rest) is None)


@pytest.mark.parametrize("role, organisation", [("partner", GGD), ("lea", None), ("analist", None)])
def test_a_gemeente_in_the_link_never_puts_a_link_or_image_in_the_notice(app_db, role, organisation):
    # A link like /?gemeente=GM0000 ![](http://tracker...) [log in](https://phish...) showed a
    # warning with a foreign link and made the browser fetch a foreign image, also on the projector.
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    add_account(app_db, role, role, organisation)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["kindkaart_account"] = Account(role, role, organisation)
    at.query_params["gemeente"] = PAYLOAD
    at.run()
    assert not at.exception
    [notice] = [str(w.value) for w in at.warning if "uit de link" in str(w.value)]
    # partner and LEA accounts are tied to their gemeente: not told whether another one is loaded
    tied = role in ("partner", "lea")
    assert notice.startswith("De gemeente uit de link hoort niet bij uw account; u ziet nu Voorbeeldstad"
                             if tied else "De gemeente uit de link is niet geladen; u ziet nu Voorbeeldstad")
    for foreign in ("tracker", "phish", "](", "<img", ":red["):
        assert foreign not in notice
    # a gemeente code is still named
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["kindkaart_account"] = Account(role, role, organisation)
    at.query_params["gemeente"] = "GM0363"
    at.run()
    expected = ("De gemeente uit de link hoort niet bij uw account" if tied
                else "Gemeente GM0363 uit de link is niet geladen")
    assert any(str(w.value).startswith(expected) for w in at.warning)


def test_plain_text_starts_no_markdown():
    from ui.safe import plain

    shown = plain(PAYLOAD + "\n# kop\n- lijst `code` **vet** $x$ a@b.nl")
    assert _markdown_is_plain(shown)
    assert "\n" not in shown
    # what a reader sees: the same characters, backslashes dropped
    assert shown.replace("\\", "") == " ".join((PAYLOAD + " # kop - lijst `code` **vet** $x$ a@b.nl").split())
    # names and messages read as they are
    assert plain("kwb-2024.xlsx, kolom a_00_14: GGD Voorbeeldregio (JGZ)") == (
        "kwb-2024.xlsx, kolom a_00_14: GGD Voorbeeldregio (JGZ)")


def test_parallel_login_attempts_never_check_more_passwords_than_the_limit(app_db):
    # 20 tabs submitted at once: all 20 read "0 failures" before any was recorded, 19 wrong guesses
    # were checked and the right one in the same burst signed in. Now each attempt is recorded in
    # the transaction that checks the count, and attempts at the same moment conflict there.
    import threading

    from data_sources import accounts

    add_account(app_db, "victim", "analist")
    con = store.connect(app_db)
    outcomes: list[str] = []
    start = threading.Barrier(20)

    def tab(number: int) -> None:
        cursor = con.cursor()
        start.wait()
        attempt = accounts.begin_login(cursor, "Victim" if number % 2 else "victim", None)
        if attempt is None:
            outcomes.append("te veel")
            return
        account = accounts.verify_login(cursor, "victim", f"geraden {number}")  # argon2, ~0.1 s
        with store.transaction(cursor):
            accounts.finish_login(cursor, attempt, account is not None)
        outcomes.append("binnen" if account else "fout")

    try:
        tabs = [threading.Thread(target=tab, args=(number,)) for number in range(20)]
        for each in tabs:
            each.start()
        for each in tabs:
            each.join()
        assert len(outcomes) == 20
        assert outcomes.count("te veel") == 20 - accounts.MAX_FAILURES  # only five checked
        assert outcomes.count("fout") == accounts.MAX_FAILURES
        checked = con.execute("select count(*) from login_attempts where login = 'victim'").fetchone()
        assert checked == (accounts.MAX_FAILURES,)
        # now even the right password waits
        assert accounts.begin_login(con.cursor(), "victim", None) is None
        # 16 refusals, some at the same moment: one audit line (accounts._audit_blocked)
        assert con.execute("select actor, detail from audit_log where action = 'inloggen geblokkeerd'"
                           ).fetchall() in ([("victim", BLOCKED_VICTIM)], [("Victim", BLOCKED_VICTIM)])
    finally:
        con.close()


def test_one_client_guessing_over_many_logins_is_stopped_too(app_db):
    from data_sources import accounts

    con = store.connect(app_db)
    try:
        for number in range(accounts.MAX_CLIENT_FAILURES):
            attempt = accounts.begin_login(con, f"login{number}", "192.0.2.7")
            assert attempt is not None
            accounts.finish_login(con, attempt, False)
        # a new login from the same address waits; another address does not
        assert accounts.begin_login(con, "nog-een", "192.0.2.7") is None
        assert accounts.begin_login(con, "nog-een", "198.51.100.1") is not None
    finally:
        con.close()


def test_login_forms_submitted_at_once_check_no_more_than_the_limit(app_db):
    # The same through the login page: ten sessions submit a wrong password at once.
    import threading

    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    add_account(app_db, "victim", "analist")
    sessions = []
    for _ in range(10):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        at.text_input(key="login_naam").set_value("victim")
        at.text_input(key="login_wachtwoord").set_value("een fout wachtwoord")
        at.button[0].click()
        sessions.append(at)
    start = threading.Barrier(len(sessions))

    def submit(at) -> None:
        start.wait()
        at.run()

    threads = [threading.Thread(target=submit, args=(at,)) for at in sessions]
    for each in threads:
        each.start()
    for each in threads:
        each.join()
    answers = [at.error[0].value if at.error else "" for at in sessions]
    assert sum("klopt niet" in answer for answer in answers) == 5
    assert sum("Te veel mislukte pogingen" in answer for answer in answers) == 5
    assert fetch(app_db, "select count(*) from audit_log where action = 'inloggen mislukt'") == [(5,)]


def test_a_login_spelled_with_another_capital_i_is_not_a_fresh_count_of_guesses(app_db):
    # Python lowers 'İ' (capital I with a dot) to 'i' plus a combining dot, DuckDB to a plain 'i':
    # the lockout counted 'analİst' as a login of its own while the check of its password found
    # the account 'analist', so every 'i' of a login doubled the guesses before the lockout.
    add_account(app_db, "analist", "analist")
    at = run_page()

    def sign_in(login: str, password: str) -> str:
        at.text_input(key="login_naam").set_value(login)
        at.text_input(key="login_wachtwoord").set_value(password)
        at.button[0].click()
        at.run()
        assert not at.exception
        return at.error[0].value if at.error else ""

    for attempt in range(5):
        assert "klopt niet" in sign_in("analist", f"geraden {attempt}")
    assert "Te veel mislukte pogingen" in sign_in("analist", PASSWORD)
    for variant in ("anal\u0130st", "ANAL\u0130ST"):
        assert sign_in(variant, PASSWORD)  # refused, whatever the words
        assert [t.value for t in at.title] == ["Inloggen bij Kindkaart"]
    assert fetch(app_db, "select count(*) from audit_log where action = 'inloggen'") == [(0,)]


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(app_db, monkeypatch, capsys):
    # A leaked password had no remedy but disabling the account for good (enable brings the same
    # password back); now `users set-wachtwoord` replaces it, and whoever signed in with the old one
    # (the one who found it, say) is signed out at the next click.
    import io

    from data_sources.cli import main

    add_account(app_db, "ggd", "partner", GGD)
    at = signed_in_partner("ggd")
    at.run()  # another click: still signed in
    assert at.title[0].value == "Gegevens aanleveren"

    monkeypatch.setattr("sys.stdin", io.StringIO("een heel nieuw wachtwoord\n"))
    assert main(["users", "set-wachtwoord", "GGD", "--wachtwoord-stdin", "--db", str(app_db)]) == 0
    assert "ggd heeft een nieuw wachtwoord" in capsys.readouterr().out.lower()
    at.run()
    titles = [t.value for t in at.title]
    assert "Gegevens aanleveren" not in titles
    assert titles == ["Inloggen bij Kindkaart"] or "Log eerst in" in at.info[0].value
    assert fetch(app_db, "select actor, action, detail from audit_log where action = 'wachtwoord gewijzigd'"
                 ) == [("opdrachtregel", "wachtwoord gewijzigd", "ggd")]

    fresh = run_page()
    for password, signed_in in ((PASSWORD, False), ("een heel nieuw wachtwoord", True)):
        fresh.text_input(key="login_naam").set_value("ggd")
        fresh.text_input(key="login_wachtwoord").set_value(password)
        fresh.button[0].click()
        fresh.run()
        assert (fresh.title[0].value == "Gegevens aanleveren") is signed_in

    # too short, an unknown login, an account of the identity provider: a Dutch refusal, no line
    add_account(app_db, "anna@gemeente.nl", "analist", password=None)
    for login, password in (("ggd", "kort"), ("niemand", "nog een lang wachtwoord"),
                            ("anna@gemeente.nl", "nog een lang wachtwoord")):
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        assert main(["users", "set-wachtwoord", login, "--wachtwoord-stdin", "--db", str(app_db)]) != 0
    said = capsys.readouterr().out
    assert "minstens 12 tekens" in said and "Er is geen account 'niemand'." in said
    assert "logt in via de identiteitsprovider" in said
    assert len(fetch(app_db, "select * from audit_log where action = 'wachtwoord gewijzigd'")) == 1


@pytest.mark.parametrize("change", ["role = 'lea'", "organisation = 'Kinderopvang Zonnetje'"])
def test_an_account_given_another_role_or_organisation_is_signed_out_on_its_next_click(app_db, change):
    # a partner made LEA (or moved to another organisation) must not keep its upload page, nor
    # deliver in the name of its former organisation, until it signs in again
    add_account(app_db, "ggd", "partner", GGD)
    at = signed_in_partner("ggd")
    fetch(app_db, f"update accounts set {change} where login = 'ggd'")
    at.run()
    titles = [t.value for t in at.title]
    assert "Gegevens aanleveren" not in titles
    assert titles == ["Inloggen bij Kindkaart"] or "Log eerst in" in at.info[0].value


def test_users_set_rol_changes_a_role_on_the_command_line_and_logs_it(app_db, capsys):
    # a role could only be changed in the database by hand; `users set-rol` does it, writes the
    # audit line, and the session with the old role ends at its next click
    from data_sources.cli import main

    add_account(app_db, "ggd", "partner", GGD)
    at = signed_in_partner("ggd")
    assert main(["users", "set-rol", "GGD", "--rol", "lea", "--db", str(app_db)]) == 0
    assert "ggd is nu lea van GGD Voorbeeldregio (JGZ)" in capsys.readouterr().out
    at.run()
    assert "Gegevens aanleveren" not in [t.value for t in at.title]
    assert fetch(app_db, "select actor, detail from audit_log where action = 'rol gewijzigd'") == [
        ("opdrachtregel", f"ggd: partner van {GGD} -> lea van {GGD}")]
    assert fetch(app_db, "select role from accounts where login = 'ggd'") == [("lea",)]

    # refused, in Dutch, nothing changed: an unknown login, no change, a partner without an
    # organisation, and an analist (who sees every gemeente) made LEA without saying --alle
    add_account(app_db, "ana", "analist")
    for args, said in (
            (["niemand", "--rol", "lea"], "Er is geen account 'niemand'."),
            (["ggd", "--rol", "lea"], "er verandert niets"),
            (["ana", "--rol", "partner"], "geef --organisatie op"),
            (["ana", "--rol", "lea"], "bind het eerst met `users set-gemeente ana")):
        assert main(["users", "set-rol", *args, "--db", str(app_db)]) != 0
        assert said in capsys.readouterr().out
    assert fetch(app_db, "select login, role, organisation from accounts order by login") == [
        ("ana", "analist", None), ("ggd", "lea", GGD)]
    assert main(["users", "set-rol", "ana", "--rol", "lea", "--alle", "--db", str(app_db)]) == 0
    assert main(["users", "set-rol", "ggd", "--rol", "partner", "--organisatie", "Kinderopvang Zon",
                 "--db", str(app_db)]) == 0
    assert fetch(app_db, "select login, role, organisation from accounts order by login") == [
        ("ana", "lea", None), ("ggd", "partner", "Kinderopvang Zon")]
    assert len(fetch(app_db, "select * from audit_log where action = 'rol gewijzigd'")) == 3


def test_an_organisation_spelled_as_another_with_other_capitals_or_accents_is_refused(app_db, capsys):
    """Uploads of one organisation replace each other by its name as written. A second account
    for the sample's 'GGD Voorbeeldregio (JGZ)' typed as 'GGD voorbeeldregio (JGZ)' was accepted:
    its vve upload for 2024 then stood beside the first one's (its Organisatie sheet, compared
    without capitals, passed), both active, and the figures counted the same children twice."""
    from data_sources.cli import main

    def refused(args) -> str:
        assert main([*args, "--db", str(app_db)]) == 1
        return capsys.readouterr().out

    for spelled in ("GGD voorbeeldregio (JGZ)", "GGD Voorbeeldregio  JGZ", "ggd voorbéeldregio (jgz)"):
        said = refused(["users", "add", "ggd2", "--rol", "partner", "--organisatie", spelled, "--oidc"])
        assert f"'{GGD}'" in said and "schrijfwijze" in said, said
    add_account(app_db, "ana", "analist")
    said = refused(["users", "set-rol", "ana", "--rol", "partner", "--organisatie", "ggd voorbeeldregio (jgz)"])
    assert f"'{GGD}'" in said, said
    assert fetch(app_db, "select login from accounts order by login") == [("ana",)]
    # written as the organisation is known, it is the same organisation: accepted
    assert main(["users", "add", "ggd2", "--rol", "partner", "--organisatie", GGD, "--oidc",
                 "--db", str(app_db)]) == 0
