"""Each certificate's fixed bit in the academy's Open Badges revocation list (issue 17).

The lists follow W3C Bitstring Status List v1.0: 131,072 bits each (its minimum, so that
one list hides who is on it among many), a certificate's bit chosen at random within
the list being filled (not in issue order, which would tell a reader when a badge was
issued and whose neighbours are revoked). A list is filled to half at most, then the
next list is used. The unique constraint on the column makes two certificates sharing a
bit impossible; a clash between two issuing at once is tried again with another bit."""

import secrets

from django.db import IntegrityError, transaction

from learners.models import Certificate

LIST_SIZE = 131_072
LIST_FILL = LIST_SIZE // 2
_TRIES_PER_LIST = 20


def badge_status_position(*, index: int) -> tuple[int, int]:
    """Which list (numbered from 1) a certificate's index is in, and its bit in it."""
    return index // LIST_SIZE + 1, index % LIST_SIZE


def badge_status_allocate(*, certificate_id: int) -> int:
    """Give the certificate its bit and the salt of its hashed email, once; returns its
    index. Running it again, or twice at once, changes nothing."""
    rng = secrets.SystemRandom()
    rows = Certificate.objects.filter(pk=certificate_id)
    current = rows.values_list("badge_status_index", flat=True).get()
    if current is not None:
        return current
    list_number = Certificate.objects.filter(badge_status_index__isnull=False).count() // LIST_FILL
    while True:
        start = list_number * LIST_SIZE
        for _ in range(_TRIES_PER_LIST):
            index = start + rng.randrange(LIST_SIZE)
            try:
                with transaction.atomic():
                    updated = rows.filter(badge_status_index__isnull=True).update(
                        badge_status_index=index, badge_salt=secrets.token_hex(16))
            except IntegrityError:  # another certificate has this bit: try another
                continue
            if updated:
                return index
            # Given one meanwhile, by another run of this for the same certificate.
            return rows.values_list("badge_status_index", flat=True).get()
        list_number += 1  # this list is fuller than it should be: use the next
