"""Course URLs routed from a map kept in this process's memory, and the site with it.

Wagtail routes a URL down the tree a level at a time, a lookup and a specific fetch at
each (about ten queries for a lesson, with the site and the view-restriction check).
Here the catalogue and every course, module, lesson and assessment page is in a map
from its URL path to its id and type, worked out in two queries for the current course
tree version (courses.cache), together with whether any view restriction applies to it.
`CourseRoutingMiddleware` reads the version (one cache read a request), hands Wagtail
the request's Site from memory, and, for a URL Wagtail is about to serve that is in the
map, fetches that one page and gives Wagtail the route, so serving a course URL is one
query for the page. What the map does not hold goes down Wagtail's own routing.

The map holds only what Wagtail would serve: a live page, none of whose course or
module above it is unpublished (issue 13's guard, CourseTree.route). The page is
fetched as live, at that path, under a live course and module, so a map that is
somehow behind (a change made with QuerySet.update, which sends no signal) serves
nothing that is not there to serve.
"""

import copy
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http.request import split_domain_port
from django.urls import get_script_prefix
from wagtail.blocks import StreamValue
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from content.sql import ModelColumns, in_list, model_tables
from courses.cache import course_tree_version, course_tree_version_held
from courses.models import AssessmentPage, CataloguePage, CoursePage, LessonPage, ModulePage
from courses.models.review import CourseTree

# Host names kept per version: enough for any real deployment, and a bound on memory
# whatever Host headers arrive (those past it are looked up each time, as by Wagtail).
MAX_SITE_HOSTS = 32
# Courses held per version: more than a department has; past it, the held ones are
# let go and fetched again as asked for.
MAX_COURSES_HELD = 1000
# Pages kept per version, by their rows' versions (PageFetch): as for courses.
MAX_PAGES_KEPT = 5000


@dataclass(frozen=True)
class PageRoute:
    page_id: int
    content_type_id: int
    # No view restriction on the page or above it, and no alias in its line (whose
    # restrictions are its original's): Wagtail's check may be skipped.
    unrestricted: bool
    # The course and module above it, checked live when it is fetched.
    guard_ids: tuple[int, ...] = ()


@dataclass
class CourseTreeRoutes:
    version: str
    routes: dict[str, PageRoute]  # by url_path ("/home/courses/agile/")
    any_restriction: bool
    sites: dict[tuple[str, int], object] = field(default_factory=dict)
    # Courses by id, fetched once for this version: the course a routed lesson, module
    # or assessment belongs to (CourseTree.course). Any change to a page makes a new
    # version, and so a new map with none of these.
    courses: dict[int, object] = field(default_factory=dict)
    # The URL path of each page in `routes`, by page id (for the learning actions,
    # which name a lesson by id: learners.views).
    url_paths: dict[int, str] = field(default_factory=dict)
    # Wagtail's site root paths (Site.get_site_root_paths), read once for this version:
    # a site change, or a change to a page's address, makes a new version.
    site_root_paths: list | None = None
    # Pages fetched for this version, kept by their rows' versions (PageFetch.fetch), by
    # their fetch (type and columns).
    pages: dict[object, dict] = field(default_factory=dict)
    # Pages' addresses as Wagtail works them out for a request (Page.get_url), by page,
    # its path and the request's site (page_url_kept).
    page_urls: dict[tuple, str] = field(default_factory=dict)

    def _kept(self, fetch) -> dict:
        kept = self.pages.get(fetch)
        if kept is None:
            kept = self.pages.setdefault(fetch, {})
        return kept

    def site_root_paths_for_request(self) -> list:
        """The site root paths, for Wagtail's per-request copy
        (`request._wagtail_cached_site_root_paths`): a list of its own each request."""
        if self.site_root_paths is None:
            self.site_root_paths = list(Site.get_site_root_paths())
        return list(self.site_root_paths)

    def site_for(self, request):
        """The request's Site (or None), as Wagtail's Site.find_for_request finds it,
        looked up once per host and version. A copy: nothing one request sets on it
        reaches another."""
        key = (split_domain_port(request._get_raw_host())[0], request.get_port())
        if key in self.sites:
            site = self.sites[key]
        else:
            site = Site._find_for_request(request)
            if len(self.sites) < MAX_SITE_HOSTS:
                self.sites[key] = site
        return _site_copy(site)

    def route_for(self, *, site, path: str):
        """Wagtail's route result for `path` on `site`, in one query, or None when the
        map does not hold it (then Wagtail routes it itself)."""
        components = [component for component in path.split("/") if component]
        url_path = site.root_page.url_path + "".join(f"{c}/" for c in components)
        route = self.routes.get(url_path)
        if route is None:
            return None
        model = ContentType.objects.get_for_id(route.content_type_id).model_class()
        fetch = _page_fetch(model)
        page = fetch.fetch(route.page_id, url_path, route.guard_ids, self._kept(fetch))
        if page is None:
            return None
        page._route_unrestricted = route.unrestricted
        page._tree_unrestricted = not self.any_restriction
        page._route_guard_ids, page._route_version = route.guard_ids, self.version
        return RouteResult(page)

    def page_by_id(self, page_id: int, model, *, attnames=None):
        """The live page of type `model` this map routes by that id, with no view
        restriction on it or above it, fetched in one query as route_for fetches it
        (live, at its path, its course and module live), with only `attnames` loaded
        when given; or None (not in the map, another type, restricted, or not there to
        serve): then the caller asks the database as before."""
        url_path = self.url_paths.get(page_id)
        route = self.routes.get(url_path) if url_path is not None else None
        if (route is None or not route.unrestricted or route.content_type_id !=
                ContentType.objects.get_for_model(model, for_concrete_model=False).pk):
            return None
        fetch = _page_fetch(model, attnames)
        page = fetch.fetch(page_id, url_path, route.guard_ids, self._kept(fetch))
        if page is not None:
            page._route_unrestricted = route.unrestricted
            page._tree_unrestricted = not self.any_restriction
            page._route_guard_ids, page._route_version = route.guard_ids, self.version
        return page

    def course_for(self, page):
        """The live course above a page this map routed (from its guard ids), fetched
        once for this version, or None. A copy: nothing one request sets on it reaches
        another."""
        if getattr(page, "_route_version", None) != self.version or not page._route_guard_ids:
            return None
        course_id = page._route_guard_ids[0]
        course = self.courses.get(course_id)
        if course is None:
            course = (CoursePage.objects.filter(pk=course_id, live=True)
                      .select_related(*CoursePage.route_select_related).first())
            if course is None:
                return None
            if len(self.courses) >= MAX_COURSES_HELD:
                self.courses.clear()
            self.courses[course_id] = course
        return page_copy(course)


class PageFetch:
    """The one query that serves a routed page: the page of its own type with every
    column (and what it names in `route_select_related`), live, at that URL path, with no
    course or module above it unpublished. As the ORM would fetch it
    (`model.objects.filter(pk=..., live=True, url_path=...).select_related(...)`, guards
    excluded; tests/courses/test_routing_cache.py holds the two together), in SQL
    written once per page type from the models' own names (content.sql): the ORM spent
    longer building this query on every course URL than PostgreSQL spent running it.

    On PostgreSQL the page is also kept, by its rows' versions: each row's `xmin` (the
    transaction that wrote that version of it) and `ctid` (where that version is), which
    any change to a row replaces, however it is made (a save, `QuerySet.update`, SQL by
    hand). A fetch with a page kept from before asks for only those, with the same
    checks (live, at that path, nothing above it unpublished), and serves a copy of the
    kept page when they are unchanged: the row is not sent, nor its body's JSON parsed,
    nor the instance built (issue 15)."""

    def __init__(self, model, attnames=None):
        quote = connection.ops.quote_name
        tables, aliases = model_tables(model)
        self.columns = ModelColumns(model, aliases=aliases, attnames=attnames)
        self.related = []
        select = [self.columns.sql]
        versioned = list(dict.fromkeys(aliases.values()))
        # With `attnames` (a narrow fetch), only those columns and nothing related.
        related = () if attnames is not None else getattr(model, "route_select_related", ())
        for index, name in enumerate(related):
            relation = model._meta.get_field(name)
            other = relation.related_model
            if other._meta.get_parent_list():
                raise ValueError(f"route_select_related: {name} is a model with parents")
            alias = f"r{index}"
            columns = ModelColumns(other, aliases={other: alias})
            tables += (f" LEFT JOIN {quote(other._meta.db_table)} {alias}"
                       f" ON {alias}.{quote(other._meta.pk.column)}"
                       f" = {aliases[relation.model]}.{quote(relation.column)}")
            select.append(columns.sql)
            versioned.append(alias)
            self.related.append((relation, columns, columns.attnames.index(other._meta.pk.attname)))
        page = aliases[Page]
        pk = quote(Page._meta.pk.column)
        where = (f" FROM {tables} WHERE {page}.{pk} = %s AND {page}.live"
                 f" AND {page}.url_path = %s")
        guard = (f" AND NOT EXISTS (SELECT 1 FROM {quote(Page._meta.db_table)} guard"  # noqa: S608  # nosec B608
                 f" WHERE guard.{pk} %(guards)s AND NOT guard.live)")
        self.keeps = connection.vendor == "postgresql"
        if self.keeps:
            # Every row the page is made from: its own tables' and its related ones'
            # (a related row not there reads as empty).
            version = " || '/' || ".join(
                f"coalesce({alias}.xmin::text || ':' || {alias}.ctid::text, '')"
                for alias in versioned)
            select.insert(0, version)
            self.version_sql = f"SELECT {version}{where}"  # nosec B608
            self.version_guarded_sql = self.version_sql + guard
        self.sql = f"SELECT {', '.join(select)}{where}"  # nosec B608
        self.guarded_sql = self.sql + guard

    def _row(self, sql: str, guarded_sql: str, page_id: int, url_path: str, guard_ids):
        with connection.cursor() as cursor:
            if guard_ids:
                guards, ids = in_list(guard_ids)
                cursor.execute(guarded_sql.replace("%(guards)s", guards),
                               [page_id, url_path, *ids])
            else:
                cursor.execute(sql, [page_id, url_path])
            return cursor.fetchone()

    def fetch(self, page_id: int, url_path: str, guard_ids=(), kept: dict | None = None):
        """The page, or None when it is not there to serve. With `kept` (a dict held
        for the current course tree version), a page kept there from an earlier fetch
        is served as a copy when its rows are unchanged, and a page fetched afresh is
        kept there."""
        key = (page_id, url_path, guard_ids)
        held = kept.get(key) if kept is not None and self.keeps else None
        if held is not None:
            row = self._row(self.version_sql, self.version_guarded_sql, page_id, url_path,
                            guard_ids)
            if row is None:
                return None
            if row[0] == held[0]:
                return page_copy(held[1])
        row = self._row(self.sql, self.guarded_sql, page_id, url_path, guard_ids)
        if row is None:
            return None
        version, row = (row[0], row[1:]) if self.keeps else (None, row)
        start = len(self.columns)
        page = self.columns.instance(row[:start])
        for relation, columns, pk_index in self.related:
            values = row[start:start + len(columns)]
            start += len(columns)
            relation.set_cached_value(
                page, None if values[pk_index] is None else columns.instance(values))
        if self.keeps:
            # The version of the stored rows it was made from (content.cache keeps what
            # it works out of the body by it).
            page._row_version = version
        if kept is not None and self.keeps:
            if len(kept) >= MAX_PAGES_KEPT:
                kept.clear()
            kept[key] = (version, page)
            return page_copy(page)
        return page


def page_copy(page):
    """A copy of a kept page for one request: its own attributes and cached relations
    (what a request sets on it reaches no other), its field values shared, except that
    each StreamField value is a new one over the same stored data: its blocks are built
    for each request, as from a fresh fetch, since a block's value can hold what it
    read of other rows (a document's title, an image)."""
    copied = copy.copy(page)
    for name, value in page.__dict__.items():
        if isinstance(value, StreamValue) and value.is_lazy and value.raw_text is None:
            copied.__dict__[name] = StreamValue(value.stream_block, list(value.raw_data),
                                                is_lazy=True)
    return copied


_page_fetches: dict[tuple, PageFetch] = {}


def _page_fetch(model, attnames=None) -> PageFetch:
    key = (model, attnames)
    fetch = _page_fetches.get(key)
    if fetch is None:
        fetch = _page_fetches[key] = PageFetch(model, attnames)
    return fetch


_current: CourseTreeRoutes | None = None


def course_tree_routes(*, build: bool = True) -> CourseTreeRoutes | None:
    """The map for the current course tree version (worked out on the first request
    after a change), or None when the version cannot be read (or, with build=False,
    when this process has not worked out the current map yet)."""
    global _current
    version = course_tree_version()
    if version is None:
        return None
    current = _current
    if current is None or current.version != version:
        if not build:
            return None
        current = _routes_build(version)
        _current = current
    return current


def routed_page_and_course(page_id: int, model, *, attnames=None):
    """(page, its course) for a page of type `model` named by id, from the current map
    (CourseTreeRoutes.page_by_id; the course held with the map), in one query; or None:
    then the caller asks the database as before."""
    routes = course_tree_routes()
    if routes is None:
        return None
    page = routes.page_by_id(page_id, model, attnames=attnames)
    course = None if page is None else routes.course_for(page)
    return None if course is None else (page, course)


def page_url_kept(page, request) -> str | None:
    """`page.get_url(request)`, worked out once for the current map version, by the
    page, its URL path, the request's site (the map's) and the script prefix: every
    change to a page or a site makes a new version. None when there is no map or site
    to keep it by (then the caller asks Wagtail)."""
    site = getattr(request, "_wagtail_site", None)
    routes = course_tree_routes(build=False) if site is not None else None
    if routes is None:
        return None
    key = (page.pk, page.url_path, site.pk, get_script_prefix())
    url = routes.page_urls.get(key)
    if url is None:
        url = page.get_url(request=request) or ""
        if len(routes.page_urls) >= MAX_PAGES_KEPT:
            routes.page_urls.clear()
        routes.page_urls[key] = url
    return url


def routed_course(page):
    """The course above `page` from the current map, when the map routed it (see
    CourseTreeRoutes.course_for), or None: then the caller asks the database."""
    routes = course_tree_routes(build=False)
    return None if routes is None else routes.course_for(page)


def _routable_types() -> tuple[set[int], set[int]]:
    """(content types routed from the map, content types whose unpublished pages hide
    everything under them)."""
    models = [CataloguePage, CoursePage, ModulePage, LessonPage, AssessmentPage]
    # Only pages Wagtail routes in the ordinary way (or with issue 13's guard).
    models = [m for m in models if m.route in (Page.route, CourseTree.route)]
    types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    return ({types[m].pk for m in models},
            {types[m].pk for m in models if issubclass(m, CourseTree)})


def _routes_build(version: str) -> CourseTreeRoutes:
    routable, guarded = _routable_types()
    restricted = set(PageViewRestriction.objects.values_list("page__path", flat=True))
    # path -> (hidden: under an unpublished course or module, restricted or aliased,
    # the ids of the courses and modules down to it)
    above: dict[str, tuple[bool, bool, tuple[int, ...]]] = {}
    routes, url_paths = {}, {}
    for page_id, path, url_path, live, content_type_id, alias_of_id in (
        Page.objects.order_by("path").values_list(
            "id", "path", "url_path", "live", "content_type_id", "alias_of_id")
    ):
        hidden, limited, guards = above.get(path[: -Page.steplen], (False, False, ()))
        limited = limited or path in restricted or alias_of_id is not None
        if live and not hidden and content_type_id in routable:
            routes[url_path] = PageRoute(page_id, content_type_id, unrestricted=not limited,
                                         guard_ids=guards)
            url_paths[page_id] = url_path
        if content_type_id in guarded:
            hidden, guards = hidden or not live, (*guards, page_id)
        above[path] = (hidden, limited, guards)
    return CourseTreeRoutes(version=version, routes=routes, any_restriction=bool(restricted),
                            url_paths=url_paths)


def _site_copy(site):
    if site is None:
        return None
    site_copy = copy.copy(site)
    site_copy.root_page = copy.copy(site.root_page)
    return site_copy


# Paths the site's own URLs were seen to give to Wagtail's serve view, for a page the
# map holds (so no more than the pages there are, or the bound): resolved with
# settings.PAGES_FIRST_URLCONF from then on.
_served_paths: set[str] = set()
MAX_SERVED_PATHS = 10_000


class CourseRoutingMiddleware:
    """Gives Wagtail the request's Site from memory, and the route of a course URL it
    is about to serve from the course tree map (see the module's note). The map is
    worked out only for a request Wagtail serves: other views (the academy's own pages,
    the admin) take the Site from it when this process has it already.

    A path seen to resolve to Wagtail's serve view, for a page the map holds, is
    resolved with PAGES_FIRST_URLCONF from then on: the site's URLs with Wagtail's
    pattern first, so Django does not try every other pattern before it. The same
    patterns resolve the same path to the same view, so nothing else changes."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = not getattr(settings, "WAGTAIL_I18N_ENABLED", False)
        self.pages_first = getattr(settings, "PAGES_FIRST_URLCONF", None)

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        # The version read once, and held for the page's own outline reads.
        with course_tree_version_held():
            routes = course_tree_routes(build=False)
            if routes is not None:
                request._wagtail_site = routes.site_for(request)
                # Page.get_url reads this before Django's cache (one cache read less).
                request._wagtail_cached_site_root_paths = routes.site_root_paths_for_request()
                if (self.pages_first and request.path_info in _served_paths
                        and not hasattr(request, "urlconf")):
                    request.urlconf = self.pages_first
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (not self.enabled or view_func is not wagtail_serve
                or hasattr(request, "_wagtail_route_for_request")):
            return None
        routes = course_tree_routes()
        if routes is None:
            return None
        if getattr(request, "_wagtail_site", None) is None:
            request._wagtail_site = routes.site_for(request)
        site = request._wagtail_site
        if site is None:
            return None
        path = view_args[0] if view_args else view_kwargs.get("path", "")
        route = routes.route_for(site=site, path=path)
        if route is not None:
            request._wagtail_route_for_request = route
            if self.pages_first and not hasattr(request, "urlconf"):
                if len(_served_paths) >= MAX_SERVED_PATHS:
                    _served_paths.clear()
                _served_paths.add(request.path_info)
        return None
