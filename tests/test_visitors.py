"""Visitors: field checks, diacritic-blind search, same-person detection."""

from __future__ import annotations

import random
import sqlite3
from datetime import date

import pytest
from sqlalchemy import bindparam, column, event, select, table
from sqlalchemy.exc import OperationalError

from frontdesk.db.models import Visitor
from frontdesk.services import Actor, PermissionDenied, Services, ValidationError
from frontdesk.services.errors import database_unreachable
from frontdesk.services.fields import find_countries, format_phone, normalise_phone
from frontdesk.services.text import fold
from frontdesk.services.visitors import VisitorInput

NAMES = [
    ("Zoë", "Ødegård"),
    ("Łukasz", "Kowalczyk"),
    ("Nguyễn Thị", "Lan"),
    ("محمد", "العلي"),
    ("王", "芳"),
]


def test_names_in_any_script_are_kept_exactly(services: Services, clerk: Actor) -> None:
    for given, family in NAMES:
        record = services.visitors.register(clerk, VisitorInput(given, family))
        assert (record.given_names, record.family_name) == (given, family)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("odegard", "Ødegård"),
        ("ØDEGÅRD", "Ødegård"),
        ("lukasz", "Kowalczyk"),
        ("kowal", "Kowalczyk"),
        ("zoe ode", "Ødegård"),
        ("nguyen", "Lan"),
        ("محمد", "العلي"),
        ("王", "芳"),
    ],
)
def test_search_ignores_case_and_diacritics(
    services: Services, clerk: Actor, query: str, expected: str
) -> None:
    for given, family in NAMES:
        services.visitors.register(clerk, VisitorInput(given, family))
    found = services.visitors.search(clerk, query)
    assert [v.family_name for v in found] == [expected]


def test_search_follows_a_changed_name(services: Services, clerk: Actor) -> None:
    record = services.visitors.register(clerk, VisitorInput("Anna", "Smith"))
    services.visitors.update(clerk, record.id, VisitorInput("Anna", "Jones"))
    assert services.visitors.search(clerk, "smith") == []
    assert [v.id for v in services.visitors.search(clerk, "jones")] == [record.id]


def test_search_gives_the_whole_record_newest_change_first(
    services: Services, clerk: Actor
) -> None:
    older = services.visitors.register(
        clerk,
        VisitorInput(
            "Emily",
            "Carter",
            birth_date="14-02-1991",
            nationality="GB",
            phone="06-12345678",
            email="emily@example.org",
            language="English",
            notes="Needs a BSN appointment",
        ),
    )
    services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    newer = services.visitors.register(clerk, VisitorInput("Emma", "Carter"))
    assert services.visitors.search(clerk, "carter") == [newer, older]
    assert services.visitors.search(clerk, "emily carter") == [older]
    assert services.visitors.search(clerk, "06 1234 5678") == [older]
    assert services.visitors.get(clerk, older.id) == older
    services.clock.advance(minutes=5)  # type: ignore[attr-defined]
    services.visitors.update(clerk, older.id, VisitorInput("Emily", "Carter"))
    assert [v.id for v in services.visitors.search(clerk, "cart")] == [older.id, newer.id]


def test_name_search_order_matches_every_visitor_sorted(services: Services, clerk: Actor) -> None:
    """The search picks its first 20 from the token index (0012); the answer must be the
    same as sorting every matching visitor: most recently changed first, then newest."""
    rng = random.Random(11)
    words = ["Anna", "Annabel", "Anton", "Ana", "Bram", "Brams", "Bo", "Ødegård", "Odell"]
    ids = []
    for _ in range(70):
        given = " ".join(rng.sample(words, rng.randint(1, 3)))  # "Anna Annabel": 2 hits
        ids.append(services.visitors.register(clerk, VisitorInput(given, rng.choice(words))).id)
        if rng.random() < 0.5:  # several visitors changed at the same moment: a tie
            services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    for _ in range(30):  # corrections move a visitor up, and re-spell the name
        services.clock.advance(minutes=1)  # type: ignore[attr-defined]
        given = " ".join(rng.sample(words, rng.randint(1, 2)))
        services.visitors.update(clerk, rng.choice(ids), VisitorInput(given, "Ode"))
    with services.db.read() as session:
        everyone = session.execute(select(Visitor.id, Visitor.search_key, Visitor.updated_at)).all()
    for query in ("an", "ann", "anna", "o", "ode", "b", "anna b", "bo an", "a a", "odell ann"):
        wanted = fold(query).split()

        def matches(key: str, wanted: list[str] = wanted) -> bool:
            return all(any(t.startswith(w) for t in key.split()) for w in wanted)

        expected = sorted(
            (r for r in everyone if matches(r.search_key)),
            key=lambda r: (r.updated_at, r.id),
            reverse=True,
        )
        for limit in (20, 8):
            found = [v.id for v in services.visitors.search(clerk, query, limit=limit)]
            assert found == [r.id for r in expected[:limit]], (query, limit)


def test_search_by_phone_email_and_birth_date(services: Services, clerk: Actor) -> None:
    record = services.visitors.register(
        clerk,
        VisitorInput(
            "Emily",
            "Carter",
            birth_date="14-02-1991",
            phone="+1 (202) 555-0143",
            email="Emily.Carter@Example.org",
        ),
    )
    assert record.phone == "+12025550143"
    for query in (
        "202-555-0143 ",
        "+1 202 555 0143",
        "emily.carter@example.org",
        "1991-02-14",
        "14-02-1991",
    ):
        hits = services.visitors.search(clerk, query)
        # without a country code: found as part of the number (an NL number is not it)
        assert [v.id for v in hits] == [record.id], query


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("06-12345678", "+31612345678"),
        ("+1 (202) 555-0143", "+12025550143"),
        ("0044 20 8366 1177", "+442083661177"),
        ("071 516 1234", "+31715161234"),
    ],
)
def test_phone_numbers_in_every_format(written: str, e164: str) -> None:
    assert normalise_phone(written) == e164
    assert format_phone(e164).startswith("+")


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("given_names", VisitorInput("   ", "")),
        ("given_names", VisitorInput("x" * 10_000)),
        ("given_names", VisitorInput("Ann\x00a")),
        ("phone", VisitorInput("Ann", phone="12")),
        ("phone", VisitorInput("Ann", phone="not a number")),
        ("email", VisitorInput("Ann", email="ann@")),
        ("birth_date", VisitorInput("Ann", birth_date="2030-01-01")),
        ("birth_date", VisitorInput("Ann", birth_date="31-02-1990")),
        ("birth_date", VisitorInput("Ann", birth_date="1850-01-01")),
        ("nationality", VisitorInput("Ann", nationality="Atlantis")),
        ("category", VisitorInput("Ann", category="tourist")),
        ("notes", VisitorInput("Ann", notes="n" * 5000)),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    services: Services, clerk: Actor, field: str, data: VisitorInput
) -> None:
    with pytest.raises(ValidationError) as err:
        services.visitors.register(clerk, data)
    assert err.value.field == field
    assert "xxxxxxxx" not in err.value.message
    assert services.visitors.search(clerk, "ann") == []


def test_every_wrong_field_is_named_in_one_refusal(services: Services, clerk: Actor) -> None:
    data = VisitorInput(
        "Ann", birth_date="31-02-1990", phone="12", email="ann@", nationality="Atlantis"
    )
    with pytest.raises(ValidationError) as err:
        services.visitors.register(clerk, data)
    assert err.value.field == "birth_date"  # the first on the form gets the cursor
    assert list(err.value.errors) == ["birth_date", "nationality", "phone", "email"]
    assert services.visitors.search(clerk, "ann") == []
    with pytest.raises(ValidationError) as err:
        services.visitors.register(clerk, VisitorInput("", "", phone="12"))
    assert list(err.value.errors) == ["given_names", "phone"]


def test_same_name_and_birth_date_is_offered(services: Services, clerk: Actor) -> None:
    first = services.visitors.register(
        clerk, VisitorInput("Łukasz", "Kowalczyk", birth_date=date(1990, 5, 1))
    )
    twins = services.visitors.same_person(
        clerk, VisitorInput("lukasz", "KOWALCZYK", birth_date="01-05-1990")
    )
    assert [t.id for t in twins] == [first.id]


def test_interns_do_not_search_visitors(services: Services, intern: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.visitors.search(intern, "anna")


def test_countries_by_english_dutch_name_or_code() -> None:
    for query in ("neth", "Nederland", "NL", "nl"):
        assert find_countries(query)[0].code == "NL"
    assert find_countries("duitsland")[0].code == "DE"


def test_fold() -> None:
    assert fold("Ødegård") == "odegard"
    assert fold("Łukasz  WIŚNIEWSKI") == "lukasz wisniewski"
    assert fold("王芳") == "王芳"


def test_search_reads_every_date_format_and_digits_as_a_name(
    services: Services, clerk: Actor
) -> None:
    record = services.visitors.register(
        clerk, VisitorInput("Ada", "Lovelace", birth_date="10-12-1995")
    )
    for query in ("10/12/1995", "10.12.1995", "1995-12-10", "10-12-1995"):
        assert [v.id for v in services.visitors.search(clerk, query)] == [record.id], query
    # Digits that are not a date (a letter among them) are looked up as a name.
    assert services.visitors.search(clerk, "2nd") == []
    assert services.visitors.search(clerk, "10-12-1995x") == []


@pytest.mark.parametrize(
    ("given", "family", "field"),
    [
        ("SørenKierkegaard-Ōta31-02-1990", "", "given_names"),  # a date typed on
        ("Maria", "Lopez 2", "family_name"),
        ("Ahmed", "٣علي", "family_name"),  # an Arabic-Indic digit
        ("अनिल३", "Sharma", "given_names"),  # a Devanagari digit
        ("Ｍａｒｉａ８", "Lopez", "given_names"),  # a full-width digit
    ],
)
def test_names_with_digits_are_refused_beside_the_field(
    services: Services, clerk: Actor, given: str, family: str, field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        services.visitors.register(clerk, VisitorInput(given, family))
    assert err.value.field == field
    assert "digits" in err.value.message
    assert given not in err.value.message and (not family or family not in err.value.message)
    with pytest.raises(ValidationError):
        services.queue.register_walk_in(clerk, VisitorInput(given, family))


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Seán", "O'Brien-Ó Súilleabháin"),
        ("Jean-Luc", "d’Artagnan"),
        ("محمد", "العلي"),
        ("王", "三郎"),  # Chinese numerals are letters
        ("Анна-Мария", "Иванова"),
        ("Αλέξανδρος", "Παπαδόπουλος"),
        ("अनिल", "शर्मा"),
        ("J.", "van der Berg"),
    ],
)
def test_names_in_every_script_with_apostrophes_and_hyphens_pass(
    services: Services, clerk: Actor, given: str, family: str
) -> None:
    record = services.visitors.register(clerk, VisitorInput(given, family))
    assert (record.given_names, record.family_name) == (given, family)


def test_sqlite_finds_a_visitor_in_one_select(services: Services, clerk: Actor) -> None:
    if services.db.dialect != "sqlite":
        pytest.skip("PostgreSQL keeps its BEGIN")
    services.visitors.register(clerk, VisitorInput("Ada", "Lovelace", birth_date="10-12-1995"))
    services.db.engine.dispose()  # new connections, each telling what SQLite runs
    statements: list[str] = []

    def trace(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.set_trace_callback(statements.append)

    event.listen(services.db.engine, "connect", trace)
    try:
        for query in ("love", "ada love", "10-12-1995"):
            statements.clear()
            (found,) = services.visitors.search(clerk, query)
            assert (found.family_name, found.birth_date) == ("Lovelace", date(1995, 12, 10))
            assert found.created_at.tzinfo is not None
            selects = [s for s in statements if s.lstrip().startswith("SELECT")]
            assert len(selects) == 1
            assert [s for s in statements if s not in selects] == ["BEGIN", "COMMIT"]
    finally:
        event.remove(services.db.engine, "connect", trace)


def test_sqlite_search_errors_are_sqlalchemy_errors_without_values(services: Services) -> None:
    if services.db.dialect != "sqlite":
        pytest.skip("SQLite only")
    nowhere = select(column("name")).select_from(table("nowhere"))
    query = nowhere.where(column("name") == bindparam("name"))
    with pytest.raises(OperationalError) as err, services.db.read() as session:
        session.execute(query, {"name": "Private Name"})
    assert "no such table" in str(err.value) and "Private Name" not in str(err.value)
    assert database_unreachable(err.value) is False


def test_field_messages_agree_with_the_field_name() -> None:
    from frontdesk.services.text import clean_text

    with pytest.raises(ValidationError) as plural:
        clean_text("x" * 201, "given_names", label="The given names", max_length=200)
    assert plural.value.message == "The given names are too long (at most 200 characters)"
    with pytest.raises(ValidationError) as single:
        clean_text(" ", "name", label="The name", max_length=10, required=True)
    assert single.value.message == "The name is required"
