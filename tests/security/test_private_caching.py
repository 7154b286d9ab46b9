"""Caching of personal pages (issue 14): My learning, the profile, reports, the data
export and every other answer to someone signed in were sent with no Cache-Control, so
a browser's disk, its back button after signing out or a shared proxy could keep them.
Every URL of the access matrix, as every role, must now say `private, no-store`."""

from django.urls import reverse

from tests.academy.test_access_matrix import ANONYMOUS, ROLES, ROWS, _request
from tests.academy.test_access_matrix import _world as _world  # the matrix's fixtures: its
from tests.academy.test_access_matrix import world as world  # world, built once a module

# Pages outside the matrix (they show only the signed-in person's own data) that are
# personal all the same.
OWN_PAGES = ["profile", "my_data", "password_change", "learning_log", "my_learning"]


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_every_matrix_url_is_private_and_not_stored_for_every_signed_in_role(client, world):
    unstored = []
    for row in ROWS:
        for role in ROLES:
            if role == ANONYMOUS:
                continue
            response = _request(client, world, row, role)
            if not {"private", "no-store"} <= _cache_control(response):
                unstored.append(f"{row.key} as {role}: {response.status_code} "
                                f"Cache-Control={response.get('Cache-Control')!r}")
    assert not unstored, "\n".join(unstored)


def test_a_learners_own_pages_are_private_and_not_stored(client, world):
    client.force_login(world.owner)
    for name in OWN_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert {"private", "no-store"} <= _cache_control(response), name


def test_a_public_page_for_someone_not_signed_in_keeps_its_own_headers(client, world):
    """Lesson pictures say how long they may be kept; that is left as it is."""
    from django.core.files.base import ContentFile
    from wagtail.images.models import Image

    from tests.content.test_teaching_blocks import _png

    image = Image.objects.create(title="A board", file=ContentFile(_png(), name="board.png"))
    client.force_login(world.owner)
    response = client.get(image.get_rendition("width-320").url)
    assert response["Cache-Control"] == "public, max-age=86400"
