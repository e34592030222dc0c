"""The Celery app: reads the CELERY_* Django settings and finds tasks in apps/<app>/tasks.py.

Each app may declare its periodic tasks in `apps/<app>/schedule.py` as a `BEAT_SCHEDULE` dict;
they are merged into the beat schedule here, so no app edits the settings of another.
"""

import importlib
import importlib.util
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.local")

app = Celery("esmart")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def collect_beat_schedules(sender, **kwargs):
    from django.conf import settings

    schedule = dict(sender.conf.beat_schedule or {})
    for app_module in settings.INSTALLED_APPS:
        module_name = f"{app_module}.schedule"
        if app_module.startswith(("apps.", "esmart.")) and importlib.util.find_spec(module_name):
            schedule.update(importlib.import_module(module_name).BEAT_SCHEDULE)
    sender.conf.beat_schedule = schedule
