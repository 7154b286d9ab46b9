# Issue 17 (Open Badges 3.0): each certificate's fixed bit in the revocation status list
# and the salt of its hashed email; certificates issued before get theirs here.

import secrets

from django.db import migrations, models

# As learners.services.badge_status: lists of 131,072 bits (the W3C minimum), each
# filled to half at most, so that a bit says little about who holds it.
LIST_SIZE = 131_072
LIST_FILL = LIST_SIZE // 2


def allocate_existing(apps, schema_editor):
    """Random, distinct bits for the certificates already issued, list by list."""
    Certificate = apps.get_model("learners", "Certificate")
    pending = list(Certificate.objects.filter(badge_status_index__isnull=True).order_by("pk"))
    taken = set(Certificate.objects.filter(badge_status_index__isnull=False)
                .values_list("badge_status_index", flat=True))
    rng = secrets.SystemRandom()
    list_number = 0
    while pending:
        start = list_number * LIST_SIZE
        in_list = sum(1 for i in taken if start <= i < start + LIST_SIZE)
        room = max(0, LIST_FILL - in_list)
        free = [i for i in range(start, start + LIST_SIZE) if i not in taken]
        chosen = rng.sample(free, min(room, len(pending), len(free)))
        for certificate, index in zip(pending[:len(chosen)], chosen, strict=True):
            certificate.badge_status_index = index
            certificate.badge_salt = secrets.token_hex(16)
            taken.add(index)
        Certificate.objects.bulk_update(pending[:len(chosen)],
                                        ["badge_status_index", "badge_salt"], batch_size=1000)
        pending = pending[len(chosen):]
        list_number += 1


class Migration(migrations.Migration):

    dependencies = [
        ('learners', '0016_xapi_outbox'),
    ]

    operations = [
        migrations.AddField(
            model_name='certificate',
            name='badge_status_index',
            field=models.PositiveIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='certificate',
            name='badge_salt',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.RunPython(allocate_existing, migrations.RunPython.noop),
    ]
