"""THE_BOT's backend stand-in: a Django project that honours the chart's contract, for tests on kind."""
from .celery import app as celery_app

__all__ = ("celery_app",)
