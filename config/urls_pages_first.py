"""The site's URLs (config.urls) with Wagtail's page pattern tried first.

Django tries a request's path against each pattern in turn, and Wagtail's pattern for
its pages is the last of about eighty: for a course page, a tenth of the work of
routing it (issue 15). A request whose path the site's own URLs were seen to give to
Wagtail, and which the course tree map holds, is resolved here instead
(courses.routing.CourseRoutingMiddleware sets it as the request's urlconf), so it
matches at once and reaches the same view with the same arguments. Every name reverses
as in config.urls, and the error handlers are its own."""

from wagtail import urls as wagtail_urls

from config.urls import handler400
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "urlpatterns"]

urlpatterns = [
    *[pattern for pattern in wagtail_urls.urlpatterns
      if getattr(pattern, "name", None) == "wagtail_serve"],
    *site_urlpatterns,
]
