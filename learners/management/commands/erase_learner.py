from django.core.management.base import BaseCommand, CommandError

from learners.models import User
from learners.privacy import learner_erase


class Command(BaseCommand):
    help = "Erase a person's personal data (UK GDPR). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No one has the email {email}")
        learner_erase(user=user)
        self.stdout.write(self.style.SUCCESS(f"Erased user {user.pk}."))
