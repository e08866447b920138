"""The partner directory and its CSV import, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from frontdesk.services import Actor, PermissionDenied, Services, ValidationError
from frontdesk.services.csvimport import CsvError
from frontdesk.services.partners import PartnerInput
from tests.helpers import GOOD_PARTNER, PARTNERS_WITH_BLANKS


def test_add_normalises_and_search_finds(services: Services, lead: Actor, intern: Actor) -> None:
    p = services.partners.add(lead, GOOD_PARTNER)
    assert (p.category, p.phone, p.website, p.languages) == (
        "bank",
        "+31715123456",
        "https://rijnland.example.nl",
        "English, Dutch",
    )
    services.partners.add(
        lead,
        PartnerInput(
            name="Café Taalschool", category="language school", languages="Dutch, Français"
        ),
    )
    partners = services.partners
    assert [x.name for x in partners.search(intern, "cafe")] == ["Café Taalschool"]
    assert [x.name for x in partners.search(intern, category="bank")] == ["Rijnland Bank"]
    assert [x.name for x in partners.search(intern, language="francais")] == ["Café Taalschool"]
    assert [x.name for x in partners.search(intern, language="dutch")] == [
        "Café Taalschool",
        "Rijnland Bank",
    ]
    assert partners.search(intern, "bank", category="lawyer") == []


def test_bad_input_names_the_field_and_changes_nothing(services: Services, lead: Actor) -> None:
    cases = {
        "category": PartnerInput(name="X", category="bakery"),
        "phone": PartnerInput(name="X", category="bank", phone="12"),
        "email": PartnerInput(name="X", category="bank", email="nope"),
        "website": PartnerInput(name="X", category="bank", website="not a site"),
        "name": PartnerInput(name="  ", category="bank"),
    }
    for field, data in cases.items():
        with pytest.raises(ValidationError) as err:
            services.partners.add(lead, data)
        assert err.value.field == field
    assert services.partners.search(lead, include_inactive=True) == []
    services.partners.add(lead, GOOD_PARTNER)
    with pytest.raises(ValidationError, match="already exists"):
        services.partners.add(lead, PartnerInput(name="RIJNLAND bank", category="bank"))


def test_only_the_lead_edits_partners(
    services: Services, lead: Actor, clerk: Actor, intern: Actor
) -> None:
    p = services.partners.add(lead, GOOD_PARTNER)
    for who in (clerk, intern):
        with pytest.raises(PermissionDenied):
            services.partners.add(who, PartnerInput(name="Y", category="bank"))
        with pytest.raises(PermissionDenied):
            services.partners.update(who, p.id, GOOD_PARTNER)
        with pytest.raises(PermissionDenied):
            services.partners.set_active(who, p.id, False)
        with pytest.raises(PermissionDenied):
            services.partners.import_csv(who, b"name,category\nZ,bank\n")
    # Deactivated partners drop out of the search but stay findable for history.
    services.partners.set_active(lead, p.id, False)
    assert services.partners.search(intern) == []
    assert services.partners.search(intern, include_inactive=True)[0].active is False
    assert not hasattr(services.partners, "delete")


MESSY = (
    "\ufeffName ; CATEGORY;contact;email;phone;website;languages;notes\r\n"
    "\r\n"
    "Rijnland Bank;bank;Eva Jansen;desk@rijnland.example.nl;071 512 3456;rijnland.example.nl;"
    "English, Dutch;\r\n"
    "Broken Phone BV;lawyer;;;12345;;;\r\n"
    "  \r\n"
    "Leiden Lingua;Language school;;info@lingua.example.org;;;Dutch;evening classes\r\n"
    "Nowhere Inc;bakery;;;;;;\r\n"
).encode()


def test_import_messy_file_then_reimport_changes_nothing(services: Services, lead: Actor) -> None:
    dry = services.partners.import_csv(lead, MESSY, dry_run=True)
    assert (dry.imported, dry.updated, dry.unchanged) == (2, 0, 0)
    assert services.partners.search(lead, include_inactive=True) == []

    result = services.partners.import_csv(lead, MESSY)
    assert (result.imported, result.updated, result.unchanged) == (2, 0, 0)
    assert [(r.line, r.column) for r in result.rejected] == [(4, "phone"), (7, "category")]
    assert "phone number" in result.rejected[0].reason
    names = [p.name for p in services.partners.search(lead)]
    assert names == ["Leiden Lingua", "Rijnland Bank"]

    again = services.partners.import_csv(lead, MESSY)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 2)

    changed = MESSY.replace(b"evening classes", b"day classes").replace(b"Eva Jansen", b"Eva")
    dry = services.partners.import_csv(lead, changed, dry_run=True)
    assert (dry.imported, dry.updated, dry.unchanged) == (0, 2, 0)
    assert services.partners.search(lead, "lingua")[0].notes == "evening classes"
    done = services.partners.import_csv(lead, changed)
    assert (done.imported, done.updated, done.unchanged) == (0, 2, 0)
    assert services.partners.search(lead, "lingua")[0].notes == "day classes"
    assert services.partners.search(lead, "rijnland")[0].contact == "Eva"


def test_import_comma_file_matches_by_folded_name(services: Services, lead: Actor) -> None:
    services.partners.add(lead, PartnerInput(name="Ødegård Advocaten", category="lawyer"))
    data = b"name,category\nodegard advocaten,lawyer\nNew One,other\n"
    result = services.partners.import_csv(lead, data)
    # Found despite case and accents; the stored spelling stays (the file drops accents).
    assert (result.imported, result.updated, result.unchanged) == (1, 0, 1)
    assert services.partners.search(lead, "advocaten")[0].name == "Ødegård Advocaten"
    fixed = services.partners.import_csv(lead, "name,category\nØdegård advocaten,lawyer\n".encode())
    assert (fixed.updated, fixed.changes) == (
        1,
        ["line 2, Ødegård Advocaten: name: Ødegård Advocaten -> Ødegård advocaten"],
    )
    with pytest.raises(CsvError, match="missing: category"):
        services.partners.import_csv(lead, b"name\nA\n")


# The file from issue 19: Dutch Excel (semicolons, a byte-order mark), a known partner in
# capitals with only its category and languages filled in.
def test_import_never_erases_and_keeps_the_stored_spelling(services: Services, lead: Actor) -> None:
    before = services.partners.add(lead, GOOD_PARTNER)
    dry = services.partners.import_csv(lead, PARTNERS_WITH_BLANKS, dry_run=True)
    assert (dry.imported, dry.updated, dry.unchanged, dry.rejected) == (1, 0, 1, [])
    assert dry.changes == ["line 3: new partner Leiden Lingua"]
    result = services.partners.import_csv(lead, PARTNERS_WITH_BLANKS)
    assert (result.imported, result.updated, result.unchanged) == (1, 0, 1)
    assert services.partners.get(lead, before.id) == before  # nothing lost, not renamed
    assert services.partners.search(lead, "lingua")[0].category == "language school"

    # A row that does change something says what, field by field, and erases nothing.
    changed = PARTNERS_WITH_BLANKS.replace(b";;;;;Dutch", b";;;071 512 9999;;Dutch")
    dry = services.partners.import_csv(lead, changed, dry_run=True)
    assert dry.changes == ["line 2, Rijnland Bank: phone: +31715123456 -> +31715129999"]
    services.partners.import_csv(lead, changed)
    after = services.partners.get(lead, before.id)
    assert (after.name, after.contact, after.email, after.phone) == (
        "Rijnland Bank",
        "Eva Jansen",
        "desk@rijnland.example.nl",
        "+31715129999",
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Banks", "bank"),
        ("BANK", "bank"),
        ("banken", "bank"),
        ("Bankieren", "bank"),
        ("huisvesting", "housing"),
        ("Insurance companies", "insurer"),
        ("Verzekeraars", "insurer"),
        ("Lawyers", "lawyer"),
        ("advocaten", "lawyer"),
        ("Language_Schools", "language school"),
        ("Tax advisors", "tax adviser"),
        ("kinderopvang", "childcare"),
        ("Relocation agencies", "relocation agent"),
        ("International Schools", "international school"),
    ],
)
def test_categories_map_from_what_people_write(
    services: Services, lead: Actor, written: str, meant: str
) -> None:
    data = f"name;category\nX;{written}\n".encode()
    result = services.partners.import_csv(lead, data)
    assert result.rejected == [] and result.imported == 1
    assert services.partners.search(lead, "x")[0].category == meant


def test_an_unknown_category_is_refused_with_the_closest(services: Services, lead: Actor) -> None:
    result = services.partners.import_csv(lead, b"name;category\nX;Lawer\nY;astronauts\n")
    assert result.imported == 0
    assert [(r.line, r.column) for r in result.rejected] == [(2, "category"), (3, "category")]
    assert "did you mean 'lawyer'?" in result.rejected[0].reason
    assert "did you mean" not in result.rejected[1].reason
    assert "use one of: bank, housing" in result.rejected[1].reason
