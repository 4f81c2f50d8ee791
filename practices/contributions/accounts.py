"""Contributor accounts: sign-up confirmed by a link sent by email.

The link carries a token in the manner of Django's password-reset links
(``PasswordResetTokenGenerator``): signed with SECRET_KEY, valid PASSWORD_RESET_TIMEOUT,
and bound to the account's state (active or not, password, last sign-in), so it works
once. Nothing is stored for it.
"""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from practices.contributions.groups import contributors_group


class ConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "contributions.accounts.ConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        # Activating the account changes the hash: a used link stops working.
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


confirmation_tokens = ConfirmationTokenGenerator()


def confirmation_path(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("contributions:confirm", args=[uid, confirmation_tokens.make_token(user)])


@transaction.atomic
def may_sign_up(request):
    """Whether this address may have another confirmation email sent: at most
    SIGN_UPS_PER_HOUR an hour, so that the form cannot be used to send mail to strangers
    in bulk. Counted in the cache (shared by the processes when CACHE_URL is Redis), with
    the client address django-axes reads (behind TRUSTED_PROXY_COUNT proxies)."""
    key = f"sign-ups:{get_client_ip_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= settings.SIGN_UPS_PER_HOUR
    except ValueError:  # expired between add and incr: a new hour
        cache.set(key, 1, timeout=3600)
        return True


def sign_up(form, request):
    """An inactive contributor account and the email that confirms it."""
    user = form.save(commit=False)
    user.is_active = False
    user.is_staff = False
    user.save()
    user.groups.add(contributors_group())
    link = request.build_absolute_uri(confirmation_path(user))
    body = (
        f"Hello {user.get_username()},\n\n"
        "Confirm your address to start contributing practices to the Migration Practices "
        f"Knowledge Base:\n\n{link}\n\n"
        f"The link works for {settings.PASSWORD_RESET_TIMEOUT // 3600} hours. If you did not "
        "sign up, ignore this email."
    )
    transaction.on_commit(
        lambda: send_mail("Confirm your contributor account", body, None, [user.email], fail_silently=False)
    )
    return user


def confirm(uidb64, token):
    """The account the link confirms, now active; None for a bad, used or expired link."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = get_user_model().objects.filter(pk=pk, is_staff=False).first()
    if user is None or not confirmation_tokens.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def create_contributor(username, email, password):
    """An active contributor made by staff (manage.py create_account)."""
    user = get_user_model().objects.create_user(username, email=email, password=password, is_staff=False)
    user.groups.add(contributors_group())
    return user


def is_contributor(user):
    return user.is_authenticated and user.groups.filter(name=settings.CONTRIBUTORS_GROUP).exists()
