-- One row per gemeente, wijk and year whose children cannot be estimated: CBS keeps the wijk's
-- 0-15 year olds secret ('.') and the gemeente delivered no BRP figures for it.
-- Source: stg_cbs__kerncijfers (k_0Tot15Jaar), stg_regions, population_by_wijk_age (BRP rows).
-- rebuild: per gemeente
with secret as (
    select k.year, r.gemeente_code, k.region_code as wijk_code, r.region_name as wijk_name
    from stg_cbs__kerncijfers as k
    inner join stg_regions as r on r.year = k.year and r.region_code = k.region_code
    where k.region_level = 'wijk' and k.stem = 'k_0Tot15Jaar' and k.value is null
),

brp_wijk_years as (
    select distinct wijk_code, year from population_by_wijk_age where population_source = 'brp'
),

final as (
    select
        s.gemeente_code,
        s.wijk_code,
        coalesce(s.wijk_name, s.wijk_code) as wijk_name,
        s.year,
        'k_0Tot15Jaar geheim' as reason
    from secret as s
    anti join brp_wijk_years as b on b.wijk_code = s.wijk_code and b.year = s.year
)

select * from final
