-- One row per gemeente, wijk, year, organisation and school (named_organisation) with so/sbo
-- pupils of BSO age: observed pupils, observed BSO need where the partner delivered it, and the
-- modelled BSO need (pupils x share needing BSO). Per organisation and school for the contributor
-- rule of transforms.privacy (a school knows its own pupils): the page sums them per wijk.
-- Only enrolled pupils of 4-12: vso pupils (12+) are past BSO age, and thuiszitters and
-- niet-bereik are no pupils (they are signals of their own in signals_by_wijk). Exactly the
-- pupils of the signal's cell so_ingeschreven 4-12 (int_signals__partner_counts: a vso pupil
-- without an age group is not 4-12), which Tekorten shows beside the modelled need: any other
-- choice of pupils would let that cell minus the need's pupils give a small count away.
-- Source: stg_partner__speciaal_onderwijs, stg_model__parameters.
-- rebuild: per gemeente
with pupils as (
    select
        gemeente_code,
        wijk_code,
        year,
        organisation,
        -- '' where the row names no school: part of the key
        coalesce(trim(school), '') as named_organisation,
        sum(children_count) as pupils_count,
        sum(bso_needed_count) as bso_needed_observed_count
    from stg_partner__speciaal_onderwijs
    where wijk_code is not null and children_count is not null
        and coalesce(enrolment_status, 'ingeschreven') = 'ingeschreven'
        and coalesce(age_group, case when school_type = 'vso' then 'alle' else '4-12' end) = '4-12'
    group by all
),

share as (
    select low, value as mid, high
    from stg_model__parameters
    where name = 'vso_share_needing_bso'
),

final as (
    select
        p.gemeente_code,
        p.wijk_code,
        p.year,
        p.organisation,
        p.named_organisation,
        p.pupils_count,
        p.bso_needed_observed_count,
        p.pupils_count * s.low as bso_need_modelled_low,
        p.pupils_count * s.mid as bso_need_modelled_mid,
        p.pupils_count * s.high as bso_need_modelled_high
    from pupils as p
    cross join share as s
)

select * from final
