-- materialized: view
-- One row per gemeente, year and age group (2-4, 4-12): plus-groups needed in the passend
-- perspective, counted once for the gemeente as the catchment (wijken share a group, thuisnabij),
-- never rounded up per wijk: the shortage of plus-group places over all wijken (places needed
-- minus places) in whole groups; a shortage below one group needs no group. Places, shortage and
-- groups are null ("niet geleverd") where no partner delivered row 10 (gap_by_wijk_niveau). 0-2 year olds get no
-- plus-group (niveau 3 is an offer in a regular kinderdagverblijf, 000:L204-206).
-- Source: gap_by_wijk_niveau, stg_model__parameters.
with separate as (
    select
        gemeente_code,
        year,
        age_group,
        sum(need_low) as places_needed_low,
        sum(need_mid) as places_needed_mid,
        sum(need_high) as places_needed_high,
        sum(supply) as places,
        any_value(children_per_place) as children_per_place,
        sum(demand_mid) as children_mid
    from gap_by_wijk_niveau
    where component = 'aparte_groep'
    group by all
),

sizes as (
    select
        any_value(value) filter (where name = 'plusgroup_size_0_4') as size_0_4,
        any_value(value) filter (where name = 'plusgroup_size_bso') as size_bso
    from stg_model__parameters
),

sized as (
    select
        s.*,
        case when s.age_group = '4-12' then z.size_bso else z.size_0_4 end as group_size
    from separate as s
    cross join sizes as z
),

final as (
    select
        *,
        places_needed_low - places as shortage_places_low,
        places_needed_mid - places as shortage_places_mid,
        places_needed_high - places as shortage_places_high,
        -- null where row 10 was not delivered (places null): greatest() would skip the null
        case when places is not null
            then floor(greatest(places_needed_low - places, 0) / group_size)::integer
        end as groups_needed_low,
        case when places is not null
            then floor(greatest(places_needed_mid - places, 0) / group_size)::integer
        end as groups_needed_mid,
        case when places is not null
            then floor(greatest(places_needed_high - places, 0) / group_size)::integer
        end as groups_needed_high,
        'model min waargenomen' as figure_kind
    from sized
)

select * from final
