-- materialized: view
-- One row per gemeente, wijk, year, age group, niveau (1-3), perspective and component: modelled
-- children against supply in the niveau's own unit. Niveau 1: the regular-place balance, once,
-- for every child who uses or seeks childcare (niveau 1-3) except those the existing plus-groups
-- serve, in simultaneous places ("plekken (gelijktijdig)") via children per place. Niveau 2:
-- children against children reached by coaching of professionals (row 7). Niveau 3 passend: the
-- separate-group share against plus-group places (no plus-groups for 0-2) and the rest against
-- specialist inzet; niveau 3 inclusief: all of niveau 3 in regular groups, against the absorption
-- cap (children per regular group) and specialist inzet. Niveau 4 is regional:
-- niveau4_by_gemeente. A view: the gap of one gemeente is computed when asked.
-- Source: continuum_by_wijk_niveau, int_supply__by_wijk_age, int_supply__children_per_place,
-- int_support__by_wijk_age, stg_model__parameters.
with demand as (
    select
        gemeente_code,
        wijk_code,
        any_value(wijk_name) as wijk_name,
        year,
        age_group,
        -- children who use or seek childcare (the noemer of niveau 1-3), without niveau 4
        any_value(base_children_low) filter (where niveau = 1)
            * (1 - any_value(share_mid) filter (where niveau = 4)) as in_childcare_low,
        sum(children_mid) filter (where niveau <= 3) as in_childcare_mid,
        any_value(base_children_high) filter (where niveau = 1)
            * (1 - any_value(share_mid) filter (where niveau = 4)) as in_childcare_high,
        any_value(children_low) filter (where niveau = 2) as n2_low,
        any_value(children_mid) filter (where niveau = 2) as n2_mid,
        any_value(children_high) filter (where niveau = 2) as n2_high,
        any_value(children_low) filter (where niveau = 3) as n3_low,
        any_value(children_mid) filter (where niveau = 3) as n3_mid,
        any_value(children_high) filter (where niveau = 3) as n3_high,
        any_value(children_signal_adjusted) filter (where niveau = 3) as n3_adjusted
    from continuum_by_wijk_niveau
    group by gemeente_code, wijk_code, year, age_group
),

parameters as (
    select
        any_value(value) filter (where name = 'share_niveau_3_separate') as separate_share,
        any_value(value) filter (where name = 'absorption_cap_per_group') as absorption_cap,
        any_value(value) filter (where name = 'group_size_regular_0_4') as group_size_0_4,
        any_value(value) filter (where name = 'group_size_regular_bso') as group_size_bso
    from stg_model__parameters
),

supply as (
    select
        gemeente_code,
        wijk_code,
        year,
        age_group,
        any_value(supply_year) as supply_year,
        coalesce(sum(places) filter (where provision_group = 'regulier'), 0) as regular_places,
        sum(capacity_children) filter (where provision_group = 'regulier') as regular_capacity,
        coalesce(sum(places) filter (where provision_type = 'plusgroep'), 0) as plus_places,
        coalesce(sum(capacity_children) filter (where provision_type = 'plusgroep'), 0)
            as plus_capacity
    from int_supply__by_wijk_age
    group by all
),

supply_years as (
    select gemeente_code, year, max(supply_year) as supply_year
    from int_supply__by_wijk_age
    group by all
),

children_per_place as (
    select
        gemeente_code,
        year,
        any_value(children_per_place) filter (where provision_type = 'dagopvang') as cpp_0_4,
        any_value(children_per_place) filter (where provision_type = 'bso') as cpp_bso,
        any_value(children_per_place) filter (where provision_type = 'plusgroep') as cpp_plus,
        string_agg(distinct children_per_place_source, ', ') filter (
            where provision_type in ('dagopvang', 'bso', 'gastouderopvang')
        ) as regular_cpp_source,
        any_value(children_per_place_source) filter (where provision_type = 'plusgroep')
            as plus_cpp_source
    from int_supply__children_per_place
    group by all
),

-- support is a delivered count: null where no partner delivered row 7 for the gemeente and year
support_delivered as (
    select distinct gemeente_code, year from stg_partner__ondersteuningstrajecten
),

support as (
    select
        gemeente_code,
        wijk_code,
        year,
        age_group,
        sum(support_children) filter (where niveau = 2) as n2_children,
        sum(trajectories_count) filter (where niveau = 2) as n2_trajectories,
        sum(support_hours) filter (where niveau = 2) as n2_hours,
        sum(support_children) filter (where niveau = 3) as n3_children,
        sum(trajectories_count) filter (where niveau = 3) as n3_trajectories,
        sum(support_hours) filter (where niveau = 3) as n3_hours
    from int_support__by_wijk_age
    group by all
),

joined as (
    select
        d.*,
        y.supply_year,
        coalesce(s.regular_places, 0) as regular_places,
        coalesce(s.plus_places, 0) as plus_places,
        coalesce(s.plus_capacity, 0) as plus_capacity,
        -- the children one regular place serves: the wijk's own mix of provisions, else the
        -- gemeente's figure for the age group's main provision
        coalesce(
            s.regular_capacity / nullif(s.regular_places, 0),
            case when d.age_group = '4-12' then c.cpp_bso else c.cpp_0_4 end
        ) as regular_cpp,
        c.regular_cpp_source,
        c.cpp_plus,
        c.plus_cpp_source,
        -- the existing plus-groups serve niveau 3 children today, in both perspectives
        least(d.n3_mid, coalesce(s.plus_capacity, 0)) as in_plus_groups,
        case when d.age_group = '0-2' then 0 else p.separate_share end as separate_share,
        p.absorption_cap
            / case when d.age_group = '4-12' then p.group_size_bso else p.group_size_0_4 end
            as absorption_per_place,
        sd.gemeente_code is not null as support_delivered,
        coalesce(su.n2_children, 0) as n2_support,
        su.n2_trajectories,
        su.n2_hours,
        coalesce(su.n3_children, 0) as n3_support,
        su.n3_trajectories,
        su.n3_hours
    from demand as d
    cross join parameters as p
    left join supply as s using (gemeente_code, wijk_code, year, age_group)
    left join supply_years as y using (gemeente_code, year)
    left join children_per_place as c using (gemeente_code, year)
    left join support_delivered as sd using (gemeente_code, year)
    left join support as su using (gemeente_code, wijk_code, year, age_group)
),

components as (
    -- niveau 1: the regular-place balance, in simultaneous places
    select
        *,
        1 as niveau,
        'beide' as perspective,
        'reguliere_plekken' as component,
        in_childcare_low - in_plus_groups as demand_low,
        in_childcare_mid - in_plus_groups as demand_mid,
        in_childcare_high - in_plus_groups as demand_high,
        in_childcare_mid - in_plus_groups as demand_signal_adjusted,
        'plekken (gelijktijdig)' as supply_unit,
        regular_places as supply,
        regular_cpp as children_per_place,
        regular_cpp_source as children_per_place_source,
        null::double as trajectories_count,
        null::double as support_hours
    from joined
    union all
    -- niveau 2: support to the professionals around the child (row 7, coaching)
    select
        *,
        2,
        'beide',
        'ondersteuning_professionals',
        n2_low,
        n2_mid,
        n2_high,
        n2_mid,
        'kinderen',
        case when support_delivered then n2_support end,
        null,
        null,
        n2_trajectories,
        n2_hours
    from joined
    union all
    -- niveau 3, passend: the separate-group share in plus-groups (none for 0-2)
    select
        *,
        3,
        'passend',
        'aparte_groep',
        n3_low * separate_share,
        n3_mid * separate_share,
        n3_high * separate_share,
        n3_adjusted * separate_share,
        'plekken (gelijktijdig)',
        plus_places,
        cpp_plus,
        plus_cpp_source,
        null,
        null
    from joined
    where age_group <> '0-2'
    union all
    -- niveau 3, passend: the rest integrated in the regular group with specialist inzet
    select
        *,
        3,
        'passend',
        'specialistische_inzet',
        n3_low * (1 - separate_share),
        n3_mid * (1 - separate_share),
        n3_high * (1 - separate_share),
        n3_adjusted * (1 - separate_share),
        'kinderen',
        case when support_delivered then n3_support end,
        null,
        null,
        n3_trajectories,
        n3_hours
    from joined
    union all
    -- niveau 3, inclusief: every niveau 3 child in a regular group, up to the absorption cap
    select
        *,
        3,
        'inclusief',
        'opnamegrens',
        n3_low,
        n3_mid,
        n3_high,
        n3_adjusted,
        'kinderen',
        regular_places * absorption_per_place,
        null,
        null,
        null,
        null
    from joined
    union all
    -- niveau 3, inclusief: with specialist inzet
    select
        *,
        3,
        'inclusief',
        'specialistische_inzet',
        n3_low,
        n3_mid,
        n3_high,
        n3_adjusted,
        'kinderen',
        case when support_delivered then n3_support end,
        null,
        null,
        n3_trajectories,
        n3_hours
    from joined
),

measured as (
    select
        c.gemeente_code,
        c.wijk_code,
        c.wijk_name,
        c.year,
        c.age_group,
        c.niveau,
        case c.niveau
            when 1 then 'regulier: stevige basisondersteuning'
            when 2 then 'basisondersteuning met een plus'
            else 'gespecialiseerde ondersteuning'
        end as niveau_name,
        c.perspective,
        c.component,
        'in_opvang' as noemer,
        c.demand_low,
        c.demand_mid,
        c.demand_high,
        c.demand_signal_adjusted,
        c.supply_unit,
        c.supply,
        c.children_per_place,
        c.children_per_place_source,
        -- what the children need in the supply's unit: places (children / children per place)
        -- or children
        case when c.children_per_place is null then c.demand_low
            else c.demand_low / c.children_per_place end as need_low,
        case when c.children_per_place is null then c.demand_mid
            else c.demand_mid / c.children_per_place end as need_mid,
        case when c.children_per_place is null then c.demand_high
            else c.demand_high / c.children_per_place end as need_high,
        case when c.children_per_place is null then c.demand_signal_adjusted
            else c.demand_signal_adjusted / c.children_per_place end as need_signal_adjusted,
        c.in_plus_groups,
        c.plus_places as separate_group_places,
        c.trajectories_count,
        c.support_hours,
        c.supply_year,
        'model min waargenomen' as figure_kind
    from components as c
),

-- the gap in the supply's unit; null where the supply was not delivered (row 7)
final as (
    select
        *,
        need_low - supply as gap_low,
        need_mid - supply as gap_mid,
        need_high - supply as gap_high,
        need_signal_adjusted - supply as gap_signal_adjusted
    from measured
)

select * from final
