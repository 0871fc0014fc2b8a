import re

import pytest
from django.urls import reverse

from .factories import EventFactory, ExhibitFactory, OrganizationFactory, SectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exhibits():
    """Four exhibits of one edition across sectors and countries, and one of another edition."""
    event = EventFactory(slug="forum")
    navigation = SectorFactory(slug="satellite-navigation", name="Satellite navigation")
    health = SectorFactory(slug="health", name="Health")
    logistics = SectorFactory(slug="logistics", name="Logistics")
    ExhibitFactory(
        event=event,
        title="BeiDou Navigation Satellite System",
        exhibitor=OrganizationFactory(name="China Satellite Navigation Office"),
        sectors=[navigation, logistics],
        countries_served=["CN", "KZ", "UZ"],
    )
    ExhibitFactory(event=event, title="Telemedicine network", sectors=[health], countries_served=["KZ", "KG"])
    ExhibitFactory(event=event, title="Rail freight port", sectors=[logistics], countries_served=["TM"])
    ExhibitFactory(event=event, title="Navigation for farming", sectors=[navigation], countries_served=["TJ"])
    ExhibitFactory(title="Other edition's navigation exhibit", sectors=[navigation], countries_served=["KZ"])
    return event


def titles(client, **params):
    """Exhibit titles the list shows for these filters, in page order."""
    response = client.get(reverse("events:exhibits", args=["forum"]), params)
    assert response.status_code == 200
    return re.findall(r'class="exhibit-title" href="[^"]+">([^<]+)</a>', response.content.decode())


def test_exhibits_unfiltered_lists_only_this_editions(client, exhibits):
    assert set(titles(client)) == {
        "BeiDou Navigation Satellite System",
        "Telemedicine network",
        "Rail freight port",
        "Navigation for farming",
    }


def test_exhibits_filter_by_sector(client, exhibits):
    assert set(titles(client, sector="satellite-navigation")) == {
        "BeiDou Navigation Satellite System",
        "Navigation for farming",
    }


def test_exhibits_filter_by_country_served(client, exhibits):
    assert set(titles(client, country="KZ")) == {"BeiDou Navigation Satellite System", "Telemedicine network"}


def test_exhibits_filter_by_text_in_exhibitor_or_title(client, exhibits):
    assert titles(client, q="satellite office") == ["BeiDou Navigation Satellite System"]
    assert titles(client, q="telemedicine") == ["Telemedicine network"]


def test_exhibits_filters_combine(client, exhibits):
    assert titles(client, sector="satellite-navigation", country="KZ") == [
        "BeiDou Navigation Satellite System"
    ]
    assert titles(client, sector="logistics", country="KZ", q="rail") == []
    assert titles(client, sector="logistics", country="TM", q="rail") == ["Rail freight port"]


def test_exhibits_filter_form_offers_only_this_editions_sectors_and_countries(client, exhibits):
    SectorFactory(slug="unused", name="Unused sector")
    content = client.get(reverse("events:exhibits", args=["forum"])).content.decode()
    country_select = content[
        content.index('name="country"') : content.index("</select>", content.index('name="country"'))
    ]
    assert re.findall(r'<option value="([A-Z]{2})"', country_select) == ["CN", "KZ", "KG", "TJ", "TM", "UZ"]
    sector_select = content[
        content.index('name="sector"') : content.index("</select>", content.index('name="sector"'))
    ]
    assert re.findall(r'<option value="([a-z-]+)"', sector_select) == [
        "health",
        "logistics",
        "satellite-navigation",
    ]


@pytest.mark.parametrize("params", [{"sector": "no-such-sector"}, {"country": "XX"}, {"sector": "<script>"}])
def test_exhibits_unknown_filter_value_is_a_clear_message_and_no_list(client, exhibits, params):
    response = client.get(reverse("events:exhibits", args=["forum"]), params)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in content
    assert "<script>" not in content
    assert titles(client, **params) == []


@pytest.mark.parametrize("page", ["abc", "99999", "-1", "1" * 30])
def test_exhibits_odd_page_numbers_show_a_page(client, exhibits, page):
    assert len(titles(client, page=page)) == 4


def test_exhibits_very_long_search_text_is_cut_not_an_error(client, exhibits):
    assert titles(client, q="satellite " * 2000) == ["BeiDou Navigation Satellite System"]


def test_exhibits_pagination_keeps_the_filters(client):
    event = EventFactory(slug="big")
    sector = SectorFactory(slug="digital-economy", name="Digital economy")
    for number in range(30):
        ExhibitFactory(event=event, title=f"Exhibit {number:02d}", sectors=[sector], countries_served=["KZ"])
    ExhibitFactory(event=event, title="Unrelated")
    response = client.get(reverse("events:exhibits", args=["big"]), {"sector": "digital-economy", "page": 2})
    content = response.content.decode()
    assert re.findall(r'class="exhibit-title" href="[^"]+">([^<]+)</a>', content) == [
        f"Exhibit {number:02d}" for number in range(12, 24)
    ]
    assert "30 exhibits found." in content
    assert "?sector=digital-economy&amp;page=3" in content
    assert "?sector=digital-economy&amp;page=1" in content


def test_exhibits_long_pagination_is_elided(client):
    event = EventFactory(slug="huge")
    for number in range(12 * 20):
        ExhibitFactory(event=event, title=f"Exhibit {number:03d}")
    content = client.get(reverse("events:exhibits", args=["huge"]), {"page": 10}).content.decode()
    pages = re.findall(r'class="page-link"[^>]*>([^<]+)<', content)
    assert pages == ["Previous", "1", "…", "8", "9", "10", "11", "12", "…", "20", "Next"]


def cache_keys() -> set[str]:
    """The keys in the local-memory cache (its private store: the public API cannot list keys)."""
    from django.core.cache import cache

    return set(cache._cache)


def test_exhibits_made_up_searches_and_pages_add_no_cache_entries(client, exhibits):
    url = reverse("events:exhibits", args=["forum"])
    assert client.get(url).status_code == 200
    warm = cache_keys()
    made_up = [
        *({"q": f"satellite {number}"} for number in range(15)),
        *({"page": str(2 + number)} for number in range(10)),  # the list has one page
        *({"sector": f"no-such-sector-{number}"} for number in range(10)),
        *({"country": code} for code in ["AF", "BR", "DE", "FR", "XX", "ZZ", "kz", "K", "KZZ", "ЖЖ"]),
        {"page": "0"},
        {"page": "01"},
        {"page": "²"},
        {"sector": "health", "q": "telemedicine"},
        {"sector": "health", "page": "7"},
    ]
    assert len({tuple(sorted(params.items())) for params in made_up}) == 50

    answers = [client.get(url, params).status_code for params in made_up]

    assert answers == [200] * 50
    assert cache_keys() == warm


def test_exhibits_offered_filters_are_cached_once(client, exhibits, django_assert_num_queries):
    url = reverse("events:exhibits", args=["forum"])
    client.get(url)
    before = cache_keys()

    assert titles(client, sector="health", country="KZ") == ["Telemedicine network"]
    after_first = cache_keys()
    with django_assert_num_queries(1):  # the edition; the list comes from the cache
        response = client.get(url, {"sector": "health", "country": "KZ"})

    assert len(after_first - before) == 1
    assert cache_keys() == after_first
    assert "Telemedicine network" in response.content.decode()
