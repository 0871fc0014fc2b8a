import datetime

from django.core.management.base import BaseCommand

from events.demo import load_demo


class Command(BaseCommand):
    help = "Load the 8th China–Central Asia Cooperation Forum and an upcoming sample edition (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Pretend today is this date (YYYY-MM-DD) when placing the sample edition.",
        )

    def handle(self, *args, today=None, **options):
        editions = load_demo(today=today)
        for event in editions.values():
            self.stdout.write(f"{event.title} [{event.get_status_display()}] /events/{event.slug}/")
