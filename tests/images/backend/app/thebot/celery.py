"""The Celery app the chart's worker and beat start (celery --app=thebot)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thebot.settings")
app = Celery("thebot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
