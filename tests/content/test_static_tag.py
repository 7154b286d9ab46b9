"""`{% load static_urls %}` (content.templatetags.static_urls, loaded by base.html; issue
15): Django's `static` library, with `{% static %}` going straight to the storage. It
must write what Django's writes."""

from django.template import engines
from django.template.loader import get_template
from django.templatetags.static import StaticNode as DjangoStaticNode

from content.templatetags.static_urls import StaticNode

SOURCE = (
    "{% load LIBRARY %}{% static 'academy/app.css' %}|{% static name %}|"
    "{% static 'academy/app.css' as css %}[{{ css }}]|{% get_static_prefix %}|"
    "{% get_media_prefix %}"
)


def test_every_page_loads_it():
    base = get_template("base.html").template
    nodes = base.nodelist.get_nodes_by_type(DjangoStaticNode)
    assert nodes
    assert {type(node) for node in nodes} == {StaticNode}


def test_it_writes_what_djangos_writes():
    name = "a file & <its> name.js"
    ours, theirs = (engines["django"].from_string(SOURCE.replace("LIBRARY", library))
                    .render({"name": name}) for library in ("static_urls", "static"))
    assert ours == theirs
    assert "a%20file%20%26%20%3Cits%3E%20name.js" in ours
