"""Planvorming: what a scenario takes per catchment (groups, places, FTE, m², costs), pure arithmetic.

A scenario turns the continuum model's expected children (gap_by_wijk_niveau, model v2) into
provision: plusgroepen and BSO-plus under *passend*, regular groups with extra inzet for the
niveau 3 children in a regular group, coaching for niveau 2. Every number comes from a parameter
with its seed line (transforms/parameters.csv, transforms/plan_parameters.csv) or from a tariff a
person entered (with owner and date); Kindkaart never supplies an euro amount itself. No Streamlit,
no database: `compute_plan` takes plain rows and is tested with inline rows.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from transforms.privacy import format_number

PLAN_PARAMETERS_CSV = Path(__file__).resolve().parent / "plan_parameters.csv"
MODEL_AGE_GROUPS = ("0-2", "2-4", "4-12")
PERSPECTIVES = {
    "passend": "Passend: een deel van niveau 3 in aparte groepen (plusgroepen, BSO-plus), de rest in "
               "de reguliere groep met extra inzet (000:L137-141, L165)",
    "inclusief": "Inclusief: heel niveau 3 in reguliere groepen met extra inzet tot de opnamegrens; "
                 "geen nieuwe aparte groepen, bestaande blijven zichtbaar (000:L163)",
}
# 000:L386-409 (korte, middellange en lange termijn); inclusief onderwijs in 2035 (000:L318)
HORIZONS = {
    "1-2": "Korte termijn (1-2 jaar): pilots, training, structureel overleg (000:L390-397)",
    "3-5": "Middellange termijn (3-5 jaar): inclusie verankerd in beleid, samenwerking met zorg "
           "(000:L399-403)",
    "5-10": "Lange termijn (5-10 jaar): een kinderopvangaanbod voor ieder kind; het onderwijs is "
            "in 2035 inclusief (000:L405-409, L318)",
}
ESTIMATES = {"laag": "low", "midden": "mid", "hoog": "high"}

# The menu of the handreiking (000:L656-740); heterogeneous groups (000:L711-714) are the regular
# groups with extra inzet themselves.
BUILDING_BLOCKS = {
    "plusgroepen": ("Plusgroepen en BSO-plus (homogene groepen, alleen bij passend)",
                    "000:L725-728; 000:L165"),
    "minder_kinderen": ("Minder kinderen in de reguliere groep met niveau 3-kinderen", "000:L676-679"),
    "extra_medewerker": ("Extra medewerker op de reguliere groep", "000:L681-684; 000:L804"),
    "coaching_advies": ("Coaching en advies voor de professionals", "000:L736-740; 000:L810-815"),
    "specialist_op_groep": ("Specialist of zorgmedewerker op de reguliere groep (hybride)",
                            "000:L716-719; 000:L797"),
    "hybride_plusgroepen": ("Hybride aparte groepen: een specialist van een zorgorganisatie op elke "
                            "plusgroep", "000:L716-719"),
    "aangepaste_inrichting": ("Aangepaste activiteiten, aanbod of inrichting", "000:L694-707"),
}
GROUP_TYPES = {
    "regulier_extra": "Reguliere groep met extra inzet (heterogeen)",
    "plusgroep": "Peuterplusgroep (2-4 jaar)",
    "bso_plus": "BSO-plusgroep (4-12 jaar)",
    "coaching_niveau2": "Niveau 2: versterking van de professionals",
}
# What one tariff amount pays for: the quantities a plan counts.
UNITS = {
    "fte_pm": "per fte pedagogisch medewerker per jaar",
    "fte_hbo": "per fte hbo (pedagogisch coach, pedagoog) per jaar",
    "fte_specialist": "per fte specialist of zorgmedewerker per jaar",
    "plek": "per plek (gelijktijdig) per jaar",
    "groep": "per groep per jaar",
    "kind": "per kind per jaar",
    "m2": "per m² nieuwe binnenspeelruimte per jaar",
    "aanpassing": "per aangepaste groep (eenmalig)",
}
PAYERS = ("gemeente", "KOT/ouders", "overig")


@dataclass(frozen=True)
class Stream:
    """A financing stream of the handreiking (000:L915-1233) and who pays from it."""

    label: str
    payer: str
    source: str


STREAMS = {
    "kot": Stream("Kinderopvangtoeslag (kot) en ouderbijdrage", "KOT/ouders", "000:L937-957"),
    "oab": Stream("Onderwijsachterstandenmiddelen (OAB/GOAB)", "gemeente", "000:L1019-1053"),
    "jeugdwet": Stream("Jeugdwet", "gemeente", "000:L1057-1111"),
    "wlz": Stream("Wet langdurige zorg (Wlz), via het zorgkantoor", "overig", "000:L1113-1133"),
    "zvw": Stream("Zorgverzekeringswet (Zvw), via de zorgverzekeraar", "overig", "000:L1135-1155"),
    "wmo": Stream("Wmo (hulpmiddelen, fysieke aanpassingen)", "gemeente", "000:L1191-1207"),
    "spuk": Stream("Incidentele middelen (SPUK-regelingen)", "gemeente", "000:L1211-1229"),
    "gemeentefonds": Stream("Algemene middelen uit het gemeentefonds (subsidie)", "gemeente",
                            "000:L1159-1189; 000:L1254-1275"),
    "eigen_middelen": Stream("Eigen middelen van kinderopvang, school of samenwerkingsverband",
                             "overig", "000:L1244-1252; 001:L1964-1986"),
}


@dataclass(frozen=True)
class FinancingModel:
    """A way to pay for a group type (001:L1910-2001): the streams whose tariffs count for it."""

    label: str
    source: str
    streams: tuple[str, ...]


FINANCING_MODELS = {
    "alle": FinancingModel("Nog niet gekozen: elk ingevoerd tarief telt", "", tuple(STREAMS)),
    "kot_oab": FinancingModel("Kot; de extra ondersteuning uit OAB-middelen", "001:L1915-1921",
                              ("kot", "oab")),
    "kot_jeugdwet": FinancingModel("Kot; de gemeente vult boven het maximum uurtarief aan uit de "
                                   "Jeugdwet", "001:L1925-1928", ("kot", "jeugdwet")),
    "kot_subsidie": FinancingModel("Kot; de overige kosten via een (jaarlijkse) subsidie van de "
                                   "gemeente", "001:L1932-1939", ("kot", "gemeentefonds")),
    "kot_plaatsing": FinancingModel("Kot; de gemeente betaalt de extra begeleiding en een vast bedrag "
                                    "per plaatsing", "001:L1942-1944", ("kot", "gemeentefonds")),
    "kot_boven_tarief": FinancingModel("Kot; de gemeente betaalt de kosten boven het reguliere tarief "
                                       "rechtstreeks (met of zonder indicatie)", "001:L1948-1962",
                                       ("kot", "gemeentefonds")),
    "kot_organisatie": FinancingModel("Kot; de kinderopvangorganisatie draagt de extra kosten",
                                      "001:L1964-1986", ("kot", "eigen_middelen")),
    "kot_zorgpartner": FinancingModel("Kot; een zorgmedewerker, gefinancierd door kinderopvang en "
                                      "zorgpartner", "001:L1990-1993",
                                      ("kot", "eigen_middelen", "jeugdwet")),
    "pgb": FinancingModel("Kot; de extra ondersteuning uit een pgb (Jeugdwet)", "001:L1994-2001",
                          ("kot", "jeugdwet")),
    "kot_jeugdwet_wlz": FinancingModel("Kot, jeugdhulp (collectief) en Wlz", "000:L1111",
                                       ("kot", "jeugdwet", "wlz")),
    "kot_wmo_zvw": FinancingModel("Kot; Wmo voor aanpassingen, Zvw voor medische zorg",
                                  "000:L1137; 000:L1193", ("kot", "wmo", "zvw")),
    "incidenteel": FinancingModel("Kot; de plus uit een incidentele subsidie of SPUK",
                                  "000:L1211-1231", ("kot", "spuk")),
}


@dataclass(frozen=True)
class Preset:
    """A group from a seed example: fills group size and staffing parameters."""

    label: str
    source: str
    values: dict


PRESETS = {
    "plusgroep": {
        "handreiking": Preset("Handreiking: 10 peuters, 2 professionals", "000:L679",
                              {"plusgroup_size_0_4": 10, "plus_professionals_0_4": 2,
                               "plus_hbo_share_0_4": 0, "plus_specialist_0_4": 0}),
        "plus_plus": Preset("Plus Plus (Swazoom): max. 6 peuters, 2 gespecialiseerde professionals",
                            "000:L719", {"plusgroup_size_0_4": 6, "plus_professionals_0_4": 2,
                                         "plus_hbo_share_0_4": 1, "plus_specialist_0_4": 0}),
        "hero": Preset("Hero: max. 8 peuters, drie dagdelen, 1 pedagogisch medewerker en 1 "
                       "jeugdzorgwerker", "001:L407-414",
                       {"plusgroup_size_0_4": 8, "plus_professionals_0_4": 1,
                        "plus_hbo_share_0_4": 0, "plus_specialist_0_4": 1}),
        "baloe": Preset("Baloe: max. 8 peuters, 1 hbo-geschoolde medewerker op 4 kinderen",
                        "001:L554-563", {"plusgroup_size_0_4": 8, "plus_professionals_0_4": 2,
                                         "plus_hbo_share_0_4": 1, "plus_specialist_0_4": 0}),
        "plp_plus": Preset("PLP+ (Den Haag): max. 10 peuters, 2 pedagogisch medewerkers en een "
                           "gedragsspecialist", "002:L1286-1291",
                           {"plusgroup_size_0_4": 10, "plus_professionals_0_4": 2,
                            "plus_hbo_share_0_4": 0, "plus_specialist_0_4": 1}),
    },
    "bso_plus": {
        "handreiking": Preset("Handreiking: 14 kinderen, 2 professionals", "000:L679",
                              {"plusgroup_size_bso": 14, "plus_professionals_bso": 2,
                               "plus_hbo_share_bso": 0, "plus_specialist_bso": 0}),
        "zorg_bso": Preset("Zorg-BSO: 1 professional op 4 kinderen (8 kinderen, 2 professionals)",
                           "001:L1497-1501", {"plusgroup_size_bso": 8, "plus_professionals_bso": 2,
                                              "plus_hbo_share_bso": 0, "plus_specialist_bso": 0}),
        "medisch": Preset("Groep met medische opvang: max. 10 kinderen, 2 pedagogisch medewerkers",
                          "001:L1599-1602", {"plusgroup_size_bso": 10, "plus_professionals_bso": 2,
                                             "plus_hbo_share_bso": 0, "plus_specialist_bso": 0}),
    },
}
# The continuum model's parameters a plan reads (transforms/parameters.csv, model v2).
MODEL_PARAMETERS = ("plusgroup_size_0_4", "plusgroup_size_bso", "absorption_cap_per_group",
                    "group_size_regular_0_4", "group_size_regular_bso",
                    "children_per_place_plusgroep")


@dataclass(frozen=True)
class Parameter:
    """One assumption of a plan with its range, unit, Dutch label and seed line."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    label: str
    source: str


@dataclass(frozen=True)
class Risk:
    """A risk the handreiking names, shown next to every scenario."""

    key: str
    title: str
    source: str


RISKS = {
    "afschalen": Risk("afschalen", "Aparte groepen zijn lastig af te schalen", "000:L157"),
    "aanzuigende_werking": Risk("aanzuigende_werking", "Aanbod creëert vraag", "000:L1644"),
    "apart_onderwijs": Risk("apart_onderwijs", "Aparte opvang kan instroom in apart onderwijs voeden",
                            "000:L159; 000:L318"),
    "personeelskrapte": Risk("personeelskrapte", "Personeelskrapte", "000:L893"),
    "opnamegrens": Risk("opnamegrens", "Meer groepen met niveau 3-kinderen dan reguliere groepen",
                        "001:L805-807; 001:L1481-1482"),
    "bkr": Risk("bkr", "Zorgmedewerkers tellen niet mee in de BKR", "000:L754; 000:L888; 000:L1410"),
    "incidenteel": Risk("incidenteel", "Incidentele middelen zijn tijdelijk", "000:L1229"),
    "zorgindicatie": Risk("zorgindicatie", "Jeugdhulpmiddelen maken opvang afhankelijk van een "
                          "zorgvraag", "000:L1085; 000:L1103"),
}


@dataclass(frozen=True)
class WijkInput:
    """One wijk and age group of the continuum model (gap_by_wijk_niveau), the plan's input:
    expected children of niveau 2 and 3 (low/mid/high, over the children in childcare), regular and
    plus-group places (simultaneous) with their children per place, and who the existing plus
    groups serve today."""

    wijk_code: str
    wijk_name: str
    age_group: str
    niveau3_low: float
    niveau3_mid: float
    niveau3_high: float
    niveau2_low: float = 0.0
    niveau2_mid: float = 0.0
    niveau2_high: float = 0.0
    regular_places: float = 0.0
    plus_places: float = 0.0
    plus_children_per_place: float | None = None
    # niveau-3 children the existing plus groups of this wijk serve today (gap_by_wijk_niveau
    # in_plus_groups: least(niveau 3 mid, plus-group capacity)); None: that rule on these figures
    in_plus_groups: float | None = None
    # False where no partner delivered row 10 (groepsgrootte) for the gemeente: the existing
    # plus-group places are not known ("niet geleverd"), and the plan counts 0 of them
    plus_places_delivered: bool = True
    # False where no LRK export is loaded for the gemeente: the regular places are not known
    # (Tekorten: "niet bekend"), and the plan counts 0 of them
    regular_places_known: bool = True

    def served_today(self, variant: str, default_cpp: float) -> float:
        """The niveau-3 children in this wijk's existing plus groups today, at most the niveau 3
        of the estimate `variant` (low, mid, high); `default_cpp`: children per plus-group place
        where the wijk has no figure of its own."""
        today = self.in_plus_groups
        if today is None:
            cpp = self.plus_children_per_place or default_cpp
            today = min(self.niveau3_mid, self.plus_places * cpp)
        return min(today, getattr(self, f"niveau3_{variant}"))


@dataclass(frozen=True)
class Tariff:
    """An amount a person entered: `stream` pays `amount` euro per `unit` (for `group_type`, or
    every group type when None)."""

    stream: str
    unit: str
    amount: float
    owner: str
    tariff_date: date | str
    group_type: str | None = None
    tariff_id: int | None = None
    note: str | None = None


@dataclass
class Scenario:
    """A named set of choices for Planvorming; stored in the `scenarios` table."""

    name: str
    gemeente_code: str
    year: int
    perspective: str = "passend"
    separate_share: float = 0.5
    horizon: str = "3-5"
    estimate: str = "midden"
    catchments: dict[str, list[str]] = field(default_factory=dict)
    building_blocks: list[str] = field(default_factory=lambda: ["plusgroepen", "extra_medewerker",
                                                                "coaching_advies"])
    parameters: dict[str, float] = field(default_factory=dict)
    financing: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    scenario_id: int | None = None
    created_by: str | None = None
    created_at: object = None
    updated_at: object = None
    input_fingerprint: str | None = None
    computed_at: object = None


@dataclass
class PlanRow:
    """What one catchment needs for one group type and age group."""

    catchment: str
    group_type: str
    age_group: str
    children: float = 0.0          # expected children served (model estimate)
    groups_new: int = 0            # groups to add (whole groups)
    groups: float = 0.0            # groups in the plan (existing plus-group places may be part groups)
    places: float = 0.0            # simultaneous places in the plan (plus groups) or lost (fewer children)
    places_new: float = 0.0
    fte_pm: float = 0.0
    fte_hbo: float = 0.0
    fte_specialist: float = 0.0
    m2_new: float = 0.0
    m2: float = 0.0
    adapted_groups: float = 0.0

    def quantity(self, unit: str) -> float:
        """How many of a tariff unit this row needs."""
        return {"fte_pm": self.fte_pm, "fte_hbo": self.fte_hbo, "fte_specialist": self.fte_specialist,
                "plek": self.places, "groep": self.groups, "kind": self.children, "m2": self.m2_new,
                "aanpassing": self.adapted_groups}[unit]


@dataclass(frozen=True)
class CostLine:
    """quantity × amount of one tariff, for one catchment, group type and age group."""

    catchment: str
    group_type: str
    age_group: str
    stream: str
    payer: str
    unit: str
    quantity: float
    amount: float
    cost: float
    owner: str
    tariff_date: object
    tariff_id: int | None


@dataclass
class Plan:
    """A computed scenario: rows per catchment, costs, missing tariffs, risks and the parameters."""

    scenario: Scenario
    rows: list[PlanRow]
    costs: list[CostLine]
    missing_tariffs: list[tuple[str, str]]     # (group type, unit) with a quantity but no tariff
    risks: list[tuple[Risk, str]]              # the risk and what it means for this scenario
    parameters: list[tuple[Parameter, bool]]   # (parameter as used, changed in this scenario)
    catchments: dict[str, list[str]]
    wijk_names: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    # False where the existing plus-group places were not delivered (row 10): counted as 0
    existing_places_known: bool = True
    # With more than one catchment: the new plus groups of the whole gemeente as one catchment
    # (as Tekorten counts them, groups_by_gemeente) where they differ from this plan's
    catchment_note: str = ""
    # (catchment, age group) -> the niveau-3 children the scenario's separate share puts in a
    # separate group (N3 × s; Tekorten's 'van niveau 3 in een aparte groep'), whether or not the
    # plan's plus groups have the places for them
    separate_share_children: dict[tuple[str, str], float] = field(default_factory=dict)

    def totals(self, catchment: str | None = None) -> dict[str, float]:
        """Key figures of one catchment (or the gemeente: every catchment)."""
        rows = [r for r in self.rows if catchment is None or r.catchment == catchment]
        costs = [c for c in self.costs if catchment is None or c.catchment == catchment]

        def total(group_type, attribute):
            return sum(getattr(r, attribute) for r in rows if r.group_type == group_type)

        result = {
            "kinderen_niveau3": sum(r.children for r in rows if r.group_type != "coaching_niveau2"),
            "kinderen_niveau3_apart": total("plusgroep", "children") + total("bso_plus", "children"),
            "kinderen_niveau3_deel_apart": sum(
                v for (c, _), v in self.separate_share_children.items() if catchment is None or c == catchment),
            "plusgroepen_nieuw": total("plusgroep", "groups_new"),
            "bso_plus_nieuw": total("bso_plus", "groups_new"),
            "plekken_apart": total("plusgroep", "places") + total("bso_plus", "places"),
            "groepen_extra_inzet": total("regulier_extra", "groups"),
            "reguliere_groepen_nieuw": total("regulier_extra", "groups_new"),
            "kinderen_niveau2": total("coaching_niveau2", "children"),
            "fte_pm": sum(r.fte_pm for r in rows),
            "fte_hbo": sum(r.fte_hbo for r in rows),
            "fte_specialist": sum(r.fte_specialist for r in rows),
            "m2_nieuw": sum(r.m2_new for r in rows),
            "m2_apart": total("plusgroep", "m2") + total("bso_plus", "m2"),
            "kosten": sum(c.cost for c in costs),
        }
        result["fte"] = result["fte_pm"] + result["fte_hbo"] + result["fte_specialist"]
        result["aparte_groepen_nieuw"] = result["plusgroepen_nieuw"] + result["bso_plus_nieuw"]
        for payer in PAYERS:
            result[f"kosten_{payer}"] = sum(c.cost for c in costs if c.payer == payer)
        return result


def _read_csv(path: Path) -> list[Parameter]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Parameter(r["name"], float(r["value"]), float(r["low"]), float(r["high"]), r["unit"],
                          r["label_nl"], r["source"]) for r in csv.DictReader(f)]


@lru_cache(maxsize=1)
def default_parameters() -> dict[str, Parameter]:
    """Every parameter a plan uses: the model's (parameters.csv) and the plan's own
    (plan_parameters.csv), each with its seed line."""
    from transforms.model import PARAMETERS_CSV

    model = {p.name: p for p in _read_csv(PARAMETERS_CSV) if p.name in MODEL_PARAMETERS}
    plan = {p.name: p for p in _read_csv(PLAN_PARAMETERS_CSV)}
    return {**model, **plan}


def default_separate_share() -> float:
    """The model's 'deel van niveau 3 in een aparte groep' (a middle, not advice: 000:L167)."""
    from transforms.model import PARAMETERS_CSV

    return next(p.value for p in _read_csv(PARAMETERS_CSV) if p.name == "share_niveau_3_separate")


def validate(scenario: Scenario, wijk_codes: list[str] | None = None) -> list[str]:
    """Dutch messages for choices a plan cannot be computed with (empty when fine)."""
    problems = []
    if not scenario.name.strip():
        problems.append("Geef het scenario een naam.")
    if scenario.perspective not in PERSPECTIVES:
        problems.append(f"Onbekend perspectief '{scenario.perspective}': kies passend of inclusief.")
    if not 0 <= scenario.separate_share <= 1:
        problems.append("Het deel van niveau 3 in een aparte groep ligt tussen 0 en 100%.")
    if scenario.horizon not in HORIZONS:
        problems.append(f"Onbekende horizon '{scenario.horizon}': kies {', '.join(HORIZONS)}.")
    if scenario.estimate not in ESTIMATES:
        problems.append(f"Onbekende schatting '{scenario.estimate}': kies {', '.join(ESTIMATES)}.")
    unknown = [b for b in scenario.building_blocks if b not in BUILDING_BLOCKS]
    if unknown:
        problems.append(f"Onbekende bouwsteen: {', '.join(unknown)}.")
    defaults = default_parameters()
    for name, value in scenario.parameters.items():
        parameter = defaults.get(name)
        if parameter is None:
            problems.append(f"Onbekende parameter '{name}'.")
        elif not parameter.low <= float(value) <= parameter.high:
            problems.append(f"Parameter '{parameter.label}': {value:g} ligt niet tussen "
                            f"{parameter.low:g} en {parameter.high:g}.")
    for group_type, model in scenario.financing.items():
        if group_type not in GROUP_TYPES or model not in FINANCING_MODELS:
            problems.append(f"Onbekende financiering '{model}' voor '{group_type}'.")
    seen: dict[str, str] = {}
    for catchment, codes in scenario.catchments.items():
        if not str(catchment).strip():
            problems.append("Elk verzorgingsgebied heeft een naam.")
        for code in codes:
            if code in seen:
                problems.append(f"Wijk {code} staat in twee verzorgingsgebieden ({seen[code]} en "
                                f"{catchment}).")
            seen[code] = catchment
            if wijk_codes is not None and code not in wijk_codes:
                problems.append(f"Wijk {code} hoort niet bij {scenario.gemeente_code}.")
    return problems


def resolve_catchments(scenario: Scenario, wijken: list[WijkInput]) -> dict[str, list[str]]:
    """The catchments with every wijk in exactly one: wijken left out form 'Overige wijken'; no
    catchments at all is one catchment, the whole gemeente."""
    codes = list(dict.fromkeys(w.wijk_code for w in wijken))
    if not scenario.catchments:
        return {"Hele gemeente": codes}
    resolved = {name: [c for c in members if c in codes] for name, members in scenario.catchments.items()}
    assigned = {c for members in resolved.values() for c in members}
    rest = [c for c in codes if c not in assigned]
    if rest:
        resolved["Overige wijken"] = rest
    return {name: members for name, members in resolved.items() if members}


def _whole_children(children: float) -> int:
    # whole children per catchment: an expected 0,4 child needs no group of its own
    return int(math.floor(children + 0.5))


def compute_plan(scenario: Scenario, wijken: list[WijkInput], tariffs: list[Tariff] = ()) -> Plan:
    """Groups, places, FTE, m² and costs per catchment and age group for a scenario.

    Per catchment (wijken share provision, thuisnabij) and age group, with N3 the expected niveau 3
    children (the scenario's estimate) and s the separate share (passend; 0 for 0-2 and inclusief):
    plus places needed = N3 × s ÷ children per place; new groups = floor(max(needed - existing plus
    places, 0) ÷ group size): a shortage below one group needs no group, never rounded up per wijk;
    the children the plus places cannot take stay in the regular group. Regular groups with extra
    inzet = whole niveau 3 children there ÷ absorption cap, rounded up. FTE = persons on a group ×
    opening hours ÷ fte hours; m² = 3,5 per new simultaneous place; costs = quantity × tariff of a
    stream the group type's financing model allows."""
    values = {name: p.value for name, p in default_parameters().items()}
    values.update({k: float(v) for k, v in scenario.parameters.items()})
    blocks = set(scenario.building_blocks)
    variant = ESTIMATES.get(scenario.estimate, "mid")
    passend = scenario.perspective == "passend"
    catchments = resolve_catchments(scenario, wijken)
    wijk_names = {w.wijk_code: w.wijk_name for w in wijken}
    by_key: dict[tuple[str, str], list[WijkInput]] = defaultdict(list)
    catchment_of = {code: name for name, members in catchments.items() for code in members}
    for w in wijken:
        by_key[(catchment_of[w.wijk_code], w.age_group)].append(w)

    fte_hours = values["fte_hours_per_week"]
    m2_per_place = values["m2_per_child"]
    rows: list[PlanRow] = []
    warnings: list[str] = []
    separate_share_children: dict[tuple[str, str], float] = {}
    for catchment in catchments:
        for age_group in MODEL_AGE_GROUPS:
            members = by_key.get((catchment, age_group), [])
            if not members:
                continue
            bso = age_group == "4-12"
            n3 = sum(getattr(w, f"niveau3_{variant}") for w in members)
            n2 = sum(getattr(w, f"niveau2_{variant}") for w in members)
            existing_places = sum(w.plus_places for w in members)
            per_place = [(w.plus_places, w.plus_children_per_place) for w in members
                         if w.plus_children_per_place]
            if existing_places and per_place and sum(p for p, _ in per_place):
                plus_cpp = sum(p * c for p, c in per_place) / sum(p for p, _ in per_place)
            elif per_place:
                plus_cpp = per_place[0][1]
            else:
                plus_cpp = values["children_per_place_plusgroep"]
            regular_size = values["group_size_regular_bso" if bso else "group_size_regular_0_4"]
            regular_groups = sum(w.regular_places for w in members) / regular_size

            # niveau 3 in separate groups: passend only, never for 0-2 (the sources' separate
            # groups are for peuters and the BSO: 000:L1298, 001:L407)
            suffix = "bso" if bso else "0_4"
            plus_size = values[f"plusgroup_size_{suffix}"]
            plus_type = "bso_plus" if bso else "plusgroep"
            in_plus = 0.0
            if age_group != "0-2":
                share = scenario.separate_share if passend else 0.0
                separate = n3 * share
                separate_share_children[(catchment, age_group)] = separate
                needed = separate / plus_cpp
                new_groups = (math.floor(max(needed - existing_places, 0) / plus_size)
                              if passend and "plusgroepen" in blocks else 0)
                places = existing_places + new_groups * plus_size
                # Both perspectives start from today: the existing plus groups serve the niveau-3
                # children they serve today (in_plus_groups of the gap mart, per wijk). Inclusief
                # keeps the existing groups as they are (000:L163) and adds none; passend puts its
                # share apart, never fewer than today, at most what the groups can take.
                today = sum(w.served_today(variant, values["children_per_place_plusgroep"])
                            for w in members)
                in_plus = (min(max(separate, today), places * plus_cpp, n3) if passend
                           else today)
                if places or new_groups:
                    groups = places / plus_size
                    professionals = values[f"plus_professionals_{suffix}"]
                    hbo_share = values[f"plus_hbo_share_{suffix}"]
                    specialists = values[f"plus_specialist_{suffix}"]
                    if "hybride_plusgroepen" in blocks:
                        specialists = max(specialists, 1.0)
                    hours = values[f"hours_plus_group_{suffix}"] / fte_hours
                    rows.append(PlanRow(
                        catchment, plus_type, age_group, children=in_plus, groups_new=new_groups,
                        groups=groups, places=places, places_new=new_groups * plus_size,
                        fte_pm=groups * professionals * (1 - hbo_share) * hours,
                        fte_hbo=groups * professionals * hbo_share * hours,
                        fte_specialist=groups * specialists * hours,
                        m2_new=new_groups * plus_size * m2_per_place, m2=places * m2_per_place,
                        adapted_groups=new_groups if "aangepaste_inrichting" in blocks else 0))

            # niveau 3 in the regular group (heterogeen, 000:L711-714), up to the absorption cap
            integrated = max(n3 - in_plus, 0.0)
            cap = values["absorption_cap_per_group"]
            extra_groups = math.ceil(_whole_children(integrated) / cap) if integrated else 0
            row = PlanRow(catchment, "regulier_extra", age_group, children=integrated,
                          groups=extra_groups)
            hours = values["hours_regular_group_bso" if bso else "hours_regular_group_0_4"] / fte_hours
            # Without an LRK export the regular groups are not known (Tekorten: "niet bekend"):
            # the plan then adds no new regular groups for the cap (it counted the unknown groups
            # as 0 and put every group with niveau 3 children in the plan as a new one: Zwolle
            # got 76 groups and 4.780 m2 it may well have), and the risk says so.
            known = all(w.regular_places_known for w in members)
            over_cap = max(extra_groups - math.floor(regular_groups), 0)
            overflow = over_cap if known else 0
            lost_places = 0.0
            if "minder_kinderen" in blocks:
                reduced = values[f"reduced_group_size_{'bso' if bso else '0_4'}"]
                lost_places = extra_groups * max(regular_size - reduced, 0)
            if over_cap:
                warnings.append(f"{catchment}, {age_group} jaar: {extra_groups} groepen met niveau "
                                f"3-kinderen bij de opnamegrens van {cap:g}, maar "
                                + (f"ongeveer {math.floor(regular_groups)} reguliere groepen." if known
                                   else REGULAR_GROUPS_NOT_LOADED))
            new_places = lost_places + overflow * regular_size
            row.places = new_places
            row.places_new = new_places
            row.groups_new = math.ceil(new_places / regular_size - 1e-9) if new_places else 0
            row.m2_new = new_places * m2_per_place
            row.fte_pm = new_places / regular_size * values["regular_professionals_per_group"] * hours
            if "extra_medewerker" in blocks:
                row.fte_pm += extra_groups * values["extra_professional_share"] * hours
            if "specialist_op_groep" in blocks:
                row.fte_specialist = extra_groups * values["specialist_share_regular"] * hours
            if "coaching_advies" in blocks:
                row.fte_hbo = extra_groups * values["coaching_hours_per_group"] / fte_hours
            if "aangepaste_inrichting" in blocks:
                row.adapted_groups = extra_groups
            rows.append(row)

            # niveau 2: strengthening the professionals around the child (000:L198-200)
            if n2:
                rows.append(PlanRow(catchment, "coaching_niveau2", age_group, children=n2))

    costs, missing = _costs(scenario, rows, tariffs)
    changed = set(scenario.parameters)
    parameters = [(p if p.name not in changed else Parameter(
        p.name, float(scenario.parameters[p.name]), p.low, p.high, p.unit, p.label, p.source),
        p.name in changed) for p in default_parameters().values()]
    plan = Plan(scenario, rows, costs, missing, [], parameters, catchments, wijk_names, warnings,
                existing_places_known=all(w.plus_places_delivered for w in wijken),
                separate_share_children=separate_share_children)
    plan.risks = assess_risks(plan)
    if len(catchments) > 1:
        plan.catchment_note = _one_catchment_note(plan, compute_plan(replace(scenario, catchments={}), wijken))
    return plan


def _groups_text(count: float, one: str, more: str) -> str:
    return f"{count:g} {one if count == 1 else more}"


def _one_catchment_note(plan: Plan, whole: Plan) -> str:
    """Where counting per catchment gives other new plus groups than the whole gemeente as one
    catchment (Tekorten's 'aparte groepen nodig in de gemeente'): both counts, and why."""
    mine, gemeente = plan.totals(), whole.totals()
    keys = ("plusgroepen_nieuw", "bso_plus_nieuw")
    if all(mine[k] == gemeente[k] for k in keys):
        return ""
    # with this scenario's assumptions: Tekorten counts with the session's (its sliders), so its
    # figure can differ (group size 8 on Tekorten: 4 BSO-plusgroepen there, 1 here)
    return (f"{plan.scenario.name}: met de hele gemeente als één verzorgingsgebied (zo telt Tekorten "
            f"de aparte groepen; hier met de aannames van dit scenario) zijn het "
            f"{_groups_text(gemeente['plusgroepen_nieuw'], 'nieuwe peuterplusgroep', 'nieuwe peuterplusgroepen')} en "
            f"{_groups_text(gemeente['bso_plus_nieuw'], 'nieuwe BSO-plusgroep', 'nieuwe BSO-plusgroepen')}; "
            f"in dit scenario {mine['plusgroepen_nieuw']:g} en {mine['bso_plus_nieuw']:g}, omdat elk "
            f"verzorgingsgebied zijn eigen groepen telt en een tekort van minder dan één groep in een "
            f"gebied geen groep vraagt.")


def _costs(scenario: Scenario, rows: list[PlanRow], tariffs) -> tuple[list[CostLine], list[tuple]]:
    costs, missing = [], []
    for row in rows:
        model = FINANCING_MODELS[scenario.financing.get(row.group_type, "alle")]
        for unit in UNITS:
            quantity = row.quantity(unit)
            if not quantity:
                continue
            applicable = [t for t in tariffs if t.unit == unit and t.stream in model.streams
                          and t.group_type in (None, "", row.group_type)]
            if not applicable:
                if (row.group_type, unit) not in missing:
                    missing.append((row.group_type, unit))
                continue
            for t in applicable:
                costs.append(CostLine(row.catchment, row.group_type, row.age_group, t.stream,
                                      STREAMS[t.stream].payer, unit, quantity, float(t.amount),
                                      quantity * float(t.amount), t.owner, t.tariff_date, t.tariff_id))
    return costs, missing


# What a plan says of the regular groups where no LRK export is loaded (the overflow warning)
REGULAR_GROUPS_NOT_LOADED = ("hoeveel reguliere groepen er zijn, is niet bekend (geen LRK-export "
                             "geladen), dus het plan kan niet nagaan of ze volstaan en rekent geen "
                             "extra reguliere groepen. Laad de LRK-export van de gemeente om dit na "
                             "te gaan.")

# What a plan says of the existing plus-group places where no partner delivered row 10
NOT_DELIVERED_PLACES = ("niet geleverd: geen partner leverde rij 10 van de datatabel (groepsgrootte), "
                        "dus het plan rekent met 0")


def assess_risks(plan: Plan) -> list[tuple[Risk, str]]:
    """The handreiking's risks next to a scenario, each said for this scenario's figures."""
    s = plan.scenario
    t = plan.totals()
    new_separate = t["plusgroepen_nieuw"] + t["bso_plus_nieuw"]
    risks = []
    if s.perspective == "passend":
        existing = (f"{format_number(t['plekken_apart'] - _new_separate_places(plan))} bestaande plekken"
                    if plan.existing_places_known else
                    f"de bestaande plekken in aparte groepen ({NOT_DELIVERED_PLACES})")
        risks.append((RISKS["afschalen"],
                      f"Dit scenario zet {new_separate:g} nieuwe aparte groep(en) op, naast {existing}. "
                      "Eenmaal opgerichte aparte groepen zijn lastig weer af te schalen: dat kan de "
                      "beweging naar inclusie in de weg staan."))
        risks.append((RISKS["apart_onderwijs"],
                      "Veel aparte voorzieningen in de opvang kunnen zorgen voor instroom naar apart "
                      "onderwijs, terwijl het onderwijs in 2035 inclusief moet zijn"
                      + (": met een horizon van 5-10 jaar loopt dit plan tot na 2035." if s.horizon == "5-10"
                         else ".")))
    else:
        existing = (f"de {format_number(t['plekken_apart'])} bestaande plekken in aparte groepen blijven "
                    "zichtbaar" if plan.existing_places_known else
                    f"de bestaande plekken in aparte groepen blijven bestaan ({NOT_DELIVERED_PLACES})")
        risks.append((RISKS["afschalen"],
                      f"Geen nieuwe aparte groepen; {existing}. Afbouwen vraagt een eigen plan."))
        risks.append((RISKS["apart_onderwijs"],
                      "Opvang en onderwijs bewegen samen: sluit de stappen aan op de ontwikkeling naar "
                      "inclusief onderwijs (2035), ook voor de BSO."))
    risks.append((RISKS["aanzuigende_werking"],
                  "Nieuw aanbod maakt ouders en professionals bewust van ondersteuning: de vraag kan "
                  "groter worden dan de schatting (te weinig plekken, zwaardere groepen). Leg in- en "
                  "exclusiecriteria vast en evalueer regelmatig."))
    risks.append((RISKS["personeelskrapte"],
                  f"Het scenario vraagt ongeveer {format_number(t['fte'], 1)} fte. Door de personeelskrapte is "
                  "dat niet vanzelfsprekend te vinden; kijk ook naar bouwstenen zonder extra fte."))
    if plan.warnings:
        risks.append((RISKS["opnamegrens"], " ".join(plan.warnings)))
    if t["fte_specialist"]:
        risks.append((RISKS["bkr"], f"{format_number(t['fte_specialist'], 1)} fte specialisten of zorgmedewerkers "
                      "telt niet mee in de beroepskracht-kindratio: reken ze niet als pedagogisch "
                      "medewerker."))
    models = {FINANCING_MODELS[m] for m in s.financing.values() if m in FINANCING_MODELS}
    if any("spuk" in m.streams and m.streams != tuple(STREAMS) for m in models):
        risks.append((RISKS["incidenteel"], "Incidentele middelen zijn tijdelijk: regel vooraf de "
                      "structurele financiering na de pilot."))
    if any("jeugdwet" in m.streams and m.streams != tuple(STREAMS) for m in models):
        risks.append((RISKS["zorgindicatie"], "Met Jeugdwetmiddelen gaat het aanbod uit van een "
                      "zorgvraag, niet van een opvangvraag; houd opvang en jeugdhulp administratief "
                      "gescheiden."))
    return risks


def _new_separate_places(plan: Plan) -> float:
    return sum(r.places_new for r in plan.rows if r.group_type in ("plusgroep", "bso_plus"))


def input_rows(records: list[dict]) -> list[WijkInput]:
    """WijkInput rows from plain dicts (a query's records), with nulls as 0."""
    fields = WijkInput.__dataclass_fields__
    rows = []
    for record in records:
        values = {k: v for k, v in record.items() if k in fields}
        for key in ("niveau3_low", "niveau3_mid", "niveau3_high", "niveau2_low", "niveau2_mid",
                    "niveau2_high", "regular_places", "plus_places"):
            value = values.get(key)
            values[key] = 0.0 if value is None or value != value else float(value)
        for key in ("plus_children_per_place", "in_plus_groups"):
            value = values.get(key)
            values[key] = None if value is None or value != value else float(value)
        if values.get("plus_places_delivered") is None:
            values.pop("plus_places_delivered", None)  # no plus-group rows (0-2): nothing missing
        if values.get("regular_places_known") is None:
            values.pop("regular_places_known", None)
        rows.append(WijkInput(**values))
    return rows
