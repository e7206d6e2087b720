-- Partner registrations that signal a need for support, in one long shape: one row per delivered
-- row with its signal type, organisation (for the contributor rule), age group (the type's usual age
-- group when not given) and count.
with unioned as (
    select 'vve_indicaties' as signal_type, organisation, gemeente_code, wijk_code, year,
        coalesce(age_group, '2-4') as age_group, children_count, null::double as waiting_weeks
    from stg_partner__vve_indicaties
    union all
    select 'jeugdhulp', organisation, gemeente_code, wijk_code, year, coalesce(age_group, 'alle'),
        children_count, null
    from stg_partner__jeugdhulp
    union all
    select 'speciaal_onderwijs', organisation, gemeente_code, wijk_code, year, coalesce(age_group, '4-12'),
        children_count, null
    from stg_partner__speciaal_onderwijs
    union all
    select 'extra_ondersteuning', organisation, gemeente_code, wijk_code, year, coalesce(age_group, 'alle'),
        children_count, null
    from stg_partner__extra_ondersteuning
    union all
    select 'ondersteuningstrajecten', organisation, gemeente_code, wijk_code, year, coalesce(age_group, 'alle'),
        children_count, null
    from stg_partner__ondersteuningstrajecten
    union all
    select 'wachtlijst_so', organisation, gemeente_code, wijk_code, year, '4-12', children_count, waiting_weeks
    from stg_partner__wachtlijst_so
    union all
    select 'wachtlijst_zorg', organisation, gemeente_code, wijk_code, year, coalesce(age_group, 'alle'),
        children_count, waiting_weeks
    from stg_partner__wachtlijst_zorg
),

final as (
    select *
    from unioned
    where children_count is not null and year is not null and gemeente_code is not null
)

select * from final
