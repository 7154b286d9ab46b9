from django.core.management.base import BaseCommand

from academy.setup import academy_roles_ensure, academy_site_ensure


class Command(BaseCommand):
    help = "Create the academy's site, top pages and roles. Safe to run again."

    def handle(self, *args, **options):
        academy_site_ensure()
        academy_roles_ensure()
        self.stdout.write(self.style.SUCCESS("Academy site and roles are in place."))
