"""The WSGI application gunicorn serves: Django behind esmart.serving.ServingApplication, which
refuses a network over its hasher allowance before Django and reads request bodies under the read
timeout (docs/deployment.md "Production serving")."""

import os

from django.core.wsgi import get_wsgi_application

from esmart.serving import ServingApplication

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.local")

application = ServingApplication(get_wsgi_application())
