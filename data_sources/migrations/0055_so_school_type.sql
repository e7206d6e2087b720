-- Speciaal onderwijs and its waiting list: onderwijssoort (sbo, so, vso) apart from cluster (1-4).
-- Uploads stored before kept 'sbo' or 'vso' in cluster, and a cluster number for so. They stay,
-- in the new shape: 'sbo'/'vso' move to school_type (cluster left empty), a number means so.
update raw_partner__registration_rows
set payload = json_merge_patch(
    payload,
    json_object('school_type', json_extract_string(payload, '$.cluster'), 'cluster', null)
)::varchar
where registration_type in ('speciaal-onderwijs', 'wachtlijst-so')
    and json_extract_string(payload, '$.cluster') in ('sbo', 'vso')
    and json_extract_string(payload, '$.school_type') is null;

update raw_partner__registration_rows
set payload = json_merge_patch(payload, json_object('school_type', 'so'))::varchar
where registration_type in ('speciaal-onderwijs', 'wachtlijst-so')
    and json_extract_string(payload, '$.cluster') in ('1', '2', '3', '4')
    and json_extract_string(payload, '$.school_type') is null;
