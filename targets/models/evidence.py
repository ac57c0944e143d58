"""Evidence files (佐证材料): a stored file, and which step reports point to it.

An ``EvidenceFile`` is one accepted upload (``targets/evidence.py`` checked it), stored under a
generated name in ``EVIDENCE_STORAGE``; the name the user gave is only its download name. A
step report's revision points to its files through ``StepReportEvidence``; a correction's new
revision points to the same files as the approved one it corrects, so the file is stored once.

Nothing deletes a file a locked (sent or approved) revision points to: the link protects the
file (``PROTECT``), and the services take a link away only from a draft or returned revision,
deleting the file itself only when no revision points to it any more.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import check, link, user_field
from .plan import Plan
from .work import StepReport


class EvidenceFile(models.Model):
    """One stored evidence file of a plan: what it is, its size, hash, and who uploaded it."""

    plan = link(Plan, "evidence_files", _("年度方案"))
    stored_name = models.CharField(_("存储名称"), max_length=255, unique=True)
    download_name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("文件类型"), max_length=10)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = user_field(_("上传人"), optional=False)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            check(
                ~Q(stored_name=""), "evidencefile_stored_name_not_empty", _("存储名称不能为空。")
            ),
            check(~Q(download_name=""), "evidencefile_name_not_empty", _("文件名不能为空。")),
        ]

    def __str__(self) -> str:
        return self.download_name


class StepReportEvidence(models.Model):
    """A step report's revision points to an evidence file."""

    report = link(StepReport, "evidence_links", _("工作台账月报"))
    evidence = link(EvidenceFile, "report_links", _("佐证材料"))

    class Meta:
        verbose_name = _("台账佐证材料")
        verbose_name_plural = _("台账佐证材料")
        ordering = ["report", "evidence"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "evidence"],
                name="stepreportevidence_unique",
                violation_error_message=_("该佐证材料已附在这份台账上。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.evidence}"
