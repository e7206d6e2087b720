"""Who is signed in, what each role may see, the login page, demo mode and the audit trail."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from data_sources import accounts, store
from data_sources.accounts import Account
from data_sources.config import SAMPLE_GEMEENTE_CODE
from data_sources.errors import InputRefused
from data_sources.text import one_line
from transforms.labels import LoadHint, as_sentence
from ui.data import cursor, forget, per_run, read_only, releasing
from ui.safe import plain

SESSION_KEY = "kindkaart_account"
DEMO = Account("demo", "demo", None)

# Pages per role, by file stem. A page not named here (a new one) is for beheerder, analist and
# demo only, so that nothing new is shown to partners or the room before someone decides so.
ROLE_PAGES: dict[str, set[str] | None] = {
    "beheerder": None,  # everything
    "analist": {"overzicht", "kaart", "continuum", "tekorten", "trends", "analysevragen",
                "scenarios", "presentatie", "databronnen", "gemeente_laden"},
    "partner": {"overzicht", "kaart", "aanleveren"},
    "lea": {"presentatie", "overzicht"},  # Sluiten on the presentation goes to Overzicht
    "demo": {"overzicht", "kaart", "continuum", "tekorten", "trends", "analysevragen",
             "scenarios", "presentatie", "databronnen", "aanleveren"},
}
OPEN_TO_NEW_PAGES = {"beheerder", "analist", "demo"}
ROLE_DEFAULT_PAGE = {"lea": "presentatie", "partner": "aanleveren"}
# Indicators computed from partner registrations: partners and the LEA view see them only once
# the gemeente released them (page Beheer).
PARTNER_INDICATORS = {
    "vve_per_100": "Vve-indicaties per 100 kinderen (per criterium)",
    "vso_leerlingen": "Leerlingen (v)so/sbo",
    "wachtlijst_zorg": "Wachtlijst zorg en ondersteuning",
    "wachtlijst_so": "Wachtlijst (v)so",
}
SIGNAL_INDICATORS = {"vve_indicaties": "vve_per_100", "speciaal_onderwijs": "vso_leerlingen",
                     "wachtlijst_zorg": "wachtlijst_zorg", "wachtlijst_so": "wachtlijst_so"}
# Places that partners delivered (plus-groups, KDC/MKD; registration groepsgrootte): one release
# key. Until it is released to them, partners and the LEA view see the places of the LRK (a public
# register) and a partner its own, and no figure built on the others' places.
PARTNER_PLACES = "plekken_partners"
PARTNER_INDICATORS[PARTNER_PLACES] = "Plekken in plusgroepen en KDC/MKD (partners)"
# The registration types (data_sources.registrations) whose figures wait for these releases
REGISTRATION_RELEASES = {signal.replace("_", "-"): key for signal, key in SIGNAL_INDICATORS.items()}
REGISTRATION_RELEASES["groepsgrootte"] = PARTNER_PLACES
# Map indicators built on partner places: the regular balance leaves out the children the plus-
# groups serve, the separate-group gap counts their places.
BUILT_ON_PARTNER_PLACES = {"tekort_reguliere_plekken", "tekort_niveau_3_passend"}
# Map indicators released under another key: the vve-indicaties per criterion are one release
# (the registration's), as before they were split by criterion.
RELEASED_WITH = {f"vve_{kind}_per_100": "vve_per_100"
                 for kind in ("taal_spraak", "sociaal_emotioneel", "ses")}
RELEASED_WITH |= dict.fromkeys(BUILT_ON_PARTNER_PLACES, PARTNER_PLACES)


def release_of(key: str) -> str:
    """The release key (PARTNER_INDICATORS) an indicator is shown under; itself when none."""
    return RELEASED_WITH.get(key, key)


def oidc_configured() -> bool:
    """Whether an identity provider is configured ([auth] in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return False


def _idp_signed_in() -> bool:
    # st.user has no is_logged_in before the identity provider answered (and in AppTest)
    return bool(getattr(st.user, "is_logged_in", False))


def demo_mode() -> bool:
    """No account exists yet: the app shows the sample gemeente to anyone, labelled as a demo.
    Asked of the database once per run (never cached across runs): one `users add` ends demo mode
    at the next click."""
    return per_run("demo_mode", lambda: not accounts.has_accounts(cursor()))


def current_account() -> Account | None:
    """The signed-in account (DEMO in demo mode), or None when a login is needed. A disabled or
    changed account is signed out on its next click. Asked of the database once per run (pages
    ask it a score of times per click)."""
    return per_run(SESSION_KEY, _current_account)


def _current_account() -> Account | None:
    if demo_mode():
        return DEMO
    kept = st.session_state.get(SESSION_KEY)
    if kept is None and oidc_configured() and _idp_signed_in():
        kept = accounts.oidc_account(cursor(), str(st.user.get("email", "")))
        if kept is None:
            return None
        _sign_in(kept, "inloggen (identiteitsprovider)")
    if kept is None:
        return None
    if not _still_active(kept):
        st.session_state.pop(SESSION_KEY, None)
        return None
    return kept


def _still_active(account: Account | None) -> bool:
    """Whether `account` may still act: active with the same role and organisation, and (signed in
    with a password) the same password (DEMO: while no account exists). Asked of the database, not
    of the session."""
    if account is None:
        return False
    if account is DEMO:
        return not accounts.has_accounts(cursor())
    fresh = cursor().execute("select role, organisation, password_hash from accounts where login = ? and active",
                             [account.login]).fetchone()
    return (fresh is not None and (fresh[0], fresh[1]) == (account.role, account.organisation)
            and (account.credential is None or account.credential == accounts.credential_of(fresh[2])))


def _sign_in(account: Account, how: str | None) -> None:
    # how None: the login's audit line is written already (with the attempt's outcome)
    st.session_state[SESSION_KEY] = account
    forget(SESSION_KEY)
    if how:
        record(how, f"rol {account.role}", account, gemeenten=())


def record(action: str, detail: str = "", account: Account | None = None,
           gemeenten: list[str] | tuple[str, ...] | None = None, con=None) -> None:
    """Add a line to the audit log as the signed-in account (one short write of its own, or part
    of the transaction `con` is in), about `gemeenten` (default: the gemeente chosen in the
    sidebar)."""
    who = account or st.session_state.get(SESSION_KEY) or DEMO
    if gemeenten is None:
        chosen = st.session_state.get("gemeente_code")
        gemeenten = [chosen] if chosen else []
    if read_only():
        if action not in LOGGED_BY_THE_SERVER:  # a deed that writes: refused as its write is
            raise store.write_refused(store.READ_ONLY_REASON)
        _tell_server(who.login, action, detail, gemeenten)
        return
    con = con or cursor()
    with store.transaction(con):
        accounts.audit(con, who.login, action, detail, gemeenten)


# A read-only database (ui.data.read_only: a copy for the LEA view, no write rights) takes no line
# in audit_log. What may still happen there, looking, is told to the server's log instead: every
# login attempt, sign-out and download, with who, what and when (docs/storingen.md "Alleen-lezen database").
LOGGED_BY_THE_SERVER = {"inloggen", "inloggen (identiteitsprovider)", "inloggen mislukt",
                        "uitloggen", "export"}
SERVER_LOG = logging.getLogger("kindkaart.logboek")
if not SERVER_LOG.handlers:
    _handler = logging.StreamHandler()  # stderr of the Streamlit process (journald, docker logs)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s (alleen-lezen database): %(message)s"))
    SERVER_LOG.addHandler(_handler)
    SERVER_LOG.setLevel(logging.INFO)
    SERVER_LOG.propagate = False

def _tell_server(login: str, action: str, detail: str, gemeenten) -> None:
    # one line per deed: the login is typed by anyone who reaches the login page
    SERVER_LOG.info("%s | %s | %s | gemeenten: %s", one_line(login), action, one_line(detail),
                    ",".join(gemeenten) or "-")


# Nor can a read-only database count failed logins (accounts.begin_login): this process counts
# them itself, with the same limits, per login and per address. Every attempt counts before its
# password is checked, as there; an attempt that turns out right no longer counts. The count
# lives as long as the process (each app process on the copy counts its own).
_attempts: dict[str, list[dict]] = {}
_attempts_lock = threading.Lock()


def _begin_login_here(login: str, client: str | None) -> dict | None:
    """As accounts.begin_login, in this process's memory: the attempt, or None when the login
    (or the address) has had its failures and must wait."""
    now = time.monotonic()
    window = accounts.LOCKOUT_MINUTES * 60
    keys = (f"login:{accounts.login_key(login)}", f"client:{client or accounts.LOCAL_CLIENT}")
    with _attempts_lock:
        failures = []
        for key in keys:
            kept = [a for a in _attempts.get(key, []) if now - a["at"] < window and not a["ok"]]
            _attempts[key] = kept
            failures.append(len(kept))
        if failures[0] >= accounts.MAX_FAILURES or failures[1] >= accounts.MAX_CLIENT_FAILURES:
            return None
        attempt = {"at": now, "ok": False}
        for key in keys:
            _attempts[key].append(attempt)
        return attempt


# What a download holds instead of the data when its account was signed out or disabled since
# the page was drawn (or no longer sees the gemeente of the page).
DOWNLOAD_REFUSED = ("Uw account is afgemeld, uitgeschakeld of gewijzigd sinds deze pagina werd getoond; "
                    "er is niets gedownload. Log opnieuw in.\n")


def audited(detail: str, make):
    """A download's data function that records the export in the audit log, in the name of the
    account that drew the page, when it runs (a download button calls it on click, outside the
    page's run, where the session's login is not at hand). An account disabled or changed since
    then gets DOWNLOAD_REFUSED instead of the data."""
    account = current_account()
    gemeente_code = st.session_state.get("gemeente_code")

    @releasing  # a download is made outside the script run
    def run():
        if not _still_active(account) or not _still_in_scope(account, gemeente_code):
            return DOWNLOAD_REFUSED.encode()
        record("export", detail, account, gemeenten=[gemeente_code] if gemeente_code else [])
        return make()
    return run


def _still_in_scope(account: Account | None, gemeente_code: str | None) -> bool:
    """Whether the account may still see the gemeente a download was drawn for (asked of the
    database: users set-gemeente may have narrowed it since)."""
    if account is None or account is DEMO or gemeente_code is None:
        return True
    scope = accounts.gemeente_scope(cursor(), account.login)
    return scope is None or gemeente_code in scope


def actor() -> str:
    """The login that the audit log names for what this session does."""
    return (st.session_state.get(SESSION_KEY) or DEMO).login


def may_see(account: Account, page_stem: str) -> bool:
    """Whether the account's role may open the page (file stem, e.g. 'aanleveren')."""
    allowed = ROLE_PAGES.get(account.role, set())
    if allowed is None:
        return True
    known = set().union(*(p for p in ROLE_PAGES.values() if p is not None)) | {"beheer"}
    return page_stem in allowed or (page_stem not in known and account.role in OPEN_TO_NEW_PAGES)


def where_to_load(*hints: LoadHint) -> str:
    """Where the things `hints` name are loaded (transforms.labels.LoadHint), in Dutch, for the
    signed-in account: the page and the command where its role may open that page; otherwise whom
    to ask, since a partner or the LEA view has neither the page nor a command line (and a partner
    delivers no BRP count). The demo has no Gemeente laden until there are accounts: it gets the
    page and the command, and when the page comes. The one home of this sentence: every 'not
    loaded' message of the app ends with it."""
    account = current_account()
    role = account.role if account is not None else None
    here = [hint for hint in hints if account is not None
            and (may_see(account, hint.page) or (role == "demo" and hint.page == "gemeente_laden"))
            and not (hint.by_the_gemeente and role == "partner")]
    elsewhere = [hint for hint in hints if hint not in here]
    said = []
    if here:
        said.append(as_sentence("; of ".join(hint.on_page() for hint in here)))
    if role == "demo" and any(hint.page == "gemeente_laden" for hint in here):
        said.append("De pagina **Gemeente laden** is er pas met een account (beheerder of analist; "
                    "zie de zijbalk).")
    if elsewhere:
        who = "de beheerder" if role == "analist" else "de beheerder of een analist van de gemeente"
        said.append(as_sentence(f"vraag {who} om {' of '.join(hint.to_do() for hint in elsewhere)}"))
    return " ".join(said)


def guard_page() -> Account:
    """The signed-in account, or stop the page with a Dutch message: without a login, or on a page
    this role may not open. app.py only offers the allowed pages, but Streamlit can run a page file
    on its own (a deep link before app.py ever ran, AppTest reruns), so the page checks as well."""
    account = current_account()
    if account is None:
        st.info("Log eerst in: open de startpagina van Kindkaart.")
        st.stop()
    stem = _running_page_stem()
    if stem and stem != "app" and not may_see(account, stem):
        st.error("U heeft geen toegang tot deze pagina.")
        st.stop()
    return account


def _running_page_stem() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    path = info.get("script_path")
    return Path(str(path)).stem if path else None


def visible_pages(pages: dict[str, list], account: Account) -> dict[str, list]:
    """The navigation of app.py with only the pages this account may open; a role's own start
    page becomes the default."""
    shown: dict[str, list] = {}
    default_stem = ROLE_DEFAULT_PAGE.get(account.role)
    for section, items in pages.items():
        kept = []
        for page in items:
            stem = _stem(page)
            if may_see(account, stem):
                if default_stem and stem == default_stem:
                    page._default = True  # st.Page has no public setter; pages are made anew on every run
                elif default_stem:
                    page._default = False
                kept.append(page)
        if kept:
            shown[section] = kept
    return shown


def stand_ins(pages: dict[str, list], shown: list, render, title: str) -> list:
    """Hidden pages at the address of every page of `pages` that is not in `shown`, each running
    `render`: a shared link to /kaart or a reload before the login (a reload starts a new
    session), or a page this role may not open, then gets Kindkaart's own Dutch page instead of
    Streamlit's English 'Page not found' dialog."""
    present = {_stem(page) for page in shown}
    return [st.Page(render, title=title, url_path=stem, visibility="hidden")
            for stem in (_stem(page) for items in pages.values() for page in items)
            if stem not in present]


def no_access_page() -> None:
    """The page at the address of a page this account may not open."""
    st.title("Kindkaart")
    st.error("U heeft geen toegang tot deze pagina. Kies een pagina in de zijbalk.")


def _stem(page) -> str:
    return str(getattr(page, "_page", "")).replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".py")


def allowed_gemeenten(found: dict[str, str]) -> dict[str, str]:
    """In demo mode only the sample gemeente: real figures are never shown without a login. An
    account tied to gemeenten (users add/set-gemeente --gemeente) only those."""
    if demo_mode():
        return {code: name for code, name in found.items() if code == SAMPLE_GEMEENTE_CODE}
    return {code: name for code, name in found.items() if gemeente_allowed(code)}


def gemeente_scope(account: Account | None = None) -> set[str] | None:
    """The gemeenten the signed-in account (or `account`) may see; None: every loaded gemeente
    (an account tied to none, and demo). Signed out: none. Asked of the database once per run."""
    account = account or current_account()
    if account is None:
        return set()
    if account is DEMO:
        return None
    return per_run(f"gemeente_scope:{account.login}", lambda: accounts.gemeente_scope(cursor(), account.login))


def not_tied_message(account: Account | None = None) -> str | None:
    """The Dutch sentence for an account tied to no gemeente and not to all (a partner or LEA
    account made or migrated before any gemeente was loaded): it sees none until the beheerder
    ties it. None for every other account."""
    account = account or current_account()
    if account is None or gemeente_scope(account) != set():
        return None
    return ("Uw account is nog niet aan een gemeente gebonden, dus Kindkaart toont u geen gemeente. "
            "De beheerder kan dat doen: "
            f"`python -m data_sources users set-gemeente {account.login} --gemeente GEMEENTE`.")


def gemeente_allowed(gemeente_code: str, account: Account | None = None) -> bool:
    """Whether the account may see this gemeente."""
    scope = gemeente_scope(account)
    return scope is None or gemeente_code in scope


def all_gemeenten_allowed(account: Account | None = None) -> bool:
    """Whether the account sees every loaded gemeente (and so the national map)."""
    return gemeente_scope(account) is None


def _release_gemeente() -> str | None:
    """The gemeente whose releases count now: the one chosen in the sidebar; None on the national
    Kaart (then only what is released for every loaded gemeente)."""
    if _running_page_stem() == "kaart" and st.session_state.get("gebied") == "nederland":
        return None
    return st.session_state.get("gemeente_code")


def released_indicators(account: Account) -> set[str] | None:
    """Partner-based indicators this account may see for the gemeente at hand: None = all
    (gemeente roles and demo). Releases are per gemeente: one released for gemeente A is not
    released for gemeente B."""
    if account.role in ("partner", "lea"):
        gemeente_code = _release_gemeente()
        if gemeente_code is not None and not gemeente_allowed(gemeente_code, account):
            return set()
        return per_run(f"released:{account.role}:{gemeente_code}",
                       lambda: accounts.released(cursor(), account.role, gemeente_code))
    return None


def indicator_allowed(key: str, account: Account | None = None) -> bool:
    """Whether an indicator may be shown to the signed-in account (an indicator built on partner
    places: under the release of those places)."""
    account = account or current_account()
    needs = release_of(key)
    if account is None:  # signed out or disabled: no partner indicator at all, never DEMO's
        return needs not in PARTNER_INDICATORS
    allowed = released_indicators(account)
    return allowed is None or needs not in PARTNER_INDICATORS or needs in allowed


def withheld_registrations(account: Account | None = None) -> tuple[str, ...]:
    """The registration types whose figures this account may not see (not released to it), sorted:
    of those it may learn who delivered and when, not in which wijken (transforms.deliveries).
    Partners and the LEA view see partner registrations only through a released indicator, so a
    partner registration without one (jeugdhulp, extra ondersteuning, ...) is withheld from them
    too; the BRP is the population they see on Overzicht."""
    from data_sources.registrations.schemas import REGISTRATION_TYPES  # only the slides ask: not at startup

    account = account or current_account()
    waiting = {key for key, release in REGISTRATION_RELEASES.items() if not indicator_allowed(release, account)}
    if account is None or released_indicators(account) is not None:
        waiting |= {key for key, rtype in REGISTRATION_TYPES.items()
                    if rtype.target == "partner" and key not in REGISTRATION_RELEASES}
    return tuple(sorted(waiting))


def partner_places_allowed(account: Account | None = None) -> bool:
    """Whether this account sees the places partners delivered (everyone's, not only its own)."""
    return indicator_allowed(PARTNER_PLACES, account)


def own_organisation(account: Account | None = None) -> str | None:
    """The organisation whose uploads this account always sees: a partner's own."""
    account = account or current_account()
    return account.organisation if account is not None and account.role == "partner" else None


def signal_allowed(signal_type: str) -> bool:
    """Whether a partner signal (signals_by_wijk.signal_type) may be shown to this account: only
    through a released indicator for partners and the LEA view."""
    key = SIGNAL_INDICATORS.get(signal_type)
    account = current_account()
    if account is None:  # signed out or disabled: no partner signal at all, never DEMO's
        return False
    return released_indicators(account) is None or (key is not None and indicator_allowed(key, account))


def login_page() -> None:
    """The only page before signing in: the identity provider's button, or a login form."""
    st.title("Inloggen bij Kindkaart")
    if oidc_configured():
        st.write("Log in met het account van uw organisatie.")
        if st.button("Inloggen", type="primary"):
            st.login()
        if _idp_signed_in():
            st.error("Uw account heeft (nog) geen toegang tot Kindkaart. Vraag de beheerder van uw "
                     "gemeente om een account.")
            if st.button("Uitloggen"):
                st.logout()
        return
    with st.form("inloggen"):
        login = st.text_input("Login", key="login_naam")
        password = st.text_input("Wachtwoord", type="password", key="login_wachtwoord")
        submitted = st.form_submit_button("Inloggen", type="primary")
    if submitted:
        login = login[:100]
        if read_only():
            _sign_in_read_only(login, password)
            return
        # the attempt is recorded (and counted) before its password is checked: tabs submitting
        # at the same moment never get more than the limit checked (accounts.begin_login)
        try:
            attempt = accounts.begin_login(cursor(), login, _client())
        except InputRefused as busy:
            st.error(" ".join(busy.messages))
            return
        if attempt is None:
            st.error(f"Te veel mislukte pogingen voor deze login (of vanaf dit adres). Probeer het "
                     f"over {accounts.LOCKOUT_MINUTES} minuten opnieuw, of vraag de beheerder.")
            return
        account = accounts.verify_login(cursor(), login, password)
        con = cursor()
        with store.transaction(con):
            accounts.finish_login(con, attempt, account is not None)
            if account is None:
                accounts.audit(con, login or "?", "inloggen mislukt", f"login '{login}'")
            else:  # the outcome with its line: a server stopped in between stores neither
                record("inloggen", f"rol {account.role}", account, gemeenten=(), con=con)
        if account is None:
            st.error("Login of wachtwoord klopt niet (of het account is uitgeschakeld).")
        else:
            _sign_in(account, None)
            st.rerun()


def _sign_in_read_only(login: str, password: str) -> None:
    """The login form on a read-only database: counted here, told to the server's log."""
    attempt = _begin_login_here(login, _client())
    if attempt is None:
        _tell_server(login or "?", "inloggen mislukt", f"login '{login}': te veel mislukte pogingen", ())
        st.error(f"Te veel mislukte pogingen voor deze login (of vanaf dit adres). Probeer het "
                 f"over {accounts.LOCKOUT_MINUTES} minuten opnieuw, of vraag de beheerder.")
        return
    # told before the check, as the database's audit log has it (accounts.begin_login)
    _tell_server(login or "?", "inlogpoging", f"login '{login}'", ())
    account = accounts.verify_login(cursor(), login, password)
    attempt["ok"] = account is not None
    if account is None:
        _tell_server(login or "?", "inloggen mislukt", f"login '{login}'", ())
        st.error("Login of wachtwoord klopt niet (of het account is uitgeschakeld).")
        return
    _sign_in(account, "inloggen")
    st.rerun()


def _client() -> str | None:
    """The address the browser connects from (None on this machine: every local browser is one
    client). Streamlit takes it from the connection itself, not from a header the browser sends."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return None
    return address if isinstance(address, str) and address else None  # AppTest has no connection


def sign_out() -> None:
    """Forget the signed-in account (and sign out at the identity provider)."""
    account = st.session_state.pop(SESSION_KEY, None)
    forget(SESSION_KEY)
    if account is not None:
        record("uitloggen", "", account, gemeenten=())
    if oidc_configured() and _idp_signed_in():
        st.logout()


def account_box(account: Account) -> None:
    """The sidebar's line on who is signed in (or the demo label) and the sign-out button."""
    if account is DEMO:
        st.sidebar.warning(
            "**Demomodus** — er zijn nog geen accounts. Iedereen die deze app bereikt, ziet de "
            "fictieve voorbeeldgemeente en kan alles. Echte gegevens vragen om accounts: "
            "`python -m data_sources users add LOGIN --rol beheerder --wachtwoord-stdin`.",
            # an icon of its own: without one Streamlit looks for a leading emoji in any non-ASCII
            # text, which loads its emoji catalogue (50 ms on a fresh server's first page)
            icon=":material/warning:")
        return
    organisation = f", {plain(account.organisation)}" if account.organisation else ""
    st.sidebar.caption(f"Ingelogd als **{plain(account.login)}** ({account.role}{organisation})")
    st.sidebar.button("Uitloggen", on_click=sign_out, key="uitloggen")
