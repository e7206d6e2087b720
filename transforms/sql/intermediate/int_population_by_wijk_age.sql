-- One row per wijk, year and single age: the register (BRP) where the gemeente delivered it for
-- that wijk and year, else the CBS estimate.
with brp_wijk_years as (
    select distinct wijk_code, year from int_population_brp_by_wijk_age
),

estimate_without_brp as (
    select e.*
    from int_population_estimated_by_wijk_age as e
    anti join brp_wijk_years as b on b.wijk_code = e.wijk_code and b.year = e.year
),

final as (
    select * from int_population_brp_by_wijk_age
    union all by name
    select * from estimate_without_brp
)

select * from final
