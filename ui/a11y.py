"""Accessibility helpers: page language and navigation semantics, text alternatives for charts and maps."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import streamlit as st

# Streamlit serves one index.html with lang="en" and offers no setting for it, and its sidebar
# navigation with sections nests <li> in a <div> inside the <ul> (axe: `list`, `listitem`).
# This script sets the language (Dutch, and English on Streamlit's own English texts, so that a
# screen reader pronounces each right) and gives the navigation valid list semantics without
# moving any element: the <ul> becomes a plain container, each section <div> a list named after
# its header. It also names charts and the map for a screen reader. It runs again whenever
# Streamlit redraws the page.
_REPAIR_SCRIPT = """
<script>
(() => {
  if (window.__kindkaartA11y) return;
  window.__kindkaartA11y = true;
  // Streamlit's own texts and labels are English and have no setting. The ones a user meets most
  // are put into Dutch here (labels a screen reader reads, the uploader's button and limit, the
  // skip link); what is left is marked as English (WCAG 3.1.2), so that it is pronounced right.
  const LABELS = new Map([
    ["Sidebar", "Zijbalk"], ["Collapse sidebar", "Zijbalk inklappen"],
    ["Expand sidebar", "Zijbalk uitklappen"], ["App pages", "Pagina's"], ["Open", "Openen"],
    ["Main menu", "Hoofdmenu"], ["Link to heading", "Link naar deze kop"],
    ["file upload", "bestand uploaden"], ["Add files", "Nog een bestand kiezen"],
    ["Show/hide columns", "Kolommen tonen of verbergen"], ["Download as CSV", "Downloaden als CSV"],
    ["Search", "Zoeken"], ["Fullscreen", "Volledig scherm"], ["Close fullscreen", "Volledig scherm sluiten"],
    ["Clear all", "Alles wissen"], ["Clear value", "Keuze wissen"], ["Close", "Sluiten"],
  ]);
  const LABEL_PATTERNS = [[/^Remove (.+)$/, "$1 verwijderen"], [/^Help for (.+)$/, "Uitleg bij $1"]];
  const TEXTS = new Map([
    ["Skip to main content", "Naar de inhoud"], ["Upload", "Bestand kiezen"],
    ["Browse files", "Bestand kiezen"], ["Drag and drop file here", "Sleep een bestand hierheen"],
    ["Drag and drop files here", "Sleep bestanden hierheen"],
    // the tooltip of a table's toolbar button (shown on focus, and the button's description)
    ["Search", "Zoeken"], ["Download as CSV", "Downloaden als CSV"],
    ["Show/hide columns", "Kolommen tonen of verbergen"], ["Fullscreen", "Volledig scherm"],
    ["Close fullscreen", "Volledig scherm sluiten"],
  ]);
  const TEXT_PATTERNS = [[/^(?:Limit )?(\\d+)\\s*MB per file(.*)$/, "hoogstens $1 MB per bestand$2"]];
  const TRANSLATED = [
    "[data-testid='stSkipToContent']", "[data-testid='stFileUploaderDropzone'] button",
    "[data-testid='stFileUploaderDropzoneInstructions']", "[data-testid='stElementToolbar']",
    "a[aria-label='Link to heading']", "[data-testid='stSidebarHeader'] button",
    "[data-testid='stExpandSidebarButton']", "[data-testid='stMainMenuButton']",
    "[data-testid='stTooltipContent']",
  ].join(", ");
  const ENGLISH = [
    "[data-testid='stFileChip']", "[data-has-shortcut='true'] kbd", ".modebar",
  ].join(", ");
  const dutch = (text, exact, patterns) => {
    if (exact.has(text)) return exact.get(text);
    for (const [pattern, replacement] of patterns) if (pattern.test(text)) return text.replace(pattern, replacement);
    return null;
  };
  const translate = () => {
    for (const element of document.querySelectorAll("[aria-label]")) {
      const label = dutch(element.getAttribute("aria-label"), LABELS, LABEL_PATTERNS);
      if (label !== null) element.setAttribute("aria-label", label);
    }
    for (const part of document.querySelectorAll(TRANSLATED)) {
      const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = dutch(node.nodeValue.trim(), TEXTS, TEXT_PATTERNS);
        if (text !== null) node.nodeValue = text;
      }
      if (part.lang !== "nl") part.lang = "nl";
    }
    // a Dutch button inside an English file chip (its name and size)
    for (const remove of document.querySelectorAll("[data-testid='stFileChip'] button")) {
      if (remove.lang !== "nl") remove.lang = "nl";
    }
  };
  // An error said under a field (st.error in the field's column, as on Aanleveren) belongs to that
  // field for a screen reader too (WCAG 3.3.1, 1.3.1): Streamlit has no way to link them, so the
  // column's one input gets aria-invalid and aria-describedby naming the error(s); the link goes
  // when the error does.
  let errorNumber = 0;
  const linkFieldErrors = () => {
    for (const column of document.querySelectorAll("[data-testid='stColumn']")) {
      const fields = column.querySelectorAll("input:not([type='hidden']):not([type='file']), textarea");
      if (fields.length !== 1) continue;
      const field = fields[0];
      const errors = [...column.querySelectorAll("[data-testid='stAlertContentError']")]
        .map((error) => error.closest("[data-testid='stAlertContainer']") || error);
      const ids = errors.map((error) => error.id || (error.id = `kk-veldfout-${++errorNumber}`));
      const own = (field.getAttribute("aria-describedby") || "").split(" ")
        .filter((id) => id && !id.startsWith("kk-veldfout-"));
      const describedby = [...own, ...ids].join(" ");
      if ((field.getAttribute("aria-describedby") || "") !== describedby) {
        if (describedby) field.setAttribute("aria-describedby", describedby);
        else field.removeAttribute("aria-describedby");
      }
      if (ids.length && field.getAttribute("aria-invalid") !== "true") {
        field.setAttribute("aria-invalid", "true");
      } else if (!ids.length && field.hasAttribute("data-kk-invalid")) {
        field.removeAttribute("aria-invalid");
      }
      field.toggleAttribute("data-kk-invalid", ids.length > 0);
    }
  };
  const MAP_LABEL = "Kaart van de wijken; de waarden staan in de zin en de tabel onder de kaart";
  const CHART_NOTE = " De cijfers staan in de zinnen en de tabel bij de grafiek.";
  const WIDE_LABEL = "Grafiek; schuift zijwaarts op een smal scherm";
  const repair = () => {
    if (document.documentElement.lang !== "nl") document.documentElement.lang = "nl";
    translate();
    linkFieldErrors();
    for (const part of document.querySelectorAll(ENGLISH)) {
      if (part.lang !== "en") part.lang = "en";
    }
    // a plotly chart is several SVG layers of ticks and labels: one image for a screen reader,
    // named by its title, pointing to the sentences and the table that say what it shows
    for (const plot of document.querySelectorAll(".js-plotly-plot")) {
      const [chart, ...layers] = plot.querySelectorAll("svg.main-svg");
      if (!chart) continue;
      const title = plot.querySelector(".gtitle")?.textContent.trim();
      const label = (title ? `Grafiek: ${title}.` : "Grafiek.") + CHART_NOTE;
      if (chart.getAttribute("aria-label") !== label) {
        chart.setAttribute("role", "img");
        chart.setAttribute("aria-label", label);
      }
      for (const layer of layers) if (!layer.hasAttribute("aria-hidden")) layer.setAttribute("aria-hidden", "true");
    }
    // a chart of several panels (or a slide's) scrolls sideways in its own box on a narrow screen
    // (ui.safe.plotly_chart): reachable with the keyboard, and named, only while it scrolls
    for (const box of document.querySelectorAll("[class*='st-key-kk_breed_']")) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && box.getAttribute("tabindex") !== "0") {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", WIDE_LABEL);
      } else if (!scrolls && box.hasAttribute("tabindex")) {
        for (const name of ["tabindex", "role", "aria-label"]) box.removeAttribute(name);
      }
    }
    // the map's canvas takes the focus as "Map": say in Dutch where its figures are
    for (const map of document.querySelectorAll("[data-testid='stDeckGlJsonChart'] canvas[role='region']")) {
      if (map.getAttribute("aria-label") !== MAP_LABEL) map.setAttribute("aria-label", MAP_LABEL);
    }
    const list = document.querySelector("[data-testid='stSidebarNavItems']");
    if (!list || ![...list.children].some((child) => child.tagName === "DIV")) return;
    if (list.getAttribute("role") !== "none") list.setAttribute("role", "none");
    for (const section of list.children) {
      if (section.tagName !== "DIV" || section.getAttribute("role") === "list") continue;
      const header = section.querySelector(":scope > header");
      section.setAttribute("role", "list");
      if (header) {
        section.setAttribute("aria-label", header.innerText.trim());
        header.setAttribute("aria-hidden", "true");
      }
    }
  };
  repair();
  // once per frame at most: hovering a chart alone changes the page many times a second
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; repair(); });
  }).observe(document.body, {childList: true, subtree: true, characterData: true,
                             attributes: true, attributeFilter: ["aria-label"]});
})();
</script>
"""


# The map (deck.gl's canvas and its container) and the toolbar Streamlit puts above it take the
# focus without showing it (WCAG 2.4.7): an outline in the theme's blue, inside the element so
# that no neighbour hides it; the map's toolbar stays transparent (it appears on mouse hover only)
# even while one of its buttons has the focus. Below that: text that wraps instead of being cut
# off (1.4.10, 1.4.12).
_STYLE = """
<style>
[data-testid='stDeckGlJsonChart'] :focus-visible, [data-testid='stElementToolbar'] button:focus-visible {
  outline: 3px solid #0072B2 !important; outline-offset: -3px !important;
}
[data-testid='stElementToolbar']:focus-within { opacity: 1 !important; }
/* a table's toolbar lies behind the table (z-index 0): a button of it with the focus stayed hidden */
[data-testid='stElementToolbar']:focus-within { z-index: 1000 !important; }
/* Streamlit shows the focus too faintly to see (WCAG 2.4.7 with the 3:1 of 1.4.11): a light grey
   background on a navigation link (1.1:1), a grey ring of 20 % on its header buttons (1.5:1), a
   blue ring of 50 % on buttons, expanders and heading links (2.1:1), nothing on the main area the
   skip link leads to. Here every link, button and focusable box gets a solid outline in the
   theme's blue (5.2:1 on white, 4.5:1 on the sidebar); inside the element where a neighbour or
   the sidebar's edge would cover it. Fields keep Streamlit's own blue border. */
a:focus-visible, button:focus-visible, summary:focus-visible, [role='button']:focus-visible,
[tabindex]:not(input):not(textarea):focus-visible {
  outline: 3px solid #0072B2 !important; outline-offset: 1px;
}
[data-testid='stSidebarNavLink']:focus-visible, [data-testid='stMain']:focus-visible,
[role='region'][tabindex='0']:focus-visible { outline-offset: -3px !important; }
/* A radio button, checkbox or switch hides its input and showed no focus at all; a table of
   Streamlit's (a canvas) showed none either; a field only a 1 px border. The outline goes around the
   option with its label, the table, the field. */
label:has(input:is([type='radio'], [type='checkbox']):focus-visible),
[data-testid='stDataFrame']:has(:is(canvas, .dvn-scroller):focus-visible),
:is([data-testid='stTextInputRootElement'], [data-testid='stTextAreaRootElement'],
    [data-testid='stNumberInputContainer']):focus-within {
  outline: 3px solid #0072B2 !important; outline-offset: 1px;
}
[data-testid='stDataFrame'] :is(canvas, .dvn-scroller):focus-visible { outline: none !important; }
[class*='st-key-kk_breed_']:focus-visible { outline: 3px solid #0072B2; outline-offset: -3px; }
/* WCAG 1.4.10 Reflow and 1.4.12 Tekstafstand: Streamlit cuts a chosen option of a multiselect and
   the label of a button or field off with an ellipsis on one line (at 320 px, or with more space
   between letters and words); here they wrap and the box grows with them. */
[data-testid='stMultiSelectTagsContainer'] span[data-tag] { height: auto; min-height: 28px; }
[data-testid='stMultiSelectTagsContainer'] span[data-tag] span[title], .stMarkdownEllipsis {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere;
}
[data-testid='stMain'] button[data-testid^='stBaseButton'] { height: auto; min-height: 2.5rem; }
/* A chart's title is SVG text on one line: it ran off the chart on a narrow screen or with wider
   letter spacing. It stands as text above the chart (ui.safe.plotly_chart), which wraps; the
   chart's own title is hidden on screen and stays for the PNG. */
.js-plotly-plot .gtitle { display: none; }
@media (max-width: 640px) {
  [class*='st-key-kk_breed_'] { overflow-x: auto; }
  [class*='st-key-kk_breed_'] > [data-testid='stElementContainer'] { min-width: 760px; }
}
.kk-chart-title, [data-testid='stMarkdownContainer'] p.kk-chart-title {
  font-size: 1.15rem; font-weight: 600; margin: 0;
}
</style>
"""


def repair_page() -> None:
    """Dutch page language, valid navigation lists, named charts and map (see _REPAIR_SCRIPT),
    visible focus on the map, and labels and chart titles that wrap on a narrow screen; call
    once per run."""
    st.html(_STYLE)  # style only: Streamlit puts it where it takes no space
    st.sidebar.html(_REPAIR_SCRIPT, unsafe_allow_javascript=True)


def _visible(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def figure_text(value, hidden: bool, decimals: int = 0, unknown: bool | str = False) -> str:
    """A wijk's figure as a map, table or chart shows it: 'afgeschermd' where the page hides it,
    'onbekend (CBS geheim)' where it cannot be known (a rate over children CBS keeps secret), the
    text `unknown` where that is a text (a rate not shown for its reason, 'basis te klein':
    transforms.rates), else the number or 'geen gegevens'."""
    from transforms.population import SECRET_LABEL
    from transforms.privacy import BELOW_ONE, format_number, hidden_label

    if hidden:
        return hidden_label()
    if unknown:
        return unknown if isinstance(unknown, str) else SECRET_LABEL
    if decimals == 0 and _visible(value) and 0 < value < 1:
        return BELOW_ONE  # an estimate below one child (model or population), as on Continuüm
    return format_number(value, decimals) or "geen gegevens"


def true_flag(value) -> bool:
    """Whether a frame's flag is a true boolean (a missing flag is a wijk without data)."""
    import numpy as np

    return isinstance(value, bool | np.bool_) and bool(value)


def ranking_sentence(items: Sequence[tuple[str, float | None, str]], *, noun: str | None = None,
                     subject: str | None = None, unknown: int = 0) -> str:
    """One sentence naming the wijk with the highest and the lowest value, e.g. "Nieuwland heeft
    de meeste peuters: 460; Bloemhof de minste: 120." (with `noun`) or "Tekort niveau 3: het hoogst
    in Nieuwland (40), het laagst in Bloemhof (-5)." (with `subject`). `items` are (name, value,
    shown text) with value None where the page hides it: hidden cells are never ranked, only
    counted, and the texts are the page's own protected ones. `unknown`: wijken not in `items`
    because CBS keeps their children secret (PopulationTable.unknown_wijken), counted too. One
    wijk shown is named, not ranked: "Kinderen 0-12 jaar (Vlieland): Wijk 00 (20), de enige wijk."."""
    shown = sorted(((name, value, text) for name, value, text in items if _visible(value)),
                   key=lambda item: (-item[1], item[0]))
    hidden = len(items) - len(shown)
    if not shown:
        sentence = f"Geen zichtbare waarden{f' voor {subject}' if subject else ''}."
    elif len(shown) == 1:
        # no ranking of one: a gemeente of one wijk (Vlieland), or one wijk shown among hidden ones
        (top, _, top_text), = shown
        only = "de enige wijk" if not hidden and not unknown else "de enige wijk met een zichtbare waarde"
        sentence = (f"{top}, {only}, heeft {top_text} {noun}." if noun
                    else f"{subject}: {top} ({top_text}), {only}.")
    elif shown[0][2] == shown[-1][2]:
        # every wijk shown has the same figure (each 0): no highest or lowest to name
        text = shown[0][2]
        sentence = (f"De {len(shown)} wijken hebben elk {text} {noun}." if noun
                    else f"{subject}: in elk van de {len(shown)} wijken {text}.")
    else:
        # wijken that share the highest or lowest figure as shown are all of them the highest or
        # lowest: 'Twentsekant de minste: 0' named one of Almere's eight wijken without inhabitants
        top_text, low_text = shown[0][2], shown[-1][2]
        tops = sorted(name for name, _, text in shown if text == top_text)
        top = _names_said(tops)
        low = _names_said(sorted(name for name, _, text in shown if text == low_text))
        if noun:
            has = "heeft" if len(tops) == 1 else "hebben"
            sentence = f"{top} {has} de meeste {noun}: {top_text}; {low} de minste: {low_text}."
        else:
            sentence = f"{subject}: het hoogst in {top} ({top_text}), het laagst in {low} ({low_text})."
    if hidden:
        sentence += (f" Afgeschermd of zonder gegevens: {hidden} "
                     f"{'wijk' if hidden == 1 else 'wijken'}.")
    if unknown:
        sentence += (f" Aantal kinderen onbekend (CBS geheim), niet gerangschikt: {unknown} "
                     f"{'wijk' if unknown == 1 else 'wijken'}.")
    return sentence


def _names_said(names: list[str]) -> str:
    """'Bloemhof', 'Bloemhof en Centrum', 'Bloemhof, Centrum en Duin', and beyond three
    'Bloemhof, Centrum en 6 andere wijken'."""
    if len(names) > 3:
        return f"{names[0]}, {names[1]} en {len(names) - 2} andere wijken"
    return " en ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def summary(sentences: Sequence[str]) -> None:
    """A chart's or map's text alternative: what it shows, in sentences on the page itself
    (read by a screen reader in order, printed, and readable on a projector)."""
    text = " ".join(html.escape(sentence) for sentence in sentences if sentence)
    st.markdown(f"<p class='kk-summary'>{text}</p>", unsafe_allow_html=True)


def data_table(columns: list[str], rows: list[list[str]], caption: str, *,
               label: str = "Cijfers als tabel", numeric_from: int = 1) -> None:
    """The figures behind a chart or map as a plain table in an expander: reachable with the
    keyboard (Tab, Enter), so that hovering is never the only way to learn a wijk's value.
    Cells are the texts the chart shows (already protected)."""
    from ui import theme

    with st.expander(label):
        theme.html_table(columns, rows, caption, numeric_from=numeric_from)


# A national map has thousands of wijken: its table lists the highest ones (the map of one
# gemeente lists every wijk).
MAX_TABLE_ROWS = 100


def map_alternative(values, label: str, place: str, decimals: int = 0, secret: int = 0,
                    national: bool = False) -> None:
    """The text alternative of a choropleth: a sentence on the highest and lowest wijk and the
    map's values as a table (the tooltip's texts: protected, 'afgeschermd' where hidden).
    `values` is the map's frame: wijk_name, value, hidden (and unknown: a rate over children CBS
    keeps secret). `secret`: wijken whose children CBS keeps secret that are not in `values`
    (unranked_secret); they and the unknown ones are counted as not ranked. The table of a
    `national` map lists the MAX_TABLE_ROWS highest wijken; that of a gemeente every wijk (a city
    like Amsterdam has more than a hundred)."""
    items, unknown_items = [], []
    unknown_flags = values["unknown"].tolist() if "unknown" in values else [False] * len(values)
    for name, shown, flag, unknown in zip(values["wijk_name"].tolist(), values["value"].tolist(),
                                          values["hidden"].tolist(), unknown_flags, strict=True):
        # as on the map: only a true boolean hides (a missing flag is a wijk without data)
        # a reason's text (basis te klein) is shown, not ranked, and not counted as CBS secret
        reason = unknown if isinstance(unknown, str) and unknown else ""
        hidden, unknown = true_flag(flag), true_flag(unknown)
        value = None if hidden or unknown or reason or not _visible(shown) else float(shown)
        text = figure_text(shown, hidden, decimals, reason or unknown)
        (unknown_items if unknown and not hidden else items).append((str(name), value, text))
    summary([ranking_sentence(items, subject=f"{label} ({place})",
                              unknown=secret + len(unknown_items))])
    items += unknown_items
    if national and len(items) > MAX_TABLE_ROWS:
        items = sorted(items, key=lambda item: -item[1] if item[1] is not None else math.inf)
        items = items[:MAX_TABLE_ROWS]
        caption = f"{label} in de {MAX_TABLE_ROWS} wijken met de hoogste waarde ({place})"
    else:
        items = sorted(items, key=lambda item: item[0])
        caption = f"{label} per wijk ({place})"
    data_table(["Wijk", label], [[name, text] for name, _, text in items], caption,
               label="De kaart als tabel")
