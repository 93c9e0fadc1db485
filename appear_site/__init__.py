"""The project package. The Celery app is loaded with Django so `shared_task` finds it."""

from appear_site.celery import app as celery_app

__all__ = ["celery_app"]
