"""The parts of the completion report kept in the cache (issue 15): the filter form,
the summary figures and the completion tables, as markup. Writing them was most of a
view once the figures themselves were kept (selectors.report_figures_get).

Every part is kept under the figures' key, which is per viewer, their scope, the
filters, the newest enrolment and the day, so no one is ever shown a part written for
another, and a new enrolment writes them afresh at once, as it does the figures:

- the summary and the tables also under the figures' `as_of`: worked out again (when
  they run out), they are written again; and under what else they show (the group size
  below which counts are hidden, the figures' lifetime in words, and for the tables'
  links the query string's other choices);
- the filter form under the query string (its choices) and filter_choices_version (a
  course published, unpublished or renamed, a grade or profession changed), and only
  when the form is valid: a form with errors is always written afresh.

Nothing is kept when REPORT_CACHE_SECONDS is 0 (the tests' setting), nor the records
table (always read afresh), nor anything with the CSRF token (the export form)."""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from academy.reports.filters import filter_choices_version

PARTS = {
    "filters_html": "academy/reports/report_filters.html",
    "summary_html": "academy/reports/figures_summary.html",
    "tables_html": "academy/reports/figures_tables.html",
}


def _key(figures_key: str, part: str, *what) -> str:
    digest = hashlib.sha256(json.dumps([figures_key, *what], default=str).encode())
    # Named as the figures are, so that what clears them (bench.run's report_afresh)
    # clears these too.
    return f"report-figures-part:{part}:{digest.hexdigest()}"


def _keys(context: dict) -> dict[str, str | None]:
    """Each part's key, or None for a part not to be kept."""
    figures_key = context.get("figures_key")  # absent: the form has errors
    if not settings.REPORT_CACHE_SECONDS or not figures_key:
        return dict.fromkeys(PARTS)
    as_of = context["as_of"].isoformat()
    version = filter_choices_version()  # None: the cache cannot be read
    return {
        "filters_html": version and _key(figures_key, "filters", version,
                                         context["page_query"]),
        "summary_html": _key(figures_key, "summary", as_of, context["threshold"],
                             context["figures_minutes"]),
        "tables_html": _key(figures_key, "tables", as_of, context["threshold"],
                            context["elsewhere_query"]),
    }


def report_parts(context: dict) -> dict[str, SafeString]:
    """The parts the page shows, from the cache or written now (and then kept): the
    filter form always, the figures' parts when there are figures. One cache read."""
    keys = _keys(context)
    wanted = [name for name in PARTS if name == "filters_html" or "summary" in context]
    kept_keys = [keys[name] for name in wanted if keys[name]]
    kept = cache.get_many(kept_keys) if kept_keys else {}
    parts, new = {}, {}
    for name in wanted:
        html = kept.get(keys[name])
        if html is None:
            html = render_to_string(PARTS[name], context)
            if keys[name]:
                new[keys[name]] = html
        # Our own templates' output, kept as it was written.
        parts[name] = mark_safe(html)  # noqa: S308  # nosec B308 B703
    if new:
        cache.set_many(new, settings.REPORT_CACHE_SECONDS)
    return parts
