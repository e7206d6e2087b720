"""Kindkaart: the Streamlit entry point; a router over pages/ with the shared sidebar."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent

# The icon is a file of our own: a material icon as page icon is fetched from Google's font servers
# on every visit (no third party sees who opens Kindkaart, and it works offline).
st.set_page_config(page_title="Kindkaart", page_icon=str(HERE / "ui" / "static" / "favicon.png"),
                   layout="wide")

PAGES = {
    "Analyse": [
        st.Page(HERE / "pages" / "overzicht.py", title="Overzicht", icon=":material/bar_chart:", default=True),
        st.Page(HERE / "pages" / "kaart.py", title="Kaart", icon=":material/map:"),
        st.Page(HERE / "pages" / "continuum.py", title="Continuüm", icon=":material/stacked_bar_chart:"),
        st.Page(HERE / "pages" / "tekorten.py", title="Tekorten", icon=":material/trending_down:"),
        st.Page(HERE / "pages" / "trends.py", title="Trends", icon=":material/show_chart:"),
        st.Page(HERE / "pages" / "analysevragen.py", title="Analysevragen", icon=":material/quiz:"),
        st.Page(HERE / "pages" / "presentatie.py", title="Presentatie", icon=":material/slideshow:"),
    ],
    "Planvorming": [
        st.Page(HERE / "pages" / "scenarios.py", title="Scenario's", icon=":material/compare:"),
    ],
    "Gegevens": [
        st.Page(HERE / "pages" / "databronnen.py", title="Databronnen", icon=":material/database:"),
        st.Page(HERE / "pages" / "aanleveren.py", title="Aanleveren", icon=":material/upload_file:"),
        st.Page(HERE / "pages" / "gemeente_laden.py", title="Gemeente laden", icon=":material/download:"),
        st.Page(HERE / "pages" / "beheer.py", title="Beheer", icon=":material/admin_panel_settings:"),
    ],
}

# Who is signed in decides which pages exist for this session (ui.auth): before any login only
# the login page, so that no other page can be reached by its URL either. That needs the database
# before the navigation is sent (DuckDB's import, a few tenths of a second on a fresh server).
from data_sources.store import DatabaseRefused  # noqa: E402
from ui.a11y import repair_page  # noqa: E402
from ui.auth import (  # noqa: E402
    account_box,
    current_account,
    login_page,
    no_access_page,
    stand_ins,
    visible_pages,
)
from ui.data import read_only, refusal, release, unexpected  # noqa: E402

try:
    # Dutch page language, valid navigation lists, named charts (WCAG): every page, login included
    repair_page()
    try:
        account = current_account()
    except DatabaseRefused as refused:
        # a Dutch sentence, never a traceback or a server path; as the only page, so that the
        # address of another page (/tekorten) does not run that page without this file around it
        messages = refused.messages

        def refused_page() -> None:
            st.title("Kindkaart")
            for message in messages:
                st.error(message)

        refused = st.Page(refused_page, title="Kindkaart", icon=":material/error:")
        st.navigation([refused, *stand_ins(PAGES, [refused], refused_page, "Kindkaart")]).run()
        st.stop()
    if account is None:
        st.set_page_config(page_title="Inloggen – Kindkaart")
        login = st.Page(login_page, title="Inloggen", icon=":material/login:")
        st.navigation([login, *stand_ins(PAGES, [login], login_page, "Inloggen")]).run()
        st.stop()

    shown = visible_pages(PAGES, account)
    # the pages this role may not open answer at their address in Dutch (hidden in the menu)
    shown[list(shown)[-1]] += stand_ins(PAGES, [p for items in shown.values() for p in items],
                                        no_access_page, "Geen toegang")
    navigation = st.navigation(shown)
    # The browser tab names the page (WCAG 2.4.2 Paginatitel): "Kaart – Kindkaart", not one title
    # for every page.
    st.set_page_config(page_title=f"{navigation.title} – Kindkaart")
    # The app's name, not a heading: each page's own title is its one first-level heading.
    st.sidebar.markdown("<p style='font-size:1.75rem;font-weight:700;margin:0'>Kindkaart</p>",
                        unsafe_allow_html=True)
    account_box(account)
    if read_only():  # a read-only copy (for the LEA view): every figure, no write (ui.data._open)
        st.sidebar.info("Alleen lezen: deze database is alleen te lezen. U ziet alle cijfers, maar "
                        "kunt niets opslaan of wijzigen.", icon=":material/lock:")

    from ui.state import sidebar

    sidebar()
    navigation.run()
except Exception as error:
    # a full disk or a folder without write rights (the transaction was rolled back, so nothing is
    # half stored), a block that fails DuckDB's checksum (it shows only when a page reads it:
    # checking every block on every click would cost seconds), a database that cannot be used
    # now, a table with other column types than Kindkaart makes: a Dutch sentence, no path, no
    # traceback (ui.data.refusal); any other error is a bug: a Dutch sentence with an error
    # number, its traceback in the server's log (ui.data.unexpected), raised only for developers
    if (messages := refusal(error) or unexpected(error)) is None:
        raise
    for message in messages:
        st.error(message)
finally:
    # the database is held only during a run, so that the command line can use it in between
    release()
