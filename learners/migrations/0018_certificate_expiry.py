# Issue 17 (certificate expiry). Placeholder made before the work started, so that the parts of the
# issue built side by side each fill a migration of their own in one chain.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('learners', '0017_open_badges'),
    ]

    operations = [
        migrations.AddField(
            model_name='certificate',
            name='expires_on',
            field=models.DateField(blank=True, null=True),
        ),
    ]
