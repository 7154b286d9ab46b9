# Issue 17 (certificate expiry). Placeholder made before the work started, so that the parts of the
# issue built side by side each fill a migration of their own in one chain.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0008_course_followup_points'),
    ]

    operations = []
