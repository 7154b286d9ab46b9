# Issue 17 (Open Badges 3.0). Placeholder made before the work started, so that the parts of the
# issue built side by side each fill a migration of their own in one chain.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('learners', '0016_xapi_outbox'),
    ]

    operations = []
