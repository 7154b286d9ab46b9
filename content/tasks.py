"""Celery tasks of the content app: thin, over content.cache."""

import logging

from celery import shared_task

from content.cache import lesson_body_warm, lessons_using

logger = logging.getLogger(__name__)


@shared_task
def lesson_bodies_warm_for_term(forms: list[str]) -> int:
    """Rebuild the linked body of every live lesson that uses a glossary term (any of
    its forms, old or new), so the first learner after a glossary change does not pay
    for linking. Idempotent: a second run stores the same bodies again. Returns how
    many were stored."""
    warmed = sum(lesson_body_warm(page) for page in lessons_using(forms))
    logger.info("lesson bodies warmed after a glossary change", extra={"warmed": warmed})
    return warmed
