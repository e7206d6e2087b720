-- One row per row of signals_by_wijk: whether the signal adjusts the estimate (used_in_index) of
-- continuum_by_wijk_niveau. Only the kinds chosen in the settings (by default real support
-- signals: vve taal/spraak and sociaal-emotioneel, jeugdhulp ambulant and dagbehandeling, extra
-- ondersteuning niveau 3 and 4; not SES-based vve, pleegzorg, jeugdbescherming or waiting lists),
-- CBS jeugdzorg only where no chosen partner kind exists, at least the smallest count shown, and
-- only where the pages show the cell and its gemeente total (signals_protection_by_wijk: the
-- protection every page and export uses). A cell the pages hide (a small count, or a larger one
-- hidden with it so that it cannot be subtracted, or by the contributor rule) never adjusts an
-- estimate: neither "Gebruikte signalen" nor an estimate tells anything of it. Nor does a rate
-- over fewer children than the minimum base (KINDKAART_MIN_BASE): that wijk keeps the model's
-- estimate without the signal (an estimate is never hidden).
-- A view: it reads the settings, so a session (transforms.model.evaluate) evaluates it with its
-- own choice of kinds.
-- Source: signals_by_wijk, signals_protection_by_wijk, int_signals__partner_counts,
-- stg_model__settings.
-- materialized: view
with chosen as (
    select unnest(string_split(signal_kinds, ',')) as signal_kind from stg_model__settings
),

-- gemeenten and years with a chosen partner signal: there the CBS fallback is not used
partner_chosen as (
    select distinct gemeente_code, year
    from int_signals__partner_counts
    where signal_kind in (select signal_kind from chosen) and signal_kind <> 'cbs_jeugdzorg'
),

final as (
    select
        s.gemeente_code,
        s.wijk_code,
        s.year,
        s.signal_type,
        s.signal_kind,
        s.age_group,
        s.children_count,
        s.ratio_to_gemeente,
        coalesce(p.cell_hidden, true) as cell_hidden,
        coalesce(p.gemeente_cell_hidden, true) as gemeente_cell_hidden,
        -- waiting lists measure the gap, not the need; small counts are too uncertain (and
        -- could identify children through the adjusted estimate), and so is every cell the
        -- pages hide
        s.signal_type not like 'wachtlijst%'
            and s.signal_kind in (select signal_kind from chosen)
            and (s.signal_kind <> 'cbs_jeugdzorg' or pc.gemeente_code is null)
            and s.children_count >= (select min_count from stg_model__settings)
            and p.cell_hidden is false
            and p.gemeente_cell_hidden is false
            and s.gemeente_rate_per_100 > 0
            -- nor where the population it is a rate of is hidden (signals_by_wijk)
            and not s.population_hidden
            -- nor where it is unknown (CBS secret): there is no rate to compare
            and not s.population_unknown
            -- nor a rate over fewer children than the minimum base, of the wijk or the gemeente
            -- (the pages show no such rate; the signal index, shown on Continuum, times the
            -- gemeente rate would give it back, and over 8 children one child is 12,5 per 100);
            -- CBS's own jeugdzorg percentage is public and exempt
            and (s.signal_type = 'cbs_jeugdzorg' or coalesce(
                s.population_children >= (select min_base from stg_model__settings)
                and s.gemeente_population_children >= (select min_base from stg_model__settings),
                false))
            and not s.gemeente_population_hidden as used_in_index
    from signals_by_wijk as s
    -- joins, not a correlated `not exists`: a filter on the gemeente then reaches every source
    left join partner_chosen as pc using (gemeente_code, year)
    left join signals_protection_by_wijk as p
        using (gemeente_code, year, signal_type, signal_kind, age_group, wijk_code)
)

select * from final
