import getpass
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from practices.curators import ensure_curators_group


class Command(BaseCommand):
    help = (
        "Create a curator: a staff account in the Curators group, able to curate practices in "
        "the admin but not to manage users. The password is asked for, or read from the "
        "CURATOR_PASSWORD environment variable when there is no terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called “{username}” already exists.")
        password = os.environ.get("CURATOR_PASSWORD") or self.ask_password()
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        user.set_password(password)
        user.save()
        user.groups.add(ensure_curators_group())
        self.stdout.write(
            self.style.SUCCESS(
                f"Curator “{username}” created (group {settings.CURATORS_GROUP}). Log in at /admin/."
            )
        )

    def ask_password(self):
        if not os.isatty(0):
            raise CommandError("No terminal to ask for a password: set CURATOR_PASSWORD.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
