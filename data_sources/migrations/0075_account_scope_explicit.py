"""An account sees every gemeente only when that was said (accounts.all_gemeenten); the audit log
names the gemeenten of each entry (audit_log.gemeenten), so that a beheerder tied to gemeenten
sees only the entries of its own.

Until now an account without account_gemeenten rows saw every loaded gemeente. That was meant for
beheerder and analist (and an account set with `users set-gemeente --alle`), but a partner or LEA
account made or migrated (0070) while no gemeente was loaded had no rows either, and so saw every
gemeente loaded later. After this migration:
- a beheerder or analist without rows keeps seeing every gemeente (all_gemeenten true);
- a partner or LEA account without rows keeps every gemeente only when the last change of its
  gemeenten in the audit log was `--alle` (said on purpose); otherwise it sees none until the
  beheerder ties it (`users set-gemeente LOGIN --gemeente ...`);
- an entry of the audit log gets the gemeente codes its detail names (a release, a change of an
  account's gemeenten); the others keep none.
"""

from __future__ import annotations

import duckdb


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("alter table accounts add column all_gemeenten boolean default false")
    untied = "login not in (select login from account_gemeenten)"
    con.execute(f"update accounts set all_gemeenten = true where role in ('beheerder', 'analist') and {untied}")
    # users set-gemeente wrote "LOGIN: BEFORE -> AFTER" (AFTER 'alle' for --alle)
    con.execute(f"""
        update accounts set all_gemeenten = true
        where role in ('partner', 'lea') and {untied}
          and (select arg_max(detail, event_id) from audit_log
               where action = 'gemeenten gewijzigd' and starts_with(detail, accounts.login || ': '))
              like '% -> alle'""")
    con.execute("alter table audit_log add column gemeenten varchar[]")
    con.execute("update audit_log set gemeenten = list_distinct(regexp_extract_all(detail, 'GM[0-9]{4}'))"
                " where regexp_matches(detail, 'GM[0-9]{4}')")
