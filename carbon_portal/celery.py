"""Celery application. Without CELERY_BROKER_URL the tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbon_portal.settings")

app = Celery("carbon_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
