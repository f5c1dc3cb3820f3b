"""Tag 1.0.1-broken's migration: creates a table, then fails. PostgreSQL runs it in one transaction, so nothing of
it may remain: no rows_broken table, no 0002 in django_migrations."""
from django.db import migrations, models


def fail(apps, schema_editor):
    raise RuntimeError("fixture: this migration fails on purpose")


class Migration(migrations.Migration):
    dependencies = [("rows", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="Broken",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False))],
        ),
        migrations.RunPython(fail),
    ]
