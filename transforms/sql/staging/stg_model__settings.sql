-- One row: the settings of the shared marts, the smallest count shown and the signal kinds that
-- adjust the estimate. Source: seed_model__settings (transforms.model.write_seeds: the
-- configured minimum count, transforms.model.DEFAULT_SIGNAL_KINDS).
with final as (
    select min_count, signal_kinds
    from seed_model__settings
)

select * from final
