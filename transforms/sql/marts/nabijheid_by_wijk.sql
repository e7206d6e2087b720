-- One row per gemeente, wijk, year and measure of nearby childcare and schools (distance in km,
-- average number within 1 or 3 km). Source: stg_cbs__kerncijfers, from CBS Nabijheid
-- voorzieningen where loaded (dataset nabijheid), else the kwb's own column where it has one.
-- rebuild: per gemeente
with measures (measure, nabijheid_stem, kwb_stem) as (
    values
        ('afstand_kinderdagverblijf', 'NabijheidAfstandKinderdagverblijf', 'AfstandTotKinderdagverblijf'),
        ('kinderdagverblijven_1km', 'NabijheidKinderdagverblijvenBinnen1Km', null),
        ('kinderdagverblijven_3km', 'NabijheidKinderdagverblijvenBinnen3Km', null),
        ('afstand_bso', 'NabijheidAfstandBso', null),
        ('bso_1km', 'NabijheidBsoBinnen1Km', null),
        ('bso_3km', 'NabijheidBsoBinnen3Km', null),
        ('afstand_basisschool', 'NabijheidAfstandBasisschool', 'AfstandTotSchool'),
        ('basisscholen_1km', 'NabijheidBasisscholenBinnen1Km', null),
        ('basisscholen_3km', 'NabijheidBasisscholenBinnen3Km', 'ScholenBinnen3Km')
),

wijk_values as (
    select k.year, r.gemeente_code, k.region_code as wijk_code, k.stem, k.value
    from stg_cbs__kerncijfers as k
    inner join stg_regions as r on r.year = k.year and r.region_code = k.region_code
    where k.region_level = 'wijk' and k.value is not null
),

candidates as (
    select m.measure, w.gemeente_code, w.wijk_code, w.year, w.value, 1 as preference,
           'nabijheid' as value_source
    from measures as m
    inner join wijk_values as w on w.stem = m.nabijheid_stem
    union all
    select m.measure, w.gemeente_code, w.wijk_code, w.year, w.value, 2 as preference,
           'kwb' as value_source
    from measures as m
    inner join wijk_values as w on w.stem = m.kwb_stem
),

final as (
    select
        gemeente_code,
        wijk_code,
        year,
        measure,
        arg_min(value, preference) as value,
        arg_min(value_source, preference) as value_source
    from candidates
    group by gemeente_code, wijk_code, year, measure
)

select * from final
