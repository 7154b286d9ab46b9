# Issue 17 (SCORM runtime data): a learner's attempts at a SCORM package in a lesson.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0003_scorm_packages'),
        ('courses', '0008_course_followup_points'),
        ('learners', '0014_programmes'),
    ]

    operations = [
        migrations.CreateModel(
            name='ScormAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField()),
                ('cmi', models.JSONField(blank=True, default=dict)),
                ('completion_status', models.CharField(choices=[('unknown', 'Not reported'), ('not attempted', 'Not attempted'), ('incomplete', 'Incomplete'), ('completed', 'Completed')], default='unknown', max_length=20)),
                ('success_status', models.CharField(choices=[('unknown', 'Not reported'), ('passed', 'Passed'), ('failed', 'Failed')], default='unknown', max_length=20)),
                ('score_raw', models.DecimalField(blank=True, decimal_places=4, max_digits=12, null=True)),
                ('score_scaled', models.DecimalField(blank=True, decimal_places=6, max_digits=7, null=True)),
                ('score_percent', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('commits', models.PositiveIntegerField(default=0)),
                ('started_at', models.DateTimeField(auto_now_add=True)),
                ('committed_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('enrolment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scorm_attempts', to='learners.enrolment')),
                ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='courses.lessonpage')),
                ('package', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attempts', to='content.scormpackage')),
            ],
            options={
                'ordering': ['enrolment', 'lesson', 'package', 'number'],
                'constraints': [models.UniqueConstraint(fields=('enrolment', 'lesson', 'package', 'number'), name='one_scorm_attempt_per_number')],
            },
        ),
    ]
