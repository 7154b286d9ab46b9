"""`{% load static %}` is content.templatetags.static_urls (issue 15): Django's library,
with `{% static %}` going straight to the storage. It must write what Django's writes."""

from django.template import Context, Template, engines
from django.templatetags.static import StaticNode as DjangoStaticNode

from content.templatetags.static_urls import StaticNode

SOURCE = (
    "{% load static %}{% static 'academy/app.css' %}|{% static name %}|"
    "{% static 'academy/app.css' as css %}[{{ css }}]|{% get_static_prefix %}|"
    "{% get_media_prefix %}"
)


def test_the_static_library_is_the_academys():
    template = engines["django"].from_string("{% load static %}{% static 'x.css' %}")
    nodes = template.template.nodelist.get_nodes_by_type(DjangoStaticNode)
    assert [type(node) for node in nodes] == [StaticNode]


def test_it_writes_what_djangos_writes():
    name = "a file & <its> name.js"
    ours = engines["django"].from_string(SOURCE).render({"name": name})
    theirs = Template(SOURCE, engine=_django_engine()).render(Context({"name": name}))
    assert ours == theirs
    assert "a%20file%20%26%20%3Cits%3E%20name.js" in ours


def _django_engine():
    """An engine with Django's own static library, as before."""
    from django.template.engine import Engine

    return Engine(libraries={"static": "django.templatetags.static"})
