"""Presentatie: slides for the LEA meeting on a projector, refreshing by themselves as data arrive."""

import streamlit as st

from data_sources.config import min_count
from outputs import exports, report
from outputs.html import esc
from outputs.palette import TABLE_RULE
from ui.auth import audited, current_account
from ui.continuum import defaults_in_use
from ui.data import cursor, releasing, showing_refusals
from ui.downloads import XLSX_MIME, file_stem
from ui.population import nothing_loaded
from ui.slides import REFRESH_SECONDS, SlideContext, available_slides
from ui.state import current, gemeente_name, persistent_selectbox

account = current_account()
gemeente_code, year = current()
if gemeente_code is None:
    st.title("Presentatie")
    st.info(nothing_loaded())
    st.stop()

# Minimal chrome: no sidebar, no header; large type. Scoped to this page (the element goes away
# with the page). Stale elements keep full opacity so that a refresh never flickers.
st.markdown(
    """
    <style>
    section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
    [data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none !important; }
    [data-testid="stMainBlockContainer"] { padding-top: 1rem; padding-bottom: 1rem; max-width: 100%; }
    [data-stale="true"], [data-stale="true"] * { opacity: 1 !important; transition: none !important; }
    h1 { font-size: clamp(2rem, 5.5vh, 3rem) !important; color: #000; padding: .25rem 0 !important; }
    .kk-big, [data-testid='stMarkdownContainer'] p.kk-big { font-size: clamp(1.35rem, 3.4vh, 2rem) !important;
              font-weight: 600; color: #000; margin: 0 0 .5rem 0; line-height: 1.25; }
    .kk-note, [data-testid='stMarkdownContainer'] p.kk-note { font-size: 1.3rem !important; color: #000; }
    .kk-cards { display: flex; gap: 2rem; flex-wrap: wrap; margin: 1rem 0; }
    .kk-card { border: 4px solid #0072B2; border-radius: 12px; padding: 1.5rem 2.5rem; font-size: 1.8rem;
               color: #000; min-width: 14rem; }
    .kk-value { font-size: clamp(3rem, 8vh, 4.5rem); font-weight: 700; line-height: 1.1; }
    .kk-map svg { width: 100%; height: min(560px, calc(100vh - 330px)); }
    .kk-legend, .kk-legend p { font-size: 1.4rem !important; color: #000; }
    .kk-table table { font-size: 1.15rem; border-collapse: collapse; width: 100%; color: #000; }
    """ + f"""
    /* the report's grid (palette.TABLE_RULE, 3:1 on white); it wins over Streamlit's markdown table */
    .kk-table th, .kk-table td {{ border: 1px solid {TABLE_RULE}; padding: .15rem .5rem; text-align: left; }}
    """ + """
    .kk-table td.num { text-align: right; }
    .st-key-kk_clicker { display: none !important; }
    .kk-paused, [data-testid='stMarkdownContainer'] p.kk-paused { font-size: 1.1rem; color: #000; margin: 0;
              border-left: 6px solid #0072B2; padding: .2rem .6rem; }
    .kk-counter { font-size: 1.5rem; color: #000; text-align: center; padding-top: .3rem; }
    .kk-nowrap { white-space: nowrap; }
    .kk-summary, [data-testid='stMarkdownContainer'] p.kk-summary { font-size: 1.4rem !important; color: #000; }
    /* notes for the room (source, wijken CBS keeps secret, places not released, a warning) were
       Streamlit's captions of 14 px at 60 % black: unreadable from the back on a projector */
    [data-testid='stMain'] [data-testid='stCaptionContainer'],
    [data-testid='stMain'] [data-testid='stCaptionContainer'] p,
    [data-testid='stMain'] [data-testid='stAlertContainer'] p { font-size: 1.25rem !important; color: #000 !important;
              opacity: 1 !important; }
    </style>
    """,
    unsafe_allow_html=True,
)

# Shared choices from the URL: indicator (as on the Kaart page) and wijk.
if "indicator" not in st.session_state and st.query_params.get("indicator"):
    st.session_state.indicator = st.query_params["indicator"]
wijk_names = exports.wijken(cursor(), gemeente_code, year)
wanted_wijk = st.session_state.get("wijk") or st.query_params.get("wijk", "")
st.session_state.wijk = wanted_wijk if wanted_wijk in wijk_names else ""


def context() -> SlideContext:
    """The choices every slide draws for."""
    return SlideContext(gemeente_code, gemeente_name(gemeente_code), year,
                        st.session_state.get("indicator"), st.session_state.wijk or None)


def _slide_from_url(keys: list[str]) -> str | None:
    wanted = st.query_params.get("dia", "")
    if wanted.isdecimal() and 1 <= int(wanted) <= len(keys):
        return keys[int(wanted) - 1]
    return wanted if wanted in keys else None


# WCAG 2.2.2: the chair can pause the automatic refresh (and resume it). The choice lives in the
# session and in the URL (?verversen=uit), so it stays while the room moves between slides and
# when the page is opened again from that link.
REFRESH_KEY = "dia_verversen"
if REFRESH_KEY not in st.session_state:
    st.session_state[REFRESH_KEY] = st.query_params.get("verversen") != "uit"
REFRESHING = bool(st.session_state[REFRESH_KEY])
PAUSED_NOTE = ("Automatisch verversen staat uit: nieuwe gegevens verschijnen niet vanzelf op deze dia. "
               "De nieuwste cijfers ziet u zodra u 'Automatisch verversen' weer aanzet of naar een "
               "andere dia gaat.")


def _step(step: int, keys: list[str]) -> None:
    index = keys.index(st.session_state.slide) if st.session_state.slide in keys else 0
    st.session_state.slide = keys[(index + step) % len(keys)]


# The interval is the fragment's, fixed when the page runs as a whole: switching the refresh on or
# off reruns the whole page (below), which registers the fragment with or without it.
@st.fragment(run_every=REFRESH_SECONDS if REFRESHING else None)
@showing_refusals  # a command holding the database past a refresh: a Dutch line, not a traceback
@releasing  # its own reruns every few seconds do not run app.py, which closes the connection
def presentation() -> None:
    """The current slide with its controls; reruns on its own to pick up new data. The slide lives
    in session state by key, so a refresh (or a slide that appears) never moves the room elsewhere."""
    if current_account() != account:  # signed out, disabled or changed since the page ran
        st.rerun()  # the whole app: app.py shows the login page
    slide_context = context()
    slides = available_slides(slide_context)
    keys = [slide.key for slide in slides]
    if st.session_state.get("slide") not in keys:
        st.session_state.slide = _slide_from_url(keys) or keys[0]
    index = keys.index(st.session_state.slide)
    slide = slides[index]

    # at 1024 px the switch's label needs the room of four: in three its last word ('uit') lay
    # under the help icon
    previous, counter, following, refresh, leave = st.columns([2, 3, 2, 4, 2], vertical_alignment="center")
    previous.button("Vorige", icon=":material/arrow_back:", key="dia_vorige", on_click=_step, args=(-1, keys),
                    shortcut="Left", width="stretch")
    # a narrow projector breaks the line between the number and the gemeente, never inside a name
    # ('s-' / 'Gravenhage 2024')
    counter.markdown(f"<div class='kk-counter'><span class='kk-nowrap'>Dia {index + 1} van {len(slides)} ·</span> "
                     f"<span class='kk-nowrap'>{esc(slide_context.gemeente_name)} {year}</span></div>",
                     unsafe_allow_html=True)
    following.button("Volgende", icon=":material/arrow_forward:", key="dia_volgende", on_click=_step,
                     args=(1, keys), shortcut="Right", width="stretch")
    # the label says the state in words as well as the switch shows it
    refresh.toggle(f"Automatisch verversen: {'aan' if st.session_state[REFRESH_KEY] else 'uit'}",
                   key=REFRESH_KEY, help=f"Aan: de dia haalt elke {REFRESH_SECONDS} seconden de "
                   "nieuwste cijfers op. Uit: de dia blijft staan zoals hij is.")
    if st.session_state[REFRESH_KEY] != REFRESHING:
        st.rerun()  # the whole page: the fragment's interval changes with it
    leave.page_link("pages/overzicht.py", label="Sluiten", icon=":material/close:")
    # Presentation clickers send PageDown/PageUp: the same steps on invisible buttons.
    with st.container(key="kk_clicker"):
        st.button("Volgende dia", key="dia_pagedown", on_click=_step, args=(1, keys), shortcut="PageDown")
        st.button("Vorige dia", key="dia_pageup", on_click=_step, args=(-1, keys), shortcut="PageUp")
    if not REFRESHING:
        st.markdown(f"<p class='kk-paused' role='status'>{esc(PAUSED_NOTE)}</p>", unsafe_allow_html=True)
    st.title(slide.title)
    slide.draw(slide_context)
    st.query_params["dia"] = str(index + 1)


presentation()

# gemeente and jaar are kept in the URL by the shared sidebar (ui.state); wijk and indicator here.
if st.session_state.wijk:
    st.query_params["wijk"] = st.session_state.wijk
elif "wijk" in st.query_params:
    del st.query_params["wijk"]
if st.session_state.get("indicator"):
    st.query_params["indicator"] = st.session_state.indicator
if REFRESHING:
    st.query_params.pop("verversen", None)
else:
    st.query_params["verversen"] = "uit"

# What the presentation offers to take home, per role: the analist, the beheerder and the demo get
# the report, the workbook (every table, with the deliveries: organisations and file names) and
# the wijk factsheet; the LEA view gets no exports at all, only the slides the room sees (README
# "Toegang en rollen"). Partners do not reach this page.
MAY_DOWNLOAD = account is not None and account.role in ("beheerder", "analist", "demo")
WIJK_LABEL = "Wijk (voor de factsheet en de dia 'Wijk in beeld')"

if not MAY_DOWNLOAD:
    with st.expander("Wijk voor de dia 'Wijk in beeld'"):
        persistent_selectbox(st, "Wijk", ["", *wijk_names], "wijk",
                             format_func=lambda code: wijk_names.get(code, "(kies een wijk)"))
    st.stop()

with st.expander("Downloads voor de Planvorming: rapport, wijkfactsheet en werkboek"):
    # as the workbook's explanation says it (outputs.exports.suppression_note): estimates from
    # public CBS figures are rounded, not hidden; a rule for small counts only where counts are
    # the exports hold the shared marts (the standard assumptions); the slides this session's
    same = ("De cijfers staan er zoals op het scherm. " if defaults_in_use() else
            "De modelcijfers staan er met de standaardaannames, niet met de aannames van deze sessie "
            "die de dia's gebruiken (aangepast op Continuüm of Tekorten); de andere cijfers staan er "
            "zoals op het scherm. ")
    st.write("Het gemeenterapport en de wijkfactsheet zijn HTML-pagina's die u in de browser opent en "
             "als PDF afdrukt (Ctrl+P / Cmd+P). Het werkboek bevat alle tabellen. " + same
             + exports.suppression_note(min_count(), exports.holds_counts(cursor(), gemeente_code)))
    stem = file_stem(f"kindkaart {gemeente_name(gemeente_code)} {year}")
    columns = st.columns(3)
    columns[0].download_button(
        "Gemeenterapport (HTML)", data=audited(f"{stem}-rapport.html",
                                                 lambda: report.gemeente_report(cursor(), gemeente_code, year)),
        file_name=f"{stem}-rapport.html", mime="text/html", icon=":material/description:", on_click="ignore",
        key="download_rapport")
    columns[1].download_button(
        "Werkboek (Excel)", data=audited(f"{stem}.xlsx",
                                           lambda: exports.export_workbook(cursor(), gemeente_code, year)),
        file_name=f"{stem}.xlsx", mime=XLSX_MIME, icon=":material/table:", on_click="ignore",
        key="download_werkboek")
    codes = ["", *wijk_names]
    if not wijk_names:
        # no children per wijk: an empty picker would look like a fault. What is missing the
        # slides say (Kerncijfers and every slide that needs the children): not a second time here.
        st.info("Een wijkfactsheet en de dia 'Wijk in beeld' volgen zodra er kinderen per wijk zijn; "
                "wat daarvoor ontbreekt, staat op de dia Kerncijfers.")
        wijk = ""
    else:
        wijk = persistent_selectbox(st, WIJK_LABEL, codes, "wijk",
                                    format_func=lambda code: wijk_names.get(code, "(kies een wijk)"))
    if wijk:
        st.download_button(
            f"Wijkfactsheet {wijk_names[wijk]} (HTML)",
            data=audited(f"factsheet {wijk}", lambda: report.wijk_factsheet(cursor(), gemeente_code, year, wijk)),
            file_name=f"{file_stem(f'factsheet {wijk_names[wijk]} {year}')}.html", mime="text/html",
            icon=":material/description:", on_click="ignore", key="download_factsheet")
