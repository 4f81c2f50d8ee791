import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from practices.contributions.groups import contributors_group, reviewers_group


class Command(BaseCommand):
    help = (
        "Create a contributor (submits practices on the public site, no admin) or a reviewer "
        "(a staff account in the Reviewers group: reviews in the admin's review queue, edits "
        "nothing). The password is asked for, or read from ACCOUNT_PASSWORD when there is no "
        "terminal. Curators: create_curator."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=["contributor", "reviewer"], required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called “{username}” already exists.")
        password = os.environ.get("ACCOUNT_PASSWORD") or self.ask_password()
        user = User(username=username, email=email, is_staff=(role == "reviewer"))
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        user.set_password(password)
        user.save()
        user.groups.add(reviewers_group() if role == "reviewer" else contributors_group())
        where = "the review queue at /admin/" if role == "reviewer" else "/account/sign-in/"
        self.stdout.write(
            self.style.SUCCESS(f"{role.capitalize()} “{username}” created. Sign in at {where}.")
        )

    def ask_password(self):
        if not os.isatty(0):
            raise CommandError("No terminal to ask for a password: set ACCOUNT_PASSWORD.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return password
