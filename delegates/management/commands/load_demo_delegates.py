from django.core.management.base import BaseCommand

from delegates.demo import load_demo_delegates


class Command(BaseCommand):
    help = "Register invented sample delegates for the sample edition (idempotent)."

    def handle(self, *args, **options):
        created = load_demo_delegates()
        self.stdout.write(f"Sample delegates: {created} new.")
