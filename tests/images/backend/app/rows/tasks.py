"""Celery tasks: one the backend sends (record), one beat schedules (tick); both write a row."""
import socket

from celery import shared_task

from .models import Row, Tick


@shared_task
def record(text):
    return Row.objects.create(text=text, source="celery").pk


@shared_task
def tick():
    return Tick.objects.create(hostname=socket.gethostname()).pk
