-- LRK exports stored before issue 14 had the two gastouder types the wrong way round: 'GOB' rows
-- carried the gastouder's places and 'VGO' rows were the bureau. In the register VGO is the
-- voorziening voor gastouderopvang (with places) and GOB the gastouderbureau (none). A load whose
-- GOB rows have places while no VGO row has any was stored the old way: swap its two types.
update raw_lrk__locations
set provision_type = case provision_type when 'GOB' then 'VGO' else 'GOB' end
where provision_type in ('GOB', 'VGO')
    and load_id in (
        select load_id
        from raw_lrk__locations
        group by load_id
        having count(*) filter (where provision_type = 'GOB' and places is not null) > 0
            and count(*) filter (where provision_type = 'VGO' and places is not null) = 0
    );
