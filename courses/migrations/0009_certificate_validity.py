# Issue 17 (certificate expiry): how long a course's certificate is valid.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0008_course_followup_points'),
    ]

    operations = [
        migrations.AddField(
            model_name='coursepage',
            name='certificate_valid_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Optional. For learning people must renew: for example 12 for a year. Leave empty if the certificate does not run out. A certificate is valid until the day before the same date that many months after the learner completed the course. If you change this, certificates already issued keep the date they have.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='certificate valid for (months)'),
        ),
    ]
