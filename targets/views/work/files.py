"""An evidence file's download: only for those who may read a report that points to it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from ... import policy
from ...evidence import evidence_response
from ...models import EvidenceFile


@login_required
@require_GET
def evidence_download(request: HttpRequest, file_id: int) -> FileResponse:
    """The file as an attachment that no browser renders or sniffs; 403 unless the policy
    lets the user read a report it is attached to."""
    file = get_object_or_404(EvidenceFile, pk=file_id)
    if not policy.may_download_evidence(request.user, file):
        raise PermissionDenied
    return evidence_response(file.stored_name, file.download_name, file.content_type)
