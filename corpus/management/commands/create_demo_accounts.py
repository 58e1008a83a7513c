from django.core.management.base import BaseCommand

from corpus.demo import demo_accounts_create
from crosscheck.roles import ROLES


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo users annotator, reviewer and editor. Their password is "
        "DEMO_PASSWORD when set, else a new random one; it is printed."
    )

    def handle(self, *args, **options):
        password = demo_accounts_create()
        self.stdout.write("Demo accounts (username / password):")
        for role in ROLES:
            self.stdout.write(f"  {role:<10} / {password}")
