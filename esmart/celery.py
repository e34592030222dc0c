"""The Celery app: reads the CELERY_* Django settings and finds tasks in apps/<app>/tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.local")

app = Celery("esmart")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
