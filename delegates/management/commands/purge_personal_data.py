import time

from django.core.management.base import BaseCommand

from delegates.retention import purge


class Command(BaseCommand):
    help = (
        "Blank passport data and anonymise personal data of the editions whose retention periods are over "
        "(each edition's settings), once or every --every seconds; --dry-run only says what would go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds until stopped.")

    def handle(self, *args, dry_run=False, every=0, **options):
        while True:
            self.run_once(dry_run=dry_run)
            if not every:
                return
            time.sleep(every)

    def run_once(self, *, dry_run: bool) -> None:
        """Purge once and print one line per edition touched."""
        done = purge(dry_run=dry_run)
        verb = "would purge" if dry_run else "purged"
        for result in done:
            self.stdout.write(
                f"{verb} {result.event.slug}: passport data of {result.passports} registrations, "
                f"{result.registrations} registrations anonymised, {result.accounts} accounts anonymised, "
                f"{result.traces} copies erased elsewhere"
            )
        if not done:
            self.stdout.write("nothing to purge")
