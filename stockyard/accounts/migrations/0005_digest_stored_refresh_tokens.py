"""Refresh tokens recorded before accounts.tokens stored digests: keep digests only."""

import hashlib

from django.db import migrations

DIGEST_PREFIX = "sha256:"


def digest_tokens(apps, schema_editor):
    OutstandingToken = apps.get_model("token_blacklist", "OutstandingToken")
    plain = OutstandingToken.objects.exclude(token__startswith=DIGEST_PREFIX)
    for row in plain.only("id", "token").iterator():
        row.token = DIGEST_PREFIX + hashlib.sha256(row.token.encode()).hexdigest()
        row.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_token_epoch"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [migrations.RunPython(digest_tokens, migrations.RunPython.noop)]
