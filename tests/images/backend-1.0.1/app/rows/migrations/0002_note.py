"""Tag 1.0.1's new migration: a table the upgrade must create (and a rollback leaves in place, as Django does)."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rows", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("text", models.CharField(max_length=200)),
            ],
        ),
    ]
