"""F3 finds what a desk clerk types (issue 19): a CJK name without its space, part of a
phone number as written on a card, and "family, given" order."""

from __future__ import annotations

from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput


def _names(services: Services, clerk: Actor, query: str) -> list[str]:
    return [v.full_name for v in services.visitors.search(clerk, query)]


def test_search_finds_what_the_clerk_types(services: Services, clerk: Actor) -> None:
    register = services.visitors.register
    register(clerk, VisitorInput(given_names="小明", family_name="王"))
    register(clerk, VisitorInput(given_names="小红", family_name="王"))
    register(clerk, VisitorInput(given_names="민준", family_name="김"))
    register(clerk, VisitorInput(given_names="Zoë", family_name="Ødegård", phone="+31 6 2555 0143"))
    register(clerk, VisitorInput(given_names="Olena", family_name="Shevchenko"))
    # a CJK name typed without the space, in either order; a part of it still finds it
    assert _names(services, clerk, "王小明") == ["小明 王"]
    assert _names(services, clerk, "小明王") == ["小明 王"]
    assert sorted(_names(services, clerk, "王小")) == ["小明 王", "小红 王"]
    assert _names(services, clerk, "김민준") == ["민준 김"]
    assert _names(services, clerk, "王小明 ") == ["小明 王"]
    assert _names(services, clerk, "王大明") == []
    # part of a phone number, written as on the visitor's card
    assert _names(services, clerk, "555-0143") == ["Zoë Ødegård"]
    assert _names(services, clerk, "2555 0143") == ["Zoë Ødegård"]
    assert _names(services, clerk, "+31 6 2555 0143") == ["Zoë Ødegård"]
    assert _names(services, clerk, "555-0144") == []
    # family name first, with a comma
    assert _names(services, clerk, "Ødegård, Zoë") == ["Zoë Ødegård"]
    assert _names(services, clerk, "shevchenko, o") == ["Olena Shevchenko"]
    assert _names(services, clerk, "Shevchenko,Olena") == ["Olena Shevchenko"]
