"""Health (the probes), rows (write and read), tasks (send to the worker), info (what is applied)."""
import json

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Row, Tick
from .tasks import record


def health(request):
    """Ready only when PostgreSQL answers and the migration job's tables are there."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM rows_row")
    except Exception as error:  # noqa: BLE001 - any failure means not ready, said in the body
        return JsonResponse({"status": "unavailable", "error": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok"})


@csrf_exempt
def rows(request):
    if request.method == "POST":
        row = Row.objects.create(text=json.loads(request.body)["text"])
        return JsonResponse({"id": row.pk}, status=201)
    return JsonResponse({"rows": list(Row.objects.order_by("pk").values("id", "text", "source"))})


@csrf_exempt
def tasks(request):
    if request.method != "POST":
        return JsonResponse({"error": "POST a {\"text\": ...}"}, status=405)
    result = record.delay(json.loads(request.body)["text"])
    return JsonResponse({"task": result.id}, status=202)


def info(request):
    applied = MigrationRecorder.Migration.objects.filter(app="rows").order_by("applied")
    return JsonResponse({"migrations": sorted(f"rows.{m.name}" for m in applied),
                         "applied": {f"rows.{m.name}": m.applied.isoformat() for m in applied},
                         "ticks": Tick.objects.count(),
                         "tables": sorted(connection.introspection.table_names())})
