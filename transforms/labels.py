"""Dutch labels for the codes in the store and the marts: one home for every page, export and slide."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

# The pages where something missing is loaded, by file stem (ui.auth.ROLE_PAGES says who opens them)
LOAD_PAGES = {"gemeente_laden": "Gemeente laden", "aanleveren": "Aanleveren"}


@dataclass(frozen=True)
class LoadHint:
    """Something that is not loaded and where it is loaded: the end of every 'not loaded' message.
    The text functions here take `where(*hints)` to word it: on_the_pages for the command line and
    the files it writes, ui.auth.where_to_load in the app, where partners and the LEA view can open
    neither Gemeente laden nor a command line."""

    what: str          # the object of 'laad ...': 'een LRK-export', 'de grenzen van 2024'
    part: str = ""     # where on the page: 'LRK-export inlezen'
    command: str = ""  # the command that loads it: 'python -m data_sources import-lrk BESTAND'
    page: str = "gemeente_laden"  # a key of LOAD_PAGES
    by_the_gemeente: bool = False  # delivered by the gemeente only, never by a partner (the BRP)

    def on_page(self, command: bool = True) -> str:
        """The clause for whoever may open the page: 'laad een LRK-export op de pagina **Gemeente
        laden** (LRK-export inlezen) of met `python -m ...`' (lower case, no full stop)."""
        verb, particle = ("lever", " aan") if self.page == "aanleveren" else ("laad", "")
        part = f" ({self.part})" if self.part else ""
        by_command = f" of met `{self.command}`" if command and self.command else ""
        return f"{verb} {self.what}{particle} op de pagina **{LOAD_PAGES[self.page]}**{part}{by_command}"

    def to_do(self) -> str:
        """What to ask someone else to do: 'een LRK-export te laden'."""
        return f"{self.what} {'aan te leveren' if self.page == 'aanleveren' else 'te laden'}"


Where = Callable[..., str]  # where(*hints) -> the Dutch sentence(s) that say where they are loaded


def as_sentence(clause: str) -> str:
    """A clause as a sentence: capital first letter, full stop."""
    return f"{capitalised(clause)}."


def capitalised(label: str) -> str:
    """A label with a capital first letter and the rest as it is: str.capitalize() lowered the
    rest ('Vve-indicatie: ses', 'Cbs: jongeren met jeugdzorg')."""
    return f"{label[:1].upper()}{label[1:]}"


def on_the_pages(*hints: LoadHint) -> str:
    """Where the hints are loaded, for whoever may open every page and has the command line (the
    command line itself, the files it writes): 'Laad ... of met `...`; of lever ... aan op de
    pagina **Aanleveren** (...).'"""
    return as_sentence("; of ".join(hint.on_page() for hint in hints))


# loads.source
LOAD_SOURCE_LABELS = {"cbs": "CBS", "pdok": "PDOK", "sample": "Voorbeeldgegevens", "brp": "BRP",
                      "partner": "Partner", "lrk": "LRK"}

# loads.dataset of CBS and PDOK loads
CBS_DATASET_LABELS = {
    "kerncijfers": "Kerncijfers wijken en buurten",
    "nabijheid": "Nabijheid voorzieningen",
    "bevolking-leeftijd": "Bevolking naar leeftijd (gemeente)",
    "jeugdzorg-wijk": "Jeugdmonitor per wijk",
    "geometrie": "Wijk- en buurtgrenzen",
    "postcodes": "Postcodes",
}

# gap_by_wijk_niveau.component: what a row compares, in words (pages and slides) ...
COMPONENT_LABELS = {
    "reguliere_plekken": "reguliere plekken (gelijktijdig) voor niveau 1-3",
    "ondersteuning_professionals": "niveau 2: kinderen bereikt met coaching van professionals",
    "aparte_groep": "niveau 3 in een aparte groep: plekken (gelijktijdig) in plusgroepen",
    "specialistische_inzet": "niveau 3 in de reguliere groep: kinderen met specialistische inzet",
    "opnamegrens": "niveau 3 in reguliere groepen: opnamegrens (kinderen per groep)",
}
# ... and as a short column value (the workbook)
COMPONENT_SHORT_LABELS = {
    "reguliere_plekken": "reguliere plekken voor niveau 1-3",
    "ondersteuning_professionals": "coaching van professionals (rij 7)",
    "aparte_groep": "aparte groep (plusgroep)",
    "specialistische_inzet": "specialistische inzet in de groep (rij 7)",
    "opnamegrens": "opnamegrens reguliere groepen",
}
# The 'supply' of the inclusief opnamegrens is a capacity, not delivered or counted children:
# regular places (LRK) ÷ regular group size × the cap per group (parameters). Tekorten says so in
# its sentence; in the tables of the workbook and the report, under 'Aanbod (waargenomen)', its
# unit says it (before: '6 kinderen' beside the 90 children row 7 reached).
CAPACITY_UNIT = "kinderen (capaciteit: reguliere groepen × opnamegrens, geen waargenomen kinderen)"


def supply_unit_text(component: str, unit: str) -> str:
    """The unit of a gap row's supply as the workbook and the report show it (gap_by_wijk_niveau
    supply_unit; the opnamegrens as a capacity: CAPACITY_UNIT)."""
    return CAPACITY_UNIT if component == "opnamegrens" else unit


# Waiting lists (rows 6 and 9) delivered, but no row with a wijk of the gemeente and a count: the
# pages count only children with a wijk (their one protected table), so "none delivered" would be
# untrue (Analysevragen and Tekorten).
# Why a shortage need not be its shown terms subtracted (Tekorten's sentences, the report's rows):
# 115 peuters on niveau 2 (112,8) with 31 reached is a shortage of 82 (81,8), not 84
GAP_ROUNDING_NOTE = ("Elk getal is apart afgerond (onder 100 op hele kinderen of plekken, daarboven "
                     "op vijftallen): een tekort kan daardoor een paar verschillen van het getoonde "
                     "nodig min aanwezig (bijvoorbeeld: 112,8 nodig staat er als 115; met 31 "
                     "aanwezig is het tekort 82, niet 84).")
WAITING_WITHOUT_WIJK = ("Er zijn voor dit jaar wel wachtlijsten geleverd, maar geen rij noemt een wijk "
                        "van deze gemeente met een aantal kinderen. Deze tabel telt alleen kinderen "
                        "met een wijk; zie Databronnen voor wat er geleverd is.")

# The children the passend perspective puts in a separate group: niveau 3 × 'deel van niveau 3 in
# een aparte groep', 2-4 and 4-12 years (gap_by_wijk_niveau, component aparte_groep, demand).
# Tekorten says them in these words, and so does Scenario's for the same children; the children a
# plan's plus groups can take (existing and new places) are another figure, with other words:
# before, Scenario's called those 20 (the sample's 20 existing places) "waarvan in aparte groepen"
# beside Tekorten's 50 % of niveau 3 "in een aparte groep".
SEPARATE_SHARE_WORDS = "van niveau 3 in een aparte groep"
SEPARATE_SHARE_CHILDREN = f"Kinderen {SEPARATE_SHARE_WORDS} (het deel bij passend, als op Tekorten)"
SEPARATE_PLACED_CHILDREN = ("waarvan met een plek in een aparte groep in dit plan (bestaande en "
                            "nieuwe plekken)")


# The one noemer rule (transforms.model.NOEMERS, the column `noemer` of demand_by_wijk_niveau):
# niveau 1-3 over the children who use or seek childcare, niveau 4 over all children. Every page,
# slide and file says each noemer in these words: the Kaart and the wijk profile said "kinderen
# in of op zoek naar opvang" beside the workbook's "kinderen die opvang gebruiken of zoeken", and
# the workbook and the report worded the rule each on their own.
NOEMER_WORDS = {"in_opvang": "kinderen die opvang gebruiken of zoeken", "alle_kinderen": "alle kinderen"}


def noemer_words(niveau: int) -> str:
    """The noemer of a niveau in words: 'kinderen die opvang gebruiken of zoeken' (1-3) or 'alle
    kinderen' (4)."""
    return NOEMER_WORDS["alle_kinderen" if int(niveau) == 4 else "in_opvang"]


def noemer_clause() -> str:
    """The noemer of every niveau in a clause: 'noemer: niveau 1-3 de kinderen die opvang
    gebruiken of zoeken, niveau 4 alle kinderen' (lower case, no full stop)."""
    return f"noemer: niveau 1-3 de {noemer_words(1)}, niveau 4 {noemer_words(4)}"


NOEMER_RULE = (f"Noemer: niveau 4 telt over {noemer_words(4)} van de leeftijdsgroep (behandeling staat "
               f"los van opvang); niveau 1-3 over de {noemer_words(1)} (kinderen × deelname). Niveau 1 "
               "is de rest: de niveaus tellen nooit op tot meer dan het aantal kinderen.")


def regular_places_children() -> str:
    """Who the regular places (niveau 1-3) are for, as every place that shows their shortage says
    it (Tekorten, the Kaart, the workbook): the children the existing plus groups serve have a
    place there and are not counted again (gap_by_wijk_niveau, in_plus_groups)."""
    return ("kinderen die opvang gebruiken of zoeken, zonder niveau 4 en zonder wie in een "
            "bestaande plusgroep zit")


def regular_places_noemer() -> str:
    """Who the children beside the regular places are, as a sentence (Tekorten's caption says it
    in its own parentheses, the report under its gap table)."""
    return f"Kinderen bij reguliere plekken: de {regular_places_children()}."


# A gap sentence where its supply is not known, hidden or a capacity: the same clause in the
# sentence of a wijk (ui.continuum.gap_sentence: Tekorten and the wijk profile on the Kaart) and in
# Tekorten's sentence of the gemeente, which worded each on its own ('hoeveel plekken er in
# plusgroepen zijn, is niet geleverd (rij 10)' beside '... zijn is niet geleverd (rij 10 van de
# handreiking, groepsgrootte)'). Lower case, no full stop.
REGULAR_PLACES_UNKNOWN = ("hoeveel reguliere plekken er zijn, is niet bekend (geen LRK-export geladen), "
                          "en dus ook het tekort niet")
CAPACITY_UNKNOWN = ("hoeveel de reguliere groepen kunnen opnemen, is niet bekend (de opnamegrens volgt "
                    "uit de reguliere plekken: geen LRK-export geladen)")
PLUS_PLACES_NOT_DELIVERED = ("hoeveel plekken er in plusgroepen zijn, is niet geleverd (rij 10 van de "
                             "handreiking, groepsgrootte)")
SUPPORT_NOT_DELIVERED = "hoeveel ondersteuning er is, is niet geleverd (rij 7 van de handreiking)"
SUPPORT_HIDDEN = "hoeveel kinderen partners er bereikten, is afgeschermd (rij 7), en dus ook het tekort"


def capacity_text(supply: float) -> str:
    """The opnamegrens of the inclusief perspective as a gap sentence says it: 'de reguliere
    groepen kunnen er samen 62 opnemen (opnamegrens: een capaciteit, geen aanwezige kinderen)'."""
    from transforms.privacy import format_number, round_estimate

    shown = round_estimate(supply)
    return (f"de reguliere groepen kunnen er samen {'geen' if shown == 0 else format_number(shown)} "
            "opnemen (opnamegrens: een capaciteit, geen aanwezige kinderen)")


def places_text(supply: float) -> str:
    """A count of places in a gap sentence: 'er zijn 31 plekken', 'er is 1 plek', 'er zijn geen
    plekken' (rounded as the tables show them)."""
    from transforms.privacy import format_number, round_estimate

    shown = round_estimate(supply)
    if shown == 1:
        return "er is 1 plek"
    return "er zijn geen plekken" if shown == 0 else f"er zijn {format_number(shown)} plekken"


# Plus-group and KDC/MKD places come only from partners (row 10, groepsgrootte): where none
# delivered them for the gemeente and year (gap_by_wijk_niveau, niveau4_by_gemeente: null), places,
# shortage and groups needed are "niet geleverd", never 0; the places needed stay. Every page,
# export and slide says so in these words.
ROW_10_NOT_DELIVERED = ("Plekken in plusgroepen en KDC/MKD komen alleen van partners (rij 10 van de "
                        "handreiking, groepsgrootte); 'niet geleverd': geen partner leverde die voor "
                        "deze gemeente en dit jaar, dus de plekken en het tekort zijn niet bekend "
                        "(geen 0). De plekken die nodig zijn, staan er wel.")


def row_10_missing_text(name: str, what: str) -> str:
    """The sentence beside plus-group ('plusgroepen') or KDC/MKD places ("KDC's en MKD's") that
    no partner delivered (row 10) for the gemeente `name`."""
    return (f"Voor {name} heeft geen partner rij 10 van de handreiking (groepsgrootte) geleverd: "
            f"het aantal plekken in {what} is niet bekend, dus ook het tekort niet (niet "
            "geleverd, geen 0); de plekken die nodig zijn, staan er wel.")


def short_wijk_name(name: str) -> str:
    """A wijk's name as written on a map: CBS names wijken "Wijk 10 Binnenstad", and the number is
    noise there."""
    return re.sub(r"^Wijk \d+\s+", "", name)


def wijk_labels(names: dict[str, str]) -> dict[str, str]:
    """wijk_code -> the wijk's name as the report shows it among the wijken of one gemeente and
    year (`names`: code -> name): after a herindeling two wijken can share a name (two 'Centrum'),
    and each of those carries its code, 'Centrum (WK036301)'; a name of its own stays as it is."""
    counts = Counter(names.values())
    return {code: f"{name} ({code})" if counts[name] > 1 else name for code, name in names.items()}


def lrk_year_text(supply_years, year: int) -> str:
    """Where the regular places of `year` come from another year's LRK export (supply_year of
    gap_by_wijk_niveau: the nearest export, README step 5), the sentence every page, slide and
    export says with them; '' when they are of `year` itself or unknown. So that places of 2022
    are never shown under 2020 without saying so."""
    from transforms.privacy import is_missing

    years = {int(y) for y in supply_years if not is_missing(y)}
    if not years or years == {year}:
        return ""
    export = " en ".join(str(y) for y in sorted(years))
    return f"Plekken uit de LRK-export van {export}: de dichtstbijzijnde export bij {year}."


LRK_EXPORT = LoadHint("een LRK-export", "LRK-export inlezen", "python -m data_sources import-lrk BESTAND")


def lrk_missing_text(gemeente_name: str, where: Where, needed_below: bool = True) -> str:
    """Why a page shows no regular places and no shortage of them: no LRK export of the gemeente
    is loaded, so the places are unknown (not 0), and where to load one (`where(LRK_EXPORT)`).
    `needed_below`: the page shows the places needed below (the wijk profile does not where the
    partners' places are not released)."""
    below = " Hieronder staat alleen hoeveel plekken nodig zijn." if needed_below else ""
    return (f"Voor {gemeente_name} is geen export van het Landelijk Register Kinderopvang (LRK) "
            "geladen: het aantal reguliere plekken is niet bekend, en dus ook het tekort niet (het "
            f"is geen tekort van de hele vraag).{below} {where(LRK_EXPORT)}")


# The source documents behind a reference such as '000:L204' (line 204 of document 000): README
# "Aannames".
SOURCE_DOCUMENTS = {"000": "handreiking", "001": "inspiratiedocument Waarborgfonds/NJi", "002": "visie BMK"}
_REFERENCE = re.compile(r"(?:(\d{3}):)?L(\d+(?:-\d+)?)")


def cited(source: str) -> str:
    """A line reference ('000:L159; 000:L318') in words a room can read: 'handreiking r. 159, 318'.
    A reference of another form is returned as it is."""
    parts: dict[str, list[str]] = {}
    document = None
    for token in re.split(r"[;,]\s*", source.strip()):
        match = _REFERENCE.fullmatch(token.strip())
        if not match or (match.group(1) or document) not in SOURCE_DOCUMENTS:
            return source
        document = match.group(1) or document
        parts.setdefault(document, []).append(match.group(2))
    return "; ".join(f"{SOURCE_DOCUMENTS[d]} r. {', '.join(lines)}" for d, lines in parts.items())
