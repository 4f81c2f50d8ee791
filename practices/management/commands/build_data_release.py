"""Build the next numbered release of the published knowledge base for /data/."""

import time

from django.core.management.base import BaseCommand

from practices.opendata import releases


class Command(BaseCommand):
    help = (
        "Write the next numbered release (JSON, CSV zip, change list, checksums) under "
        "DATA_RELEASES_DIR. Nothing is written when nothing changed since the latest release."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url", help="The site's address in the release's URLs (default: SITE_URL)."
        )
        parser.add_argument("--force", action="store_true", help="Build a release even if nothing changed.")

    def handle(self, *args, site_url=None, force=False, **options):
        began = time.perf_counter()
        release = releases.build_release(site_url=site_url, force=force)
        took = time.perf_counter() - began
        if release is None:
            latest = releases.latest_release()
            self.stdout.write(
                f"Nothing changed since release {latest.number}: no new release ({took:.1f} s)."
            )
            return
        manifest = release.manifest
        changes = manifest["changes"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Release {release.number}: {manifest['counts']['practices']} practices, "
                f"{changes['added']} added, {changes['changed']} changed, {changes['removed']} removed "
                f"since the previous release, in {release.path} ({took:.1f} s)."
            )
        )
