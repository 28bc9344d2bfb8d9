from django.core.cache import cache
from django.db.models import QuerySet

from stockyard.accounts.models import User
from stockyard.accounts.roles import Role
from stockyard.imports.enums import ImportStatus
from stockyard.imports.models import Import
from stockyard.imports.services import progress_key


def import_list(*, user: User) -> QuerySet[Import]:
    """The user's imports, newest first; administrators see everyone's."""
    imports = Import.objects.select_related("owner").order_by("-id")
    return imports if Role.ADMIN in user.roles else imports.filter(owner=user)


def import_progress(job: Import) -> int:
    """Rows applied so far: counted while it runs, all of them once it is done."""
    if job.status == ImportStatus.RUNNING:
        return int(cache.get(progress_key(job.pk), 0))
    if job.status == ImportStatus.DONE:
        return job.rows_total or 0
    return 0
