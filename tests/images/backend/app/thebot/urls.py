"""The endpoints the probes and the tests call."""
from django.urls import path

from rows import views

urlpatterns = [
    path("api/health/", views.health),
    path("api/rows/", views.rows),
    path("api/tasks/", views.tasks),
    path("api/info/", views.info),
]
