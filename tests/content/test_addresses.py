"""content.addresses.reverse_kept (issue 15): the address `reverse` gives, kept; a
different script prefix or set of URL patterns is a different address."""

from django.urls import reverse, set_script_prefix

from content.addresses import reverse_kept


def test_a_kept_address_is_the_one_reverse_gives():
    assert reverse_kept("lesson_complete", 41) == reverse("lesson_complete", args=[41])
    assert reverse_kept("lesson_complete", 42) == reverse("lesson_complete", args=[42])
    assert reverse_kept("glossary") == reverse("glossary")


def test_it_follows_the_script_prefix_and_the_url_patterns(settings):
    before = reverse_kept("lesson_complete", 7)
    set_script_prefix("/academy/")
    try:
        assert reverse_kept("lesson_complete", 7) == "/academy" + before
    finally:
        set_script_prefix("/")
    settings.ROOT_URLCONF = "config.urls_pages_first"
    assert reverse_kept("lesson_complete", 7) == before
