# Issue 17 (xAPI LRS settings). Placeholder made before the work started, so that the parts of the
# issue built side by side each fill a migration of their own in one chain.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('academy', '0008_export_scope_paths'),
    ]

    operations = []
