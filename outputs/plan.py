"""A scenario as a plan: the comparison of scenarios, the plan workbook (.xlsx) and printable plan (.html).

Every figure is a rounded estimate from the continuum model, and every assumption is listed with
its source line or, for amounts, with who entered it and when. Counts of children are model
estimates, shown as everywhere (transforms.privacy.model_estimate_text): rounded, '<1' below one child.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from outputs.exports import Sheet, workbook_bytes
from outputs.html import esc, html_table
from outputs.report import STYLE
from transforms.labels import SEPARATE_PLACED_CHILDREN, SEPARATE_SHARE_CHILDREN
from transforms.planning import (
    BUILDING_BLOCKS,
    FINANCING_MODELS,
    GROUP_TYPES,
    HORIZONS,
    PAYERS,
    PERSPECTIVES,
    STREAMS,
    UNITS,
    Plan,
)
from transforms.privacy import format_number, model_estimate_text, round_estimate

ESTIMATE_NOTE = (
    "Schatting: uitgerekend uit het continuümmodel (verwachte kinderen per niveau uit CBS/BRP-"
    "bevolking, deelname en de aandelen van de handreiking, 000:L192-212) en de plekken uit het "
    "LRK en de aanleveringen, met de aannames van dit scenario. Afgerond; geen telling.")
GEMEENTE_LABEL = "Gemeente"


@dataclass(frozen=True)
class Figure:
    """A key figure of a plan: its key in Plan.totals(), Dutch label and kind of number."""

    key: str
    label: str
    kind: str  # children | groups | fte | m2 | euro


FIGURES = (
    Figure("kinderen_niveau3", "Kinderen niveau 3 (schatting)", "children"),
    Figure("kinderen_niveau3_apart", SEPARATE_PLACED_CHILDREN, "children"),
    Figure("kinderen_niveau3_deel_apart", SEPARATE_SHARE_CHILDREN, "children"),
    Figure("plusgroepen_nieuw", "Nieuwe peuterplusgroepen", "groups"),
    Figure("bso_plus_nieuw", "Nieuwe BSO-plusgroepen", "groups"),
    Figure("aparte_groepen_nieuw", "Nieuwe aparte groepen samen", "groups"),
    Figure("plekken_apart", "Plekken in aparte groepen (gelijktijdig)", "groups"),
    Figure("groepen_extra_inzet", "Reguliere groepen met extra inzet", "groups"),
    Figure("reguliere_groepen_nieuw", "Extra reguliere groepen (opnamegrens, minder kinderen)", "groups"),
    Figure("fte_pm", "Fte pedagogisch medewerkers", "fte"),
    Figure("fte_hbo", "Fte hbo (coach, pedagoog)", "fte"),
    Figure("fte_specialist", "Fte specialisten en zorgmedewerkers (buiten de BKR)", "fte"),
    Figure("fte", "Fte totaal", "fte"),
    Figure("m2_nieuw", "Nieuwe binnenspeelruimte (m²)", "m2"),
    Figure("kosten", "Kosten per jaar (€, uit ingevoerde tarieven)", "euro"),
    Figure("kosten_gemeente", "waarvan gemeente (€)", "euro"),
    Figure("kosten_KOT/ouders", "waarvan kot en ouders (€)", "euro"),
    Figure("kosten_overig", "waarvan overig: zorgkantoor, verzekeraar, eigen middelen (€)", "euro"),
)
CHART_FIGURES = ("plusgroepen_nieuw", "bso_plus_nieuw", "groepen_extra_inzet", "fte", "m2_nieuw",
                 "kosten")
SLIDE_FIGURES = ("aparte_groepen_nieuw", "groepen_extra_inzet", "fte", "m2_nieuw")


def shown(value: float, kind: str) -> str:
    """A plan figure as text: children as every model estimate ('<1' below one child, else rounded), groups whole,
    fte to one decimal, m² to fives, euros to hundreds."""
    if value is None or value != value:
        return ""
    if kind == "children":
        return model_estimate_text(value)
    if kind == "fte":
        return format_number(value, 1)
    if kind == "m2":
        return format_number(5 * round(value / 5))
    if kind == "euro":
        return format_number(100 * round(value / 100))
    return format_number(value)


def rounded(value: float, kind: str) -> float:
    """The number behind `shown` (for charts and workbooks)."""
    if kind == "children":
        return round_estimate(value)
    if kind == "fte":
        return round(value, 1) + 0.0  # -0.04 is 0.0 (no '-0' in a workbook), as format_number shows it
    if kind == "m2":
        return float(5 * round(value / 5))
    if kind == "euro":
        return float(100 * round(value / 100))
    return float(round(value, 1)) + 0.0


def has_costs(plan: Plan) -> bool:
    """Whether any tariff applied: without tariffs a plan shows no euro figures at all."""
    return bool(plan.costs)


def figures(plan: Plan) -> tuple[Figure, ...]:
    """The figures worth showing for a plan (costs only when tariffs were entered)."""
    return tuple(f for f in FIGURES if f.kind != "euro" or has_costs(plan))


def catchment_order(plans: list[Plan]) -> list[str]:
    """Every catchment of the plans in first-seen order, then the gemeente. Plans of one catchment
    each (no verzorgingsgebieden: 'Hele gemeente') have only the gemeente: that catchment's figures
    are the gemeente's, and the chart and table showed them twice ('Hele gemeente' and 'Gemeente')."""
    names: list[str] = []
    for plan in plans:
        names += [c for c in plan.catchments if c not in names]
    if all(len(plan.catchments) <= 1 for plan in plans):
        return [GEMEENTE_LABEL]
    return [*names, GEMEENTE_LABEL]


def comparison_long(plans: list[Plan]) -> pd.DataFrame:
    """Scenario × catchment × figure, rounded numbers: the chart's data."""
    records = []
    for plan in plans:
        for catchment in catchment_order([plan]):
            totals = plan.totals(None if catchment == GEMEENTE_LABEL else catchment)
            for figure in figures(plan):
                records.append({"scenario": plan.scenario.name, "catchment": catchment,
                                "key": figure.key, "label": figure.label,
                                "value": rounded(totals[figure.key], figure.kind),
                                "text": shown(totals[figure.key], figure.kind)})
    return pd.DataFrame(records, columns=["scenario", "catchment", "key", "label", "value", "text"])


def comparison_frame(plans: list[Plan]) -> pd.DataFrame:
    """Side by side: one row per figure, one column per catchment and scenario (text), the
    gemeente last; with one plan the columns are its catchments."""
    long = comparison_long(plans)
    labels = list(dict.fromkeys(f.label for p in plans for f in figures(p)))
    columns: dict[str, list[str]] = {"Grootheid": labels}
    for catchment in catchment_order(plans):
        for plan in plans:
            part = long[(long["catchment"] == catchment) & (long["scenario"] == plan.scenario.name)]
            texts = dict(zip(part["label"], part["text"], strict=True))
            header = catchment if len(plans) == 1 else f"{catchment} · {_column_name(plan)}"
            columns[header] = [texts.get(label, "—") for label in labels]
    return pd.DataFrame(columns)


def _column_name(plan: Plan) -> str:
    return f"{plan.scenario.name} ({plan.scenario.perspective})"


def choices_frame(plan: Plan) -> pd.DataFrame:
    """The scenario's choices in words, each with its source."""
    s = plan.scenario
    rows = [
        ("Naam", s.name, ""),
        ("Gemeente en jaar", f"{s.gemeente_code}, gegevens van {s.year}", ""),
        ("Perspectief", PERSPECTIVES[s.perspective], "000:L137-167"),
        ("Deel van niveau 3 in een aparte groep",
         f"{format_number(100 * s.separate_share)}%" if s.perspective == "passend"
         else "niet van toepassing (inclusief)", "000:L137-141; parameter share_niveau_3_separate"),
        ("Horizon", HORIZONS[s.horizon], "000:L386-409"),
        ("Schatting", f"{s.estimate} (van de bandbreedte van het continuümmodel)", "docs/model.md"),
    ]
    for catchment, codes in plan.catchments.items():
        rows.append((f"Verzorgingsgebied {catchment}",
                     ", ".join(plan.wijk_names.get(c, c) for c in codes), "thuisnabij: wijken delen aanbod"))
    for block in s.building_blocks:
        label, source = BUILDING_BLOCKS[block]
        rows.append(("Bouwsteen", label, source))
    for group_type in GROUP_TYPES:
        model = FINANCING_MODELS[s.financing.get(group_type, "alle")]
        rows.append((f"Financiering: {GROUP_TYPES[group_type]}", model.label, model.source))
    rows += [("Gemaakt door", s.created_by or "", ""),
             ("Gemaakt op", _when(s.created_at), ""), ("Gewijzigd op", _when(s.updated_at), ""),
             ("Toelichting", s.note or "", "")]
    return pd.DataFrame(rows, columns=["Keuze", "Waarde", "Bron"])


def _when(value) -> str:
    return f"{value:%d-%m-%Y %H:%M}" if isinstance(value, datetime) else (str(value) if value else "")


SHORT_GROUP_TYPES = {"regulier_extra": "regulier + extra inzet", "plusgroep": "peuterplusgroep",
                     "bso_plus": "BSO-plusgroep", "coaching_niveau2": "niveau 2: coaching"}
ONE_DECIMAL = ("Groepen in het plan", "Fte pm", "Fte hbo", "Fte specialist")


def rows_frame(plan: Plan) -> pd.DataFrame:
    """Per catchment, group type and age group: children, groups, places, FTE, m² (rounded)."""
    records = []
    for r in plan.rows:
        records.append({
            "Verzorgingsgebied": r.catchment, "Groepstype": SHORT_GROUP_TYPES[r.group_type],
            "Leeftijd": r.age_group,
            "Kinderen (schatting)": shown(r.children, "children"),
            "Groepen in het plan": rounded(r.groups, "groups"),
            "waarvan nieuw": r.groups_new,
            "Plekken (gelijktijdig)": round(r.places),
            "Fte pm": rounded(r.fte_pm, "fte"), "Fte hbo": rounded(r.fte_hbo, "fte"),
            "Fte specialist": rounded(r.fte_specialist, "fte"),
            "Nieuwe m²": int(rounded(r.m2_new, "m2")),
        })
    return pd.DataFrame(records)


def parameters_frame(plan: Plan) -> pd.DataFrame:
    """Every parameter the plan used, with its value, range, unit and source."""
    return pd.DataFrame([{
        "Parameter": p.label, "Waarde": p.value, "Laag": p.low, "Hoog": p.high, "Eenheid": p.unit,
        "Aangepast in dit scenario": "ja" if changed else "", "Bron": p.source, "Naam": p.name,
    } for p, changed in plan.parameters])


def costs_frame(plan: Plan) -> pd.DataFrame:
    """Every cost line: quantity × tariff, with the stream, payer and who entered the amount."""
    return pd.DataFrame([{
        "Verzorgingsgebied": c.catchment, "Groepstype": GROUP_TYPES[c.group_type],
        "Leeftijdsgroep": f"{c.age_group} jaar", "Financieringsstroom": STREAMS[c.stream].label,
        "Betaler": c.payer, "Eenheid": UNITS[c.unit], "Aantal": round(c.quantity, 2),
        "Tarief (€)": c.amount, "Kosten per jaar (€)": rounded(c.cost, "euro"),
        "Tarief van": c.owner, "Datum tarief": str(c.tariff_date),
    } for c in plan.costs])


def payers_frame(plan: Plan) -> pd.DataFrame:
    """Who pays what, per catchment and for the gemeente (€ per year, rounded); empty without
    tariffs (no zeros that look like a free plan)."""
    records = []
    if not has_costs(plan):
        return pd.DataFrame()
    for catchment in catchment_order([plan]):
        totals = plan.totals(None if catchment == GEMEENTE_LABEL else catchment)
        records.append({"Verzorgingsgebied": catchment,
                        **{f"{payer} (€)": rounded(totals[f"kosten_{payer}"], "euro") for payer in PAYERS},
                        "Totaal (€)": rounded(totals["kosten"], "euro")})
    return pd.DataFrame(records)


def missing_tariffs_frame(plan: Plan) -> pd.DataFrame:
    """Quantities without a tariff (no amount is ever guessed)."""
    return pd.DataFrame([{"Groepstype": GROUP_TYPES[g], "Eenheid": UNITS[u],
                          "Financiering": FINANCING_MODELS[plan.scenario.financing.get(g, "alle")].label}
                         for g, u in plan.missing_tariffs])


def risks_frame(plan: Plan) -> pd.DataFrame:
    """The handreiking's risks next to this scenario."""
    return pd.DataFrame([{"Risico": risk.title, "Voor dit scenario": text, "Bron": risk.source}
                         for risk, text in plan.risks])


def tariffs_frame(tariffs) -> pd.DataFrame:
    """The tariffs as entered, with owner and date."""
    return pd.DataFrame([{"Financieringsstroom": STREAMS[t.stream].label, "Betaler": STREAMS[t.stream].payer,
                          "Eenheid": UNITS[t.unit],
                          "Groepstype": GROUP_TYPES.get(t.group_type or "", "alle groepstypen"),
                          "Bedrag (€)": float(t.amount), "Tarief van": t.owner,
                          "Datum": str(t.tariff_date), "Toelichting": t.note or ""} for t in tariffs],
                        columns=["Financieringsstroom", "Betaler", "Eenheid", "Groepstype", "Bedrag (€)",
                                 "Tarief van", "Datum", "Toelichting"])


def inputs_frame(plan: Plan, inputs) -> pd.DataFrame:
    """The continuum model's figures per wijk the plan started from (rounded estimates)."""
    variant = {"laag": "low", "midden": "mid", "hoog": "high"}[plan.scenario.estimate]
    catchment_of = {c: name for name, codes in plan.catchments.items() for c in codes}
    return pd.DataFrame([{
        "Wijk": w.wijk_name, "Verzorgingsgebied": catchment_of.get(w.wijk_code, ""),
        "Leeftijdsgroep": f"{w.age_group} jaar",
        "Kinderen niveau 3 (schatting)": shown(getattr(w, f"niveau3_{variant}"), "children"),
        "Kinderen niveau 2 (schatting)": shown(getattr(w, f"niveau2_{variant}"), "children"),
        "Reguliere plekken (gelijktijdig)": round(w.regular_places),
        "Plekken in aparte groepen": round(w.plus_places) if w.plus_places_delivered else "niet geleverd",
    } for w in inputs])


def plan_sheets(plan: Plan, tariffs=(), inputs=()) -> list[Sheet]:
    """The sheets of a plan workbook."""
    sheets = [
        Sheet("Scenario", choices_frame(plan), ["De keuzes van het scenario met hun bron."]),
        Sheet("Kerncijfers", comparison_frame([plan]), [ESTIMATE_NOTE, *filter(None, [plan.catchment_note])]),
        Sheet("Per verzorgingsgebied", rows_frame(plan), [
            "Groepen per verzorgingsgebied (wijken delen aanbod), nooit per wijk naar boven afgerond; "
            "een tekort van minder dan één groep vraagt geen groep. Geen plusgroepen voor 0-2 jaar. "
            "Fte = personen op de groep × openingsuren ÷ uren per fte; m² = 3,5 per nieuwe plek "
            "(000:L1733).", ESTIMATE_NOTE]),
        Sheet("Wie betaalt wat", payers_frame(plan), [
            "Kosten per jaar uit de tarieven die gebruikers invoerden (eigenaar en datum op het blad "
            "Tarieven); Kindkaart vult zelf geen bedragen in."]),
        Sheet("Kosten", costs_frame(plan), ["Elke regel: aantal × tarief."]),
        Sheet("Ontbrekende tarieven", missing_tariffs_frame(plan),
              ["Hoeveelheden waarvoor (binnen de gekozen financiering) geen tarief is ingevoerd."]),
        Sheet("Tarieven", tariffs_frame(tariffs), ["Bedragen zoals ingevoerd, met eigenaar en datum."]),
        Sheet("Aannames", parameters_frame(plan), [
            "Elke parameter met waarde, bandbreedte en bronregel (000: handreiking, 001: Waarborgfonds/"
            "NJi, 002: BMK). 'Aanname Kindkaart' staat er waar de bronnen geen getal geven."]),
        Sheet("Risico's", risks_frame(plan), ["Uit de handreiking, naast elk scenario."]),
    ]
    if inputs:
        sheets.append(Sheet("Wijken", inputs_frame(plan, inputs), [ESTIMATE_NOTE]))
    return sheets


def plan_workbook(plan: Plan, gemeente_name: str, tariffs=(), inputs=(), status: str = "") -> bytes:
    """The plan of one scenario as an .xlsx workbook, every assumption with its source."""
    s = plan.scenario
    return workbook_bytes(plan_sheets(plan, tariffs, inputs),
                          title=f"Kindkaart plan: {s.name} ({gemeente_name}, {s.year})",
                          context=[f"Scenario {s.scenario_id or ''}: {s.name}; perspectief {s.perspective}; "
                                   f"horizon {s.horizon} jaar.", *([f"Status: {status}."] if status else []),
                                   ESTIMATE_NOTE])


# A plan is mostly wide tables: print it in landscape.
LANDSCAPE = "@page { size: A4 landscape; margin: 12mm; } body { max-width: 270mm; }"


def plan_html(plan: Plan, gemeente_name: str, tariffs=(), inputs=(), status: str = "") -> str:
    """A printable plan (HTML; print to PDF from the browser) with every assumption and its source."""
    s = plan.scenario
    parts = [f"<h1>Plan: {esc(s.name)}</h1>",
             f"<p class='subtitle'>{esc(gemeente_name)} ({esc(s.gemeente_code)}), gegevens {s.year}; "
             f"{esc(PERSPECTIVES[s.perspective])}; horizon {esc(s.horizon)} jaar"
             f"{'; ' + esc(status) if status else ''}.</p>",
             f"<p class='note'>{esc(ESTIMATE_NOTE)}</p>"]
    for sheet in plan_sheets(plan, tariffs, inputs):
        if sheet.frame.empty:
            body = "<p class='note'>Geen.</p>"
        else:
            body = html_table(_as_text(sheet.frame))
        notes = "".join(f"<p class='note'>{esc(n)}</p>" for n in sheet.notes)
        parts.append(f"<section><h2>{esc(sheet.title)}</h2>{body}{notes}</section>")
    parts.append(f"<p class='note'>Gemaakt op {datetime.now():%d-%m-%Y %H:%M} met Kindkaart.</p>")
    return (f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>Plan {esc(s.name)}</title>"
            f"<style>{STYLE}{LANDSCAPE}</style></head><body>{''.join(parts)}</body></html>")


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    # numbers in Dutch notation: whole where whole, one decimal for FTE and part groups, two for
    # parameter values and tariffs
    def text(value, column):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            return value
        if column in ONE_DECIMAL:
            return format_number(value, 1)
        if float(value).is_integer():
            return format_number(value)
        return format_number(value, 2)

    return pd.DataFrame({c: [text(v, c) for v in frame[c]] for c in frame.columns})


def summary_lines(plan: Plan, status: str = "") -> list[str]:
    """A plan in a few lines of text (the CLI's `scenario show`)."""
    s = plan.scenario
    lines = [f"Scenario {s.scenario_id}: {s.name} ({s.gemeente_code}, {s.year})",
             f"Perspectief: {s.perspective}; deel apart: {format_number(100 * s.separate_share)}%; "
             f"horizon {s.horizon} jaar; schatting {s.estimate}" + (f"; {status}" if status else ""),
             "Bouwstenen: " + (", ".join(BUILDING_BLOCKS[b][0] for b in s.building_blocks) or "geen")]
    for catchment in catchment_order([plan]):
        totals = plan.totals(None if catchment == GEMEENTE_LABEL else catchment)
        figures_text = "; ".join(f"{f.label}: {shown(totals[f.key], f.kind)}" for f in figures(plan))
        lines.append(f"{catchment}: {figures_text}")
    if not has_costs(plan):
        lines.append("Kosten: nog geen tarieven ingevoerd (Kindkaart vult zelf geen bedragen in).")
    if plan.catchment_note:
        lines.append(plan.catchment_note)
    lines.append("Risico's: " + "; ".join(f"{risk.title} ({risk.source})" for risk, _ in plan.risks))
    lines.append(ESTIMATE_NOTE)
    return lines
