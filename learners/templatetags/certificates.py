"""Template filters for a certificate that must be renewed (issue 17)."""

from django import template

from learners.services.certificate_expiry import certificate_renewal_open

register = template.Library()


@register.filter
def renewal_open(certificate) -> bool:
    """Whether the learner may start the course again to renew this certificate (it
    runs out within the reminder window, or has)."""
    if not certificate:  # none yet: a template reads a missing one as ""
        return False
    return certificate_renewal_open(certificate=certificate)
