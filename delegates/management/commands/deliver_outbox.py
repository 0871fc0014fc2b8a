import time

from django.core.management.base import BaseCommand

from delegates.outbox import deliver_due, purge_old


class Command(BaseCommand):
    help = (
        "Send the outbox messages that are due and delete old ones (FORUM_OUTBOX_RETENTION_DAYS), "
        "once or every --every seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds until stopped.")

    def handle(self, *args, every=0, **options):
        while True:
            result = deliver_due()
            if result["sent"] or result["failed"] or not every:
                self.stdout.write(f"sent {result['sent']}, failed {result['failed']}")
            deleted = purge_old()
            if deleted:
                self.stdout.write(f"deleted {deleted} old messages")
            if not every:
                return
            time.sleep(every)
