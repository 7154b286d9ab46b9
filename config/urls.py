from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import never_cache
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.admin.urls import display_custom_404
from wagtail.documents import urls as wagtaildocs_urls

from academy.media import RENDITIONS, rendition_serve
from academy.page_editor import page_create
from academy.views import healthz, my_learning
from content.views import glossary

# Django's own 400s (a bad Host, too many fields) on the service's error page.
handler400 = "config.input_hygiene.bad_request"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("glossary/", glossary, name="glossary"),
    path("my-learning/", my_learning, name="my_learning"),
    path("", include("learners.urls")),
    path("", include("academy.urls")),
    path("django-admin/", admin.site.urls),
    # Wagtail's add-page view, safe against autosave and "Save draft" at once
    # (academy.page_editor); the same address, so Wagtail's own links reach it.
    path("admin/pages/add/<slug:content_type_app_name>/<slug:content_type_model_name>/"
         "<int:parent_page_id>/",
         never_cache(display_custom_404(require_admin_access(page_create))),  # as Wagtail's
         name="page_create"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Lesson pictures (Wagtail's renditions), in every mode; nothing else under /media/.
    path(f"{settings.MEDIA_URL.strip('/')}/{RENDITIONS}/<path:path>", rendition_serve,
         name="rendition_serve"),
]

# No other /media/ route, with DEBUG on or off: certificates and exports are kept there
# but leave only through their own views, which check who is asking (learners.storage).

if settings.BENCH_VIEWS:  # the benchmark harness's baselines (bench/README.md); only it sets this
    from bench import views as bench_views  # bench/ is on the repo root, not an app

    urlpatterns += [
        path("bench/bare/", bench_views.bare_page),
        path("bench/static/", bench_views.static_page),
        path("bench/insert/", bench_views.one_insert),
    ]

urlpatterns += [path("", include(wagtail_urls))]
