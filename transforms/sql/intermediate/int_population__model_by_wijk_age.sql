-- The population the model computes on: population_by_wijk_age without the cells the pages hide
-- (population_protection_by_wijk: a small BRP count and its secondary suppression). Such a wijk
-- and age group has no estimate, as a wijk whose 0-15 year olds CBS keeps secret, and every sum
-- over wijken or ages leaves it out; the pages say so (ui.population.model_hidden_note).
-- Source: population_by_wijk_age, population_protection_by_wijk.
select p.*
from population_by_wijk_age as p
left join population_protection_by_wijk as h
    on h.gemeente_code = p.gemeente_code and h.year = p.year and h.wijk_code = p.wijk_code
    and h.age_group = p.age_group
where not coalesce(h.cell_hidden, false)
