"""What an approved online delegate reads on /me/ about each session's stream link."""

import pytest
from django.urls import reverse

from delegates import services

from .factories import ProfileFactory, SubForumFactory, open_event, registration_data

pytestmark = pytest.mark.django_db
NOT_YET = "The organizers have not yet set the stream link for this session."


def approved_online(event, sub_forums):
    """A delegate approved to follow these sessions online."""
    user = ProfileFactory().user
    registration = services.submit_registration(
        event=event, user=user, details=registration_data(), sub_forums=sub_forums
    )
    services.approve_registration(registration=registration, actor=None)
    return user


def test_me_gives_the_stream_link_or_says_plainly_that_none_is_set_yet(client):
    event = open_event()
    streamed = SubForumFactory(
        event=event, title="Opening ceremony", stream_url="https://stream.example.org/o"
    )
    waiting = SubForumFactory(event=event, title="Green Development Forum")
    client.force_login(approved_online(event, [streamed, waiting]))

    page = client.get(reverse("delegates:me")).text
    russian = client.get(reverse("delegates:me"), headers={"accept-language": "ru"}).text

    assert page.count('href="https://stream.example.org/o"') == 1
    assert page.count(NOT_YET) == 1
    assert page.index("Green Development Forum") < page.index(NOT_YET)
    assert "Организаторы ещё не указали ссылку на трансляцию этого заседания." in russian


def test_me_says_nothing_of_stream_links_before_approval(client):
    event = open_event()
    user = ProfileFactory().user
    services.submit_registration(
        event=event, user=user, details=registration_data(), sub_forums=[SubForumFactory(event=event)]
    )
    client.force_login(user)

    assert NOT_YET not in client.get(reverse("delegates:me")).text
