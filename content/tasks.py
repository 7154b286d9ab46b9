"""Celery tasks of the content app: thin, over content.cache."""

import logging

from celery import shared_task

from content.cache import body_version, lesson_body_warm, lessons_using
from content.scorm import package_files_orphaned_remove

logger = logging.getLogger(__name__)


@shared_task
def lesson_bodies_warm_for_term(forms: list[str], version: int | None = None) -> int:
    """Rebuild the linked body of every live lesson that uses a glossary term (any of
    its forms, old or new), so the first learner after a glossary change does not pay
    for linking. `version` is the body version the change made: if another change has
    moved it on since, this one's work would be stored under a stale key, and the later
    change's own task does it instead (a glossary loaded term by term warms once, not
    once a term). Idempotent. Returns how many were stored."""
    warmed = 0
    for page in lessons_using(forms):
        if version is not None and body_version() != version:
            break
        warmed += lesson_body_warm(page)
    logger.info("lesson bodies warmed after a glossary change", extra={"warmed": warmed})
    return warmed


@shared_task
def scorm_files_orphaned_remove() -> int:
    """Beat: delete the files of SCORM packages that were never saved (an upload whose
    process was killed part-way); see content.scorm.package_files_orphaned_remove."""
    return package_files_orphaned_remove()
