from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_performance_is_in_the_navigation_of_those_who_may_use_it(client: Client) -> None:
    client.force_login(persona("analyst"))
    page = client.get(reverse("home")).content.decode()
    assert 'href="/performance/"' in page


def test_a_social_worker_has_no_performance_page(client: Client) -> None:
    client.force_login(persona("social_worker"))
    assert client.get(reverse("performance:home")).status_code == 403
    assert 'href="/performance/"' not in client.get(reverse("home")).content.decode()
