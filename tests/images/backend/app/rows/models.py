"""What the tests write and read back: rows (through the backend or the worker) and beat's ticks."""
from django.db import models


class Row(models.Model):
    text = models.CharField(max_length=200)
    source = models.CharField(max_length=20, default="backend")
    created = models.DateTimeField(auto_now_add=True)


class Tick(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    hostname = models.CharField(max_length=100)
