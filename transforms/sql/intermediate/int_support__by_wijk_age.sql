-- materialized: table
-- One row per gemeente, wijk, year, age group, niveau (2, 3 or 4; null for other kinds),
-- aanbieder and organisation of the support partners delivered (row 7 ondersteuningstrajecten): children
-- reached, trajecten and hours. The organisation is kept for the contributor rule
-- (transforms.privacy.protect_contributions): these children are also the signal
-- 'ondersteuningstrajecten' per niveau (int_signals__partner_counts), one protected table for
-- every view of them. Every delivery has a row (wijk or niveau may be null), so it also tells where row 7 was
-- delivered at all. Stored: the staging view parses JSON, too slow to repeat per page view. Coaching of
-- professionals is niveau 2 (000:L200: versterking van de professionals rond het kind);
-- specialist inzet in or beside the group is niveau 3 (000:L204-206); behandeling is niveau 4.
-- Source: stg_partner__ondersteuningstrajecten.
-- rebuild: per gemeente
with typed as (
    select
        gemeente_code,
        wijk_code,
        year,
        age_group,
        organisation,
        provider,
        case
            when support_type = 'coaching pm''ers' then 2
            when support_type in (
                'ondersteuning in de groep', 'ambulante begeleiding', 'logopedie', 'fysiotherapie'
            ) then 3
            when support_type = 'behandeling' then 4
        end as niveau,
        children_count,
        trajectories_count,
        -- exact decimal sums: a double sum depends on the order DuckDB's threads add in
        support_hours::decimal(18, 3) as support_hours
    from stg_partner__ondersteuningstrajecten
),

final as (
    select
        gemeente_code,
        wijk_code,
        year,
        age_group,
        niveau,
        organisation,
        -- the aanbieder the row names: the contributor rule holds for it as for the organisation
        provider,
        sum(children_count) as support_children,
        sum(trajectories_count) as trajectories_count,
        sum(support_hours) as support_hours
    from typed
    group by all
)

select * from final
