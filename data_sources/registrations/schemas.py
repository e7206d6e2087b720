"""One declarative schema per registration type: drives templates, validation, views and docs."""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds. 'location' accepts a CBS wijk code, wijk name, buurt code, PC6 or PC4 and becomes
# wijk_code and buurt_code; 'count' is a whole number >= 0; 'number' a decimal >= 0; 'choice' one
# of `choices`; 'text' free text (no personal data); 'age' a whole number 0-12; 'date' a date that
# is only used on import (e.g. to compute a waiting time) and never stored.
KINDS = ("location", "choice", "count", "number", "text", "age", "date")
MAX_WAITING_WEEKS = 678  # 13 years: longer than a child of 12 can have waited
# Children one place (kindplaats) can serve: ten dayparts a week, each child one of them
# (peuteropvang, flexible BSO); the sample's rows have 1.1 to 2.2
MAX_CHILDREN_PER_PLACE = 10

AGE_GROUPS = ("0-2", "2-4", "4-12")
VVE_CRITERIA = ("taal/spraak", "sociaal-emotioneel", "SES")
# Onderwijssoort and cluster are two breakdowns: sbo has no cluster, so and vso have one (1-4).
# Uploads before migration 0055 kept 'sbo'/'vso' in cluster; the migration moved them.
SO_SCHOOL_TYPES = ("sbo", "so", "vso")
SO_CLUSTERS = ("1", "2", "3", "4")
GROUP_KINDS = ("regulier", "plusgroep", "kdc", "mkd", "djk", "moc", "bso-plus", "overig")
REFERRAL_REASONS = (
    "gedrag", "leren", "taal/spraak", "lichamelijk", "verstandelijk", "langdurig ziek",
    "psychiatrisch", "zintuiglijk", "overig",
)


@dataclass(frozen=True)
class Column:
    """One column of a registration: its view name, its Dutch header and how it is checked."""

    name: str                      # snake_case column name in the staging view
    label: str                     # Dutch header in the template (as Excel shows it)
    help: str                      # Dutch help text for the template and docs
    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other headers partners use for the same column
    # How per-child rows or rows at the same place combine on import: 'key' (a breakdown),
    # 'sum' (counts), 'mean' (weighted by children_count), 'input' (read, used, never stored).
    combine: str = "key"
    sql_type: str = "varchar"
    # the largest plausible value of a 'number', and why (Dutch, after 'meer dan ... kan niet:')
    maximum: float | None = None
    maximum_reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.name}")


@dataclass(frozen=True)
class RegistrationType:
    """A registration type: a row of the handreiking's table, with its columns."""

    key: str                       # 'vve-indicaties'
    label: str                     # Dutch name
    handreiking_row: int           # row number in the handreiking's table (1-10)
    supplier: str                  # who typically delivers it (Dutch)
    description: str               # Dutch, for the instructions sheet and docs
    columns: tuple[Column, ...]
    per_child: bool = True         # one row per child allowed (children_count left empty)
    target: str = "partner"        # 'partner' rows, or 'brp' (raw_brp__population)
    derived: tuple[Column, ...] = field(default=())  # view columns computed on import

    @property
    def view_name(self) -> str:
        """The staging view of this type (only for partner rows)."""
        return "stg_partner__" + self.key.replace("-", "_")

    def column(self, name: str) -> Column:
        """The column called `name`."""
        for col in self.columns + self.derived:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """The columns that are stored (after aggregation) and appear in the staging view."""
        return tuple(
            c for c in self.columns + self.derived if c.kind not in ("location", "date")
        )

    @property
    def key_columns(self) -> tuple[Column, ...]:
        """Breakdown columns: rows with the same place and the same keys are one aggregate."""
        return tuple(c for c in self.columns if c.combine == "key" and c.kind != "location")


def _school_type() -> Column:
    return Column(
        "school_type", "onderwijssoort",
        "sbo (speciaal basisonderwijs), so (speciaal onderwijs, 4-12 jaar) of vso (voortgezet "
        "speciaal onderwijs, vanaf 12 jaar).", "choice", choices=SO_SCHOOL_TYPES,
        aliases=("soort onderwijs", "schoolsoort", "schooltype"),
    )


def _location(label: str = "wijk", required: bool = True) -> Column:
    return Column(
        "location", label,
        "CBS-wijkcode (WK999901), wijknaam, buurtcode (BU99990101) of postcode (1234 AB of 1234). "
        "Bij een postcode bepaalt Kindkaart de wijk en buurt.",
        "location", required=required,
        aliases=("wijk", "wijkcode", "wijknaam", "postcode", "buurt", "buurtcode",
                 "woonwijk", "wijk of postcode", "pc4", "pc6"),
    )


def _children(help_text: str | None = None, per_child: bool = True) -> Column:
    default_help = (
        "Aantal kinderen (heel getal, 0 of meer). Laat leeg als elke rij één kind is; "
        "Kindkaart telt de rijen dan zelf op en bewaart alleen de totalen."
    )
    return Column(
        "children_count", "aantal kinderen", help_text or default_help, "count",
        required=not per_child, combine="sum", sql_type="integer",
        # also with a note of what the count is, as partners head such a column themselves
        aliases=("aantal", "kinderen", "aantal kinderen", "n", "aantal kinderen n", "aantal n",
                 "aantal kinderen abs", "aantal kinderen absoluut", "aantal kinderen aantal"),
    )


def _age_group(required: bool = True, choices: tuple[str, ...] = AGE_GROUPS) -> Column:
    return Column(
        "age_group", "leeftijdsgroep",
        "Leeftijdsgroep van de kinderen: " + ", ".join(choices) + " jaar.",
        "choice", required=required, choices=choices, aliases=("leeftijd", "leeftijdscategorie"),
    )


def _provider(required: bool = False) -> Column:
    return Column(
        "provider", "aanbieder",
        "Naam van de aanbieder die de zorg of ondersteuning levert (organisatie, geen persoon).",
        "text", required=required, aliases=("zorgaanbieder", "organisatie aanbieder"),
    )


def _school(required: bool = False) -> Column:
    return Column(
        "school", "school", "Naam of BRIN-nummer van de school (geen namen van personen).",
        "text", required=required, aliases=("schoolnaam", "brin"),
    )


def _waiting_weeks() -> Column:
    return Column(
        "waiting_weeks", "wachttijd (weken)",
        "Gemiddelde wachttijd in weken (mag met decimalen, bijvoorbeeld 6,5). Bij één rij per kind "
        "kan in plaats daarvan de datum van aanmelding worden ingevuld.",
        "number", required=False, combine="mean", sql_type="double",
        aliases=("wachttijd", "wachttijd weken", "gemiddelde wachttijd", "wachttijd in weken",
                 "gemiddelde wachttijd in weken", "gemiddelde wachttijd weken"),
        # a typo (5000) or a date of 1900 gave waiting times of a century: every child is at
        # most 12, so none waited 13 years
        maximum=MAX_WAITING_WEEKS,
        maximum_reason="zo lang (13 jaar) kan een kind van hoogstens 12 jaar niet wachten",
    )


def _registration_date() -> Column:
    return Column(
        "registration_date", "datum aanmelding",
        "Alleen bij één rij per kind: datum waarop het kind is aangemeld. Kindkaart rekent de "
        "wachttijd tot de peildatum uit en bewaart alleen de gemiddelde wachttijd, niet de datum.",
        "date", required=False, combine="input", aliases=("aanmelddatum", "datum van aanmelding"),
    )


REGISTRATION_TYPES: dict[str, RegistrationType] = {
    t.key: t
    for t in (
        RegistrationType(
            "extra-ondersteuning", "Kinderen met een extra ondersteuningsbehoefte", 2,
            "kinderopvang",
            "Kinderen in de kinderopvang die meer ondersteuning nodig hebben dan de reguliere "
            "groep biedt, naar soort behoefte en wijk of locatie.",
            (
                _location(),
                Column("location_name", "locatie kinderopvang",
                       "Naam van de kinderopvanglocatie (optioneel).", "text", required=False,
                       aliases=("locatie", "vestiging", "locatienaam")),
                _age_group(),
                Column("support_need", "soort ondersteuningsbehoefte",
                       "Waar het kind extra ondersteuning bij nodig heeft.", "choice",
                       choices=("gedrag", "taal/spraak", "sociaal-emotioneel", "ontwikkeling",
                                "lichamelijk/medisch", "zintuiglijk", "overig"),
                       aliases=("ondersteuningsbehoefte", "soort behoefte", "behoefte")),
                Column("niveau", "niveau",
                       "Niveau van het continuüm (2 = basis met een plus, 3 = gespecialiseerd, "
                       "4 = behandeling), als bekend.", "choice", required=False,
                       choices=("2", "3", "4")),
                _children(),
            ),
        ),
        RegistrationType(
            "kinderopvang-bezetting", "Kinderen in de kinderopvang", 3, "kinderopvang",
            "Kinderen die gebruikmaken van kinderopvang, naar leeftijdsgroep, wijk en soort "
            "opvang; met het aantal kindplaatsen als dat bekend is.",
            (
                _location(),
                Column("location_name", "locatie kinderopvang",
                       "Naam van de kinderopvanglocatie (optioneel).", "text", required=False,
                       aliases=("locatie", "vestiging", "locatienaam")),
                Column("care_type", "soort opvang", "Soort opvang.", "choice",
                       choices=("dagopvang", "peuteropvang", "bso", "gastouderopvang"),
                       aliases=("opvangsoort", "soort")),
                _age_group(),
                _children(),
                Column("places", "kindplaatsen",
                       "Aantal kindplaatsen op deze locatie voor deze leeftijdsgroep (optioneel).",
                       "count", required=False, combine="sum", sql_type="integer",
                       aliases=("plaatsen", "aantal kindplaatsen")),
            ),
        ),
        RegistrationType(
            "vve-indicaties", "Kinderen met een vve-indicatie", 4, "JGZ",
            "Kinderen met een indicatie voor voor- en vroegschoolse educatie, naar criterium "
            "(zoals de gemeente het vastlegde) en wijk.",
            (
                _location(),
                _age_group(choices=("0-2", "2-4")),
                Column("criterion", "criterium",
                       "Criterium van de indicatie: taal/spraak, sociaal-emotioneel of SES "
                       "(sociaaleconomische status). Een kind met een indicatie op meer criteria "
                       "telt bij elk daarvan (een rij per criterium); Kindkaart toont elk "
                       "criterium apart en telt ze niet op.", "choice", choices=VVE_CRITERIA,
                       aliases=("indicatiecriterium", "reden indicatie", "reden")),
                _children(),
            ),
        ),
        RegistrationType(
            "speciaal-onderwijs", "Kinderen in (v)so en sbo", 5,
            "samenwerkingsverband, scholen, leerplicht",
            "Kinderen in het speciaal (basis)onderwijs naar cluster, reden van verwijzing en "
            "school, plus thuiszitters en kinderen die niet bereikt worden; met het aantal dat "
            "buitenschoolse opvang nodig heeft (een bekend gat bij s(b)o).",
            (
                _location("wijk (woonadres)"),
                _school(),
                _school_type(),
                Column("cluster", "cluster",
                       "Cluster 1 (visueel), 2 (auditief/taal), 3 (lichamelijk/verstandelijk/"
                       "langdurig ziek) of 4 (gedrag/psychiatrisch); leeg bij sbo.", "choice",
                       required=False, choices=SO_CLUSTERS),
                Column("referral_reason", "reden verwijzing", "Reden van verwijzing.", "choice",
                       required=False, choices=REFERRAL_REASONS,
                       aliases=("reden", "reden van verwijzing", "verwijsreden")),
                Column("enrolment_status", "status",
                       "ingeschreven, thuiszitter (ingeschreven maar niet naar school) of "
                       "niet-bereik (niet ingeschreven, geen onderwijs).", "choice",
                       choices=("ingeschreven", "thuiszitter", "niet-bereik"),
                       aliases=("inschrijving", "onderwijsstatus")),
                _age_group(required=False, choices=("2-4", "4-12")),
                _children(),
                Column("bso_needed_count", "aantal met bso-behoefte",
                       "Hoeveel van deze kinderen buitenschoolse opvang nodig hebben (optioneel).",
                       "count", required=False, combine="sum", sql_type="integer",
                       aliases=("bso-behoefte", "bso nodig")),
            ),
        ),
        RegistrationType(
            "wachtlijst-so", "Wachtlijst (v)so", 6, "samenwerkingsverband, scholen",
            "Kinderen die wachten op een plek in het (voortgezet) speciaal onderwijs, naar reden, "
            "school en cluster, met de wachttijd.",
            (
                _location("wijk (woonadres)"),
                _school(),
                _school_type(),
                Column("cluster", "cluster", "Cluster 1-4 (so en vso); leeg bij sbo.", "choice",
                       required=False, choices=SO_CLUSTERS),
                Column("referral_reason", "reden verwijzing", "Reden van verwijzing.", "choice",
                       required=False, choices=REFERRAL_REASONS,
                       aliases=("reden", "reden van verwijzing", "verwijsreden")),
                _children(),
                _waiting_weeks(),
                _registration_date(),
            ),
        ),
        RegistrationType(
            "ondersteuningstrajecten", "Ingezette extra ondersteuning", 7, "zorgaanbieders",
            "Ingezette trajecten en uren extra ondersteuning in of naast de kinderopvang, naar "
            "soort, wijk en aanbieder.",
            (
                _location(),
                _provider(),
                Column("support_type", "soort ondersteuning", "Soort ondersteuning.", "choice",
                       choices=("ambulante begeleiding", "ondersteuning in de groep",
                                "behandeling", "logopedie", "fysiotherapie", "coaching pm'ers",
                                "overig"),
                       aliases=("soort traject", "soort", "type ondersteuning")),
                _age_group(),
                _children(),
                Column("trajectories_count", "aantal trajecten",
                       "Aantal trajecten (optioneel; een kind kan meer trajecten hebben).",
                       "count", required=False, combine="sum", sql_type="integer",
                       aliases=("trajecten",)),
                Column("support_hours", "uren",
                       "Totaal aantal ingezette uren in de periode (optioneel, mag decimalen).",
                       "number", required=False, combine="sum", sql_type="double",
                       aliases=("aantal uren", "ingezette uren")),
            ),
        ),
        RegistrationType(
            "jeugdhulp", "Kinderen met een jeugdhulpindicatie", 8, "gemeente",
            "Kinderen met een indicatie voor jeugdhulp, naar soort, wijk en aanbieder.",
            (
                _location(),
                _provider(),
                Column("youth_care_type", "soort jeugdhulp", "Soort jeugdhulp.", "choice",
                       choices=("ambulant", "dagbehandeling", "verblijf", "pleegzorg",
                                "jeugdbescherming", "overig"),
                       aliases=("soort", "type jeugdhulp", "jeugdhulpvorm")),
                _age_group(),
                _children(),
            ),
        ),
        RegistrationType(
            "wachtlijst-zorg", "Wachtlijst zorg en ondersteuning", 9, "zorgaanbieders",
            "Kinderen die wachten op zorg of ondersteuning, naar soort hulpvraag, met de "
            "wachttijd.",
            (
                _location(),
                _provider(),
                Column("request_kind", "soort hulpvraag", "Soort hulpvraag.", "choice",
                       choices=("ondersteuning in de opvang", "behandeling", "kdc/mkd",
                                "jeugdhulp", "diagnostiek", "overig"),
                       aliases=("hulpvraag", "soort")),
                _age_group(),
                _children(),
                _waiting_weeks(),
                _registration_date(),
            ),
        ),
        RegistrationType(
            "groepsgrootte", "Groepsgrootte in kinderopvanglocaties", 10, "kinderopvang",
            "Eén rij per groep: aantal kindplaatsen, aantal kinderen en aantal pedagogisch "
            "professionals, per locatie, wijk en organisatie. Ook plusgroepen, KDC- en "
            "MKD-groepen.",
            (
                Column("location_name", "locatie kinderopvang", "Naam van de locatie.", "text",
                       aliases=("locatie", "vestiging", "locatienaam")),
                _location("wijk of postcode locatie"),
                Column("group_name", "groep", "Naam of nummer van de groep.", "text",
                       aliases=("groepsnaam", "naam groep")),
                Column("group_kind", "soort groep",
                       "regulier, plusgroep, kdc, mkd, djk, moc, bso-plus of overig.", "choice",
                       choices=GROUP_KINDS, aliases=("type groep", "groepstype")),
                _age_group(),
                Column("places", "kindplaatsen", "Aantal kindplaatsen van de groep.", "count",
                       combine="sum", sql_type="integer",
                       aliases=("plaatsen", "aantal kindplaatsen", "groepsgrootte")),
                _children("Aantal kinderen dat in de groep geplaatst is.", per_child=False),
                Column("professionals_count", "aantal professionals",
                       "Aantal pedagogisch professionals tegelijk op de groep.", "count",
                       combine="sum", sql_type="integer",
                       aliases=("professionals", "pm'ers", "aantal pm'ers", "begeleiders")),
            ),
            per_child=False,
        ),
        RegistrationType(
            "bevolking", "Kinderen in de gemeente (BRP)", 1, "gemeente",
            "Uittreksel uit de Basisregistratie Personen: kinderen per buurt, wijk of postcode "
            "naar leeftijd in jaren (0-12), op de peildatum van de periode. Vervangt de "
            "CBS-schatting voor de wijken die erin staan.",
            (
                _location("buurt, wijk of postcode"),
                Column("age", "leeftijd", "Leeftijd in hele jaren (0 tot en met 12).", "age",
                       aliases=("leeftijd in jaren", "jaar"), sql_type="integer"),
                _children(
                    "Aantal kinderen van deze leeftijd (laat leeg als elke rij één kind is).",
                ),
            ),
            target="brp",
        ),
    )
}

PARTNER_TYPES = tuple(k for k, t in REGISTRATION_TYPES.items() if t.target == "partner")

# Derived view columns: the waiting time in weeks is computed from registration dates when given.
VIEW_COLUMNS_FIXED = (
    ("load_id", "integer"), ("organisation", "varchar"), ("period", "varchar"),
    ("year", "integer"), ("gemeente_code", "varchar"), ("wijk_code", "varchar"),
    ("buurt_code", "varchar"),
)


def registration_type(soort: str) -> RegistrationType:
    """The schema of `soort`; raises InputRefused with the known types otherwise."""
    from data_sources.errors import InputRefused

    try:
        return REGISTRATION_TYPES[soort]
    except KeyError:
        raise InputRefused(
            f"Onbekende soort registratie '{soort}'. Kies uit: {', '.join(REGISTRATION_TYPES)}."
        ) from None


def view_columns(rtype: RegistrationType) -> list[tuple[str, str]]:
    """(name, sql type) of every column of the type's staging view, in order."""
    return list(VIEW_COLUMNS_FIXED) + [(c.name, c.sql_type) for c in rtype.stored_columns]
