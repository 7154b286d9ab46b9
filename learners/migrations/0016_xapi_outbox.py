# Issue 17 (xAPI outbox): the LRS settings, each learner's name in the LRS, and the
# outbox of statements waiting to be sent.

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import learners.models.xapi


class Migration(migrations.Migration):

    dependencies = [
        ('learners', '0015_scorm_attempts'),
    ]

    operations = [
        migrations.CreateModel(
            name='LrsSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=False, help_text='When this is off, nothing learners do is queued for the LRS.', verbose_name='Send xAPI statements')),
                ('endpoint', models.URLField(blank=True, help_text='The address your LRS gives for xAPI, like https://lrs.example.gov.uk/xapi/', max_length=500, validators=[learners.models.xapi.validate_lrs_endpoint], verbose_name='LRS endpoint')),
                ('key', models.CharField(blank=True, max_length=200, verbose_name='Key (username)')),
                ('secret', models.CharField(blank=True, help_text='Never shown again once saved. Leave blank to keep the one saved.', max_length=500, verbose_name='Secret (password)')),
            ],
            options={
                'verbose_name': 'Learning record store (xAPI)',
            },
        ),
        migrations.CreateModel(
            name='XapiActor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('account_name', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='xapi_actor', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='XapiStatement',
            fields=[
                ('id', models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ('verb', models.CharField(max_length=20)),
                ('statement', models.JSONField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
                ('rejected_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.CharField(blank=True, max_length=500)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(condition=models.Q(('delivered_at__isnull', True), ('rejected_at__isnull', True)), fields=['next_attempt_at', 'created_at'], name='xapi_statement_pending')],
            },
        ),
    ]
