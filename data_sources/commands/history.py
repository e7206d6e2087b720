"""`history`: list every upload of partner registrations, with its status."""

from __future__ import annotations

from data_sources import store
from data_sources.commands._gemeente import choose, loaded_gemeenten
from data_sources.errors import InputRefused
from data_sources.gemeentenamen import label
from data_sources.registrations.history import uploads
from data_sources.registrations.schemas import REGISTRATION_TYPES
from data_sources.text import file_name_shown, one_line

NAME = "history"
HELP = "Toon alle aangeleverde versies van registraties (wie, wanneer, bestand, status)."


def add_arguments(parser) -> None:
    parser.add_argument("--soort", choices=list(REGISTRATION_TYPES), metavar="SOORT",
                        help="alleen deze soort")
    parser.add_argument("--organisatie", metavar="NAAM", help="alleen deze organisatie")
    parser.add_argument("--gemeente", metavar="NAAM of GMxxxx", help="alleen deze gemeente (naam of code)")


def run(args) -> int:
    con = store.connect(args.db, read_only=True)
    try:
        gemeenten = loaded_gemeenten(con)
        gemeente_code = choose(con, args.gemeente, gemeenten) if args.gemeente else None
        frame = uploads(con, args.soort, args.organisatie, gemeente_code)
        everything = frame if not (args.soort or args.organisatie or gemeente_code) else uploads(con)
    finally:
        con.close()
    if everything.empty:
        print("Er zijn nog geen registraties aangeleverd.")
        return 0
    if args.organisatie and args.organisatie not in set(everything["organisation"]):
        # a typo answered 'nothing delivered yet' (exit 0), as if the organisation had sent nothing
        known = sorted({str(name) for name in everything["organisation"].dropna()})
        raise InputRefused(f"Van organisatie '{one_line(args.organisatie)}' is geen registratie "
                           f"aangeleverd. Organisaties met aanleveringen: {', '.join(known)}. Schrijf "
                           "de naam precies zo (hoofdletters, accenten en leestekens tellen mee).")
    if frame.empty:
        wanted = [f"soort {args.soort}" if args.soort else "",
                  f"organisatie '{args.organisatie}'" if args.organisatie else "",
                  f"gemeente {label(gemeente_code, gemeenten)}" if gemeente_code else ""]
        print(f"Er zijn geen registraties met {' en '.join(w for w in wanted if w)}; wel "
              f"{len(everything)} andere (`history` zonder filter toont ze).")
        return 0
    print("upload  status     soort                    gemeente                         organisatie"
          "               periode               rijen  geladen op        bestand  (hash)")
    for r in frame.itertuples():
        gemeente = label(r.gemeente_code, gemeenten) if r.gemeente_code else "-"
        print(f"{r.load_id:>6}  {r.status_nl:<9}  {r.soort:<23}  {gemeente[:31]:<31}  "
              f"{str(r.organisation)[:24]:<24}  "
              f"{str(r.period)[:20]:<20}  {r.row_count:>5}  {r.loaded_at:%Y-%m-%d %H:%M}  "
              f"{file_name_shown(r.file_name)}  ({str(r.file_hash)[:12]})")
    return 0
