"""Staging views generated from the registration schemas (stg_partner__<type>), active only."""

from __future__ import annotations

from data_sources.registrations.schemas import REGISTRATION_TYPES, RegistrationType
from transforms import Model


def staging_sql(rtype: RegistrationType) -> str:
    """The select of the staging view of one partner registration type."""
    typed = ",\n".join(
        f"        try_cast(json_extract_string(r.payload, '$.{c.name}') as {c.sql_type})"
        f" as {c.name}"
        for c in rtype.stored_columns
    )
    return f"""-- One row per place and breakdown of '{rtype.key}', active uploads only.
-- Generated from data_sources/registrations/schemas.py.
with active as (
    select load_id, organisation, period, year
    from loads
    where status = 'active' and source = 'partner' and dataset = '{rtype.key}'
),

final as (
    select
        r.load_id,
        a.organisation,
        a.period,
        a.year,
        r.gemeente_code,
        r.wijk_code,
        r.buurt_code,
{typed}
    from raw_partner__registration_rows as r
    inner join active as a using (load_id)
    where r.registration_type = '{rtype.key}'
)

select * from final
"""


def staging_models() -> list[Model]:
    """One staging view per partner registration type, for transforms.build."""
    return [
        Model(t.view_name, "staging", staging_sql(t))
        for t in REGISTRATION_TYPES.values()
        if t.target == "partner"
    ]
