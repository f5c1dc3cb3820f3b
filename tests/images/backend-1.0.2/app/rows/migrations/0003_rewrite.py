"""Tag 1.0.2's data migration: it rewrites every row (its text in capitals, its source "1.0.2"). A rollback leaves
the rows rewritten, as Django and Helm do; a restore of a backup taken before it puts them back (molecule's backup
scenario). Restored under 1.0.2 itself, a 1.0.0 backup is rewritten again by this migration."""
from django.db import migrations
from django.db.models.functions import Upper


def rewrite(apps, schema_editor):
    apps.get_model("rows", "Row").objects.update(text=Upper("text"), source="1.0.2")


class Migration(migrations.Migration):
    dependencies = [("rows", "0002_note")]
    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
