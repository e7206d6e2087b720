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
        string_agg(
            distinct children_per_place_source, ', ' order by children_per_place_source
        ) filter (where provision_type in ('dagopvang', 'bso', 'gastouderopvang'))
            as regular_cpp_source,
        any_value(children_per_place_source) filter (where provision_type = 'plusgroep')
            as plus_cpp_source
    from int_supply__children_per_place
    group by all
),

-- plus-group and KDC/MKD places come only from partners (row 10, groepsgrootte): null ("niet
-- geleverd") where none delivered them for the gemeente and the supply year the model uses, 0
-- where delivered but not for the wijk (only partner rows have these provision types)
places_delivered as (
    select distinct gemeente_code, year
    from int_supply__by_wijk_age
    where provision_type in ('plusgroep', 'kdc_mkd')
),

-- support is a delivered count: null where no partner delivered row 7 for the gemeente, year
-- and age group
support_delivered as (
    select distinct gemeente_code, year, a.age_group
    from int_support__by_wijk_age as s
    -- a row without an age group counts for every age group
    cross join (values ('0-2'), ('2-4'), ('4-12')) as a (age_group)
    where s.age_group is null or s.age_group = a.age_group
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
        count(*) filter (where niveau = 2) as n2_rows,
        sum(support_children) filter (where niveau = 3) as n3_children,
        sum(trajectories_count) filter (where niveau = 3) as n3_trajectories,
        sum(support_hours) filter (where niveau = 3) as n3_hours,
        count(*) filter (where niveau = 3) as n3_rows
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
        pd.gemeente_code is not null as places_delivered,
        sd.gemeente_code is not null as support_delivered,
        coalesce(su.n2_children, 0) as n2_support,
        -- where row 7 was delivered but names no support of the niveau in the wijk, its children,
        -- trajecten and hours are 0 alike (Databronnen: 'op de pagina's 0'); where rows leave the
        -- optional trajecten or hours empty, they stay empty (not given)
        case when coalesce(su.n2_rows, 0) = 0 then 0 else su.n2_trajectories end as n2_trajectories,
        case when coalesce(su.n2_rows, 0) = 0 then 0 else su.n2_hours end as n2_hours,
        coalesce(su.n3_children, 0) as n3_support,
        case when coalesce(su.n3_rows, 0) = 0 then 0 else su.n3_trajectories end as n3_trajectories,
        case when coalesce(su.n3_rows, 0) = 0 then 0 else su.n3_hours end as n3_hours
    from demand as d
    cross join parameters as p
    left join supply as s using (gemeente_code, wijk_code, year, age_group)
    left join supply_years as y using (gemeente_code, year)
    left join children_per_place as c using (gemeente_code, year)
    left join places_delivered as pd using (gemeente_code, year)
    left join support_delivered as sd using (gemeente_code, year, age_group)
    left join support as su using (gemeente_code, wijk_code, year, age_group)
),

-- the rows each wijk and age group gets; one cross join (not a union of six selects on the
-- joined rows) keeps a filter on the gemeente pushed down into the sources
component_rows as (
    select *
    from (
        values
            (1, 'beide', 'reguliere_plekken'),
            (2, 'beide', 'ondersteuning_professionals'),
            (3, 'passend', 'aparte_groep'),
            (3, 'passend', 'specialistische_inzet'),
            (3, 'inclusief', 'opnamegrens'),
            (3, 'inclusief', 'specialistische_inzet')
    ) as t (niveau, perspective, component)
),

components as (
    select
        j.*,
        r.niveau,
        r.perspective,
        r.component,
        -- the part of niveau 3 a component counts: passend puts the separate-group share in
        -- plus-groups (none for 0-2) and the rest in the regular group with specialist inzet;
        -- inclusief puts all of niveau 3 in regular groups, up to the absorption cap, with
        -- specialist inzet
        case
            when r.component = 'aparte_groep' then j.separate_share
            when r.perspective = 'passend' then 1 - j.separate_share
            else 1
        end as niveau3_part,
        -- niveau 1: the regular-place balance; niveau 2: support to the professionals (row 7,
        -- coaching); niveau 3: its part
        case r.niveau when 1 then j.in_childcare_low - j.in_plus_groups when 2 then j.n2_low
            else j.n3_low * niveau3_part end as demand_low,
        case r.niveau when 1 then j.in_childcare_mid - j.in_plus_groups when 2 then j.n2_mid
            else j.n3_mid * niveau3_part end as demand_mid,
        case r.niveau when 1 then j.in_childcare_high - j.in_plus_groups when 2 then j.n2_high
            else j.n3_high * niveau3_part end as demand_high,
        case r.niveau when 1 then j.in_childcare_mid - j.in_plus_groups when 2 then j.n2_mid
            else j.n3_adjusted * niveau3_part end as demand_signal_adjusted,
        case when r.component in ('reguliere_plekken', 'aparte_groep')
            then 'plekken (gelijktijdig)' else 'kinderen' end as supply_unit,
        case r.component
            when 'reguliere_plekken' then j.regular_places
            when 'aparte_groep' then case when j.places_delivered then j.plus_places end
            when 'opnamegrens' then j.regular_places * j.absorption_per_place
            when 'ondersteuning_professionals'
                then case when j.support_delivered then j.n2_support end
            else case when j.support_delivered then j.n3_support end
        end as supply,
        case r.component
            when 'reguliere_plekken' then j.regular_cpp
            when 'aparte_groep' then j.cpp_plus
        end as children_per_place,
        case r.component
            when 'reguliere_plekken' then j.regular_cpp_source
            when 'aparte_groep' then j.plus_cpp_source
        end as children_per_place_source,
        case when j.support_delivered then
            case r.component
                when 'ondersteuning_professionals' then j.n2_trajectories
                when 'specialistische_inzet' then j.n3_trajectories
            end
        end as trajectories_count,
        case when j.support_delivered then
            case r.component
                when 'ondersteuning_professionals' then j.n2_hours
                when 'specialistische_inzet' then j.n3_hours
            end
        end as support_hours
    from joined as j
    cross join component_rows as r
    where not (r.component = 'aparte_groep' and j.age_group = '0-2')
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
        -- or, without children per place, children
        c.demand_low / coalesce(c.children_per_place, 1) as need_low,
        c.demand_mid / coalesce(c.children_per_place, 1) as need_mid,
        c.demand_high / coalesce(c.children_per_place, 1) as need_high,
        c.demand_signal_adjusted / coalesce(c.children_per_place, 1) as need_signal_adjusted,
        c.in_plus_groups,
        c.plus_places as separate_group_places,
        c.trajectories_count,
        c.support_hours,
        c.supply_year,
        'model min waargenomen' as figure_kind
    from components as c
),

-- the gap in the supply's unit; null where the supply was not delivered (rows 7 and 10)
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
