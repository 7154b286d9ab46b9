from django.core.management.base import BaseCommand

from academy.demo_loader import DEMO_PASSWORD, demo_academy_load


class Command(BaseCommand):
    help = (
        "Load the demo academy: courses, glossary, organisations and demo users. "
        "Safe to run again."
    )

    def handle(self, *args, **options):
        users = demo_academy_load()
        self.stdout.write(self.style.SUCCESS("Demo academy loaded."))
        self.stdout.write(f"Demo sign-ins (password for each: {DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.role:<8} {user.email}")
