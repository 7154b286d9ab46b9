"""Issue 13, what was seen: the editor's preview panel, Save draft racing autosave,
blocks that start or save incomplete, and avatars fetched from outside."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from courses.models import LessonPage
from tests.academy.test_authoring import edit_form, sign_in


@pytest.fixture
def demo(db):
    call_command("load_demo_academy", stdout=open("/dev/null", "w"))  # noqa: SIM115


# --- The preview panel may be framed by the admin, and nothing else is ---------------

def test_the_editors_preview_panel_may_be_framed_by_the_admin(client, demo):
    sign_in(client, "trainer@example.gov.uk")
    lesson = LessonPage.objects.live().order_by("path").first()
    url = f"/admin/pages/{lesson.pk}/edit/preview/"
    assert client.post(url, edit_form(client, lesson)).json()["is_valid"] is True

    preview = client.get(url, {"in_preview_panel": "true"})

    assert preview.status_code == 200
    assert lesson.title in preview.content.decode()
    policy = preview.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" not in policy
    assert "frame-ancestors 'self'" in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_published_lesson_still_refuses_to_be_framed(client, demo):
    lesson = LessonPage.objects.live().order_by("path").first()
    sign_in(client, "learner@example.gov.uk")
    response = client.get(lesson.url)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


# --- Admin pages load nothing from another host (no Gravatar) ------------------------

class _Resources(HTMLParser):
    """The addresses a browser would fetch: img/script/source/iframe src, link href."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("img", "script", "source", "iframe", "video", "audio") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "img" and attrs.get("srcset"):
            self.urls += [part.split()[0] for part in attrs["srcset"].split(",") if part.strip()]
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def _outside_urls(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    return [u for u in parser.urls
            if urlsplit(u).netloc and urlsplit(u).netloc != "testserver"]


@pytest.mark.parametrize("email", ["trainer@example.gov.uk", "admin@example.gov.uk"])
def test_admin_pages_fetch_nothing_from_another_host(client, demo, email):
    sign_in(client, email)
    lesson = LessonPage.objects.live().order_by("path").first()
    urls = ["/admin/", f"/admin/pages/{lesson.pk}/edit/", f"/admin/pages/{lesson.get_parent().pk}/",
            "/admin/account/", "/admin/pages/search/?q=scrum"]
    if email.startswith("admin"):
        urls += ["/admin/users/", "/admin/reports/site-history/"]
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # The sidebar's avatar comes in JSON for its script, not in an <img>.
        seen[url] = _outside_urls(html) + (["gravatar"] if "gravatar" in html.lower() else [])
    assert not any(seen.values()), seen
