"""The Content Security Policy, with one exception for the Wagtail editor's preview."""

from csp.middleware import CSPMiddleware, PolicyParts


class AcademyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, except that a Wagtail preview may be framed by this site.

    Wagtail renders a preview by sending a made-up request for the page's public address
    (``/courses/…``, not ``/admin/…``) through the whole middleware stack, so the
    admin's exclusion from the policy does not reach it and the public pages'
    ``frame-ancestors 'none'`` stops the editor's preview panel (an iframe on /admin/)
    from showing it. Wagtail marks that request ``is_preview``; only then is framing by
    the same origin allowed. Every other directive stays as it is, and every real
    request to a page keeps ``frame-ancestors 'none'``.
    https://django-csp.readthedocs.io/en/latest/configuration.html#middleware
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if getattr(request, "is_preview", False) and getattr(request, "is_dummy", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts
