-- materialized: table
-- Registrations that signal a need for support, in one long shape: one row per delivered row with
-- its signal type (the registration), signal kind (the breakdown that says what the signal is:
-- vve criterion, jeugdhulp type, enrolment status, niveau), organisation (for the contributor
-- rule of transforms.privacy), age group (the type's usual age group when not given) and count,
-- and the school or aanbieder a row names (named_organisation: it knows its own children there,
-- so the contributor rule holds for it too). CBS jeugdzorg per wijk (kerncijfers, count of young people with
-- jeugdzorg in natura) is the fallback kind where it is loaded.
-- Source: stg_partner__* (rows 2, 4, 5, 6, 8, 9 of the handreiking's table), int_support__by_wijk_age
-- (row 7), stg_cbs__kerncijfers.
-- Stored: the staging views parse JSON, and signals_by_wijk reads these rows several times.
-- rebuild: per gemeente
with unioned as (
    select
        'vve_indicaties' as signal_type,
        'vve_' || case criterion
            when 'taal/spraak' then 'taal_spraak'
            when 'sociaal-emotioneel' then 'sociaal_emotioneel'
            when 'SES' then 'ses'
            else 'onbekend'
        end as signal_kind,
        organisation,
        gemeente_code,
        wijk_code,
        year,
        coalesce(age_group, '2-4') as age_group,
        children_count,
        null::double as waiting_weeks,
        null::varchar as named_organisation
    from stg_partner__vve_indicaties
    union all
    select 'jeugdhulp', 'jeugdhulp_' || coalesce(youth_care_type, 'onbekend'), organisation, gemeente_code,
        wijk_code, year, coalesce(age_group, 'alle'), children_count, null, provider
    from stg_partner__jeugdhulp
    union all
    -- pupils, thuiszitters and niet-bereik are different signals (a thuiszitter is no pupil);
    -- vso pupils without an age group are 12 or older, not 4-12 (vso_bso_by_wijk: BSO age)
    select 'speciaal_onderwijs', 'so_' || replace(coalesce(enrolment_status, 'ingeschreven'), '-', '_'),
        organisation, gemeente_code, wijk_code, year,
        coalesce(age_group, case when school_type = 'vso' then 'alle' else '4-12' end),
        children_count, null, school
    from stg_partner__speciaal_onderwijs
    union all
    select 'extra_ondersteuning', 'extra_ondersteuning_niveau_' || coalesce(niveau, 'onbekend'),
        organisation, gemeente_code, wijk_code, year, coalesce(age_group, 'alle'), children_count, null,
        null
    from stg_partner__extra_ondersteuning
    union all
    -- per niveau of the support (the rule of int_support__by_wijk_age), so that the supply of
    -- niveau 2 and 3 on Tekorten is a cell of the same protected table as this signal
    select 'ondersteuningstrajecten', 'ondersteuningstrajecten_niveau_' || coalesce(niveau::varchar, 'overig'),
        organisation, gemeente_code, wijk_code, year, coalesce(age_group, 'alle'), support_children, null,
        provider
    from int_support__by_wijk_age
    union all
    select 'wachtlijst_so', 'wachtlijst_so', organisation, gemeente_code, wijk_code, year, '4-12',
        children_count, waiting_weeks, school
    from stg_partner__wachtlijst_so
    union all
    select 'wachtlijst_zorg', 'wachtlijst_zorg', organisation, gemeente_code, wijk_code, year,
        coalesce(age_group, 'alle'), children_count, waiting_weeks, provider
    from stg_partner__wachtlijst_zorg
    union all
    select 'cbs_jeugdzorg', 'cbs_jeugdzorg', 'CBS', r.gemeente_code, k.region_code, k.year, 'alle',
        k.value::integer, null, null
    from stg_cbs__kerncijfers as k
    inner join (
        select distinct year, region_code, gemeente_code from stg_regions where region_level = 'wijk'
    ) as r on r.region_code = k.region_code and r.year = k.year
    where k.stem = 'JongerenMetJeugdzorgInNatura' and k.region_level = 'wijk'
        and k.value is not null
),

final as (
    select *
    from unioned
    where children_count is not null and year is not null and gemeente_code is not null
)

select * from final
