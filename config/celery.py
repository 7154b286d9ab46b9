"""The Celery app, in the pattern of Celery's Django example
(celery/examples/django/proj/celery.py): settings come from Django's, namespaced CELERY_."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("academy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
