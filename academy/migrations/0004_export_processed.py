from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("academy", "0003_export_attempts")]

    operations = [
        migrations.RenameField("export", "rows_written", "processed"),
    ]
