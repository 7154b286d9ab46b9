# Issue 17 (certificate expiry): a certificate's last valid day, when its learner was
# reminded that it runs out, and an index for the reminders and HR's expiry filter.

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
        migrations.AddField(
            model_name='certificate',
            name='expiry_reminder_sent_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='certificate',
            index=models.Index(fields=['expires_on'], name='certificate_expires_idx'),
        ),
    ]
