-- One row per gemeente, wijk, year and age group ('0-4', '4-12', 'tot 23': all young people up to
-- 23) of the young people with jeugdzorg in natura. Source: stg_cbs__jeugdzorg (CBS Jeugdmonitor
-- per wijk: 85075NED 2021, 85685NED 2023, or its StatLine CSV). NULL where CBS keeps the count
-- secret ('.'). The table splits by form of care (Totaal alle jeugdzorg, jeugdhulp zonder
-- verblijf, ...); a young person counts once in the total of all forms and in no form more
-- often, so the highest count over the forms in the file is that total (`category` says which).
-- rebuild: per gemeente
with measures (stem, age_group) as (
    values
        ('TotaalJongerenMetJeugdzorgInNatura', 'tot 23'),
        ('JongerenMetJeugdzorgInNatura', 'tot 23'),
        ('JongerenMetJeugdzorg', 'tot 23'),
        ('k_0Tot4Jaar', '0-4'),
        ('k_4Tot12Jaar', '4-12')
),

wijk_values as (
    select
        'GM' || substr(j.region_code, 3, 4) as gemeente_code,
        j.region_code as wijk_code,
        j.year,
        m.age_group,
        j.category,
        j.value
    from stg_cbs__jeugdzorg as j
    inner join measures as m using (stem)
    where j.region_level = 'wijk'
),

final as (
    select
        gemeente_code,
        wijk_code,
        year,
        age_group,
        max(value) as young_people_count,
        coalesce(arg_max(category, value), min(category)) as category
    from wijk_values
    group by gemeente_code, wijk_code, year, age_group
)

select * from final
