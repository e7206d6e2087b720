-- One row: the settings of the shared marts, the smallest count shown, the minimum base of a
-- rate (the fewest children a rate per 100 divides by) and the signal kinds that adjust the
-- estimate. Source: seed_model__settings (transforms.model.write_seeds: the configured minimum
-- count and minimum base, transforms.model.DEFAULT_SIGNAL_KINDS).
with final as (
    select min_count, min_base, signal_kinds
    from seed_model__settings
)

select * from final
