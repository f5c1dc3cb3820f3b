"""Settings from the chart's ConfigMap and Secret only: nothing here knows where the databases are."""
import os
from urllib.parse import unquote, urlsplit

env = os.environ
SECRET_KEY = env["SECRET_KEY"]
DEBUG = env.get("DEBUG") == "True"
ALLOWED_HOSTS = [host for host in env.get("ALLOWED_HOSTS", "").split(",") if host]
ENVIRONMENT = env.get("ENVIRONMENT", "")

database = urlsplit(env["DATABASE_URL"])
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": database.hostname,
        "PORT": database.port or 5432,
        "NAME": database.path.lstrip("/"),
        "USER": unquote(database.username or ""),
        "PASSWORD": unquote(database.password or ""),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 5},
    }
}

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.staticfiles", "rows"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "thebot.urls"
WSGI_APPLICATION = "thebot.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
STATIC_ROOT = "/app/staticfiles"
MEDIA_ROOT = "/app/media"

CELERY_BROKER_URL = env["REDIS_URL"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The beat schedule the tests wait for: often, so one fires within a test's patience.
CELERY_BEAT_SCHEDULE = {"tick": {"task": "rows.tasks.tick", "schedule": 10.0}}

LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
}
