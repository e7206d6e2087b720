-- One row per model parameter: value, range, unit, Dutch label and source (a seed line of the
-- handreiking). Source: seed_model__parameters, written from transforms/parameters.csv at every
-- build (transforms.model.write_seeds); a session evaluation replaces it with its own values.
with final as (
    select name, value, low, high, unit, label_nl, source
    from seed_model__parameters
)

select * from final
