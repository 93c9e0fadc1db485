"""The Celery application: background tasks on the Redis that also serves as the cache.

Settings come from Django's (the CELERY_ names in settings.py). Tasks live in each app's
`tasks.py`. A worker is started with `celery -A appear_site worker`, the daily schedule with
`celery -A appear_site beat`; without a broker (`make run`, the tests) tasks run in-process.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appear_site.settings")

app = Celery("appear_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # At 03:30 each night, when nobody is writing reflections.
    "apply-retention-daily": {
        "task": "datarights.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    # The workshops app's own deletion of participants (WORKSHOP_PARTICIPANT_RETENTION_DAYS).
    "purge-workshop-participants-daily": {
        "task": "datarights.tasks.purge_workshop_participants",
        "schedule": crontab(hour=3, minute=40),
    },
}
