"""Supervision notices get a 办理时限 (due date), who closed them (销号), and an audit trail."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def forward(apps, schema_editor):
    """Existing notices: due SUPERVISION_DUE_DAYS after raising; their steps so far as events."""
    notices = apps.get_model("targets", "SupervisionNotice")
    events = apps.get_model("targets", "SupervisionNoticeEvent")
    days = getattr(settings, "SUPERVISION_DUE_DAYS", 10)
    for notice in notices.objects.all():
        notice.due_on = timezone.localdate(notice.raised_at) + timedelta(days=days)
        notice.save(update_fields=["due_on"])
        events.objects.create(notice=notice, kind="raised", at=notice.raised_at)
        if notice.answered_at is not None:
            events.objects.create(
                notice=notice,
                kind="answered",
                actor_id=notice.answered_by_id,
                at=notice.answered_at,
                reason=notice.explanation,
            )
        if notice.closed_at is not None:
            events.objects.create(
                notice=notice, kind="closed", at=notice.closed_at, reason=notice.closed_reason
            )


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0010_withdraw_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="supervisionnotice",
            name="due_on",
            field=models.DateField(null=True, verbose_name="办理时限"),
        ),
        migrations.AddField(
            model_name="supervisionnotice",
            name="closed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="销号人",
            ),
        ),
        migrations.CreateModel(
            name="SupervisionNoticeEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("raised", "下发"), ("answered", "反馈"), ("closed", "销号")],
                        max_length=10,
                        verbose_name="操作",
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="时间")),
                ("reason", models.TextField(blank=True, verbose_name="说明")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                (
                    "notice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="targets.supervisionnotice",
                        verbose_name="督办单",
                    ),
                ),
            ],
            options={
                "verbose_name": "督办单记录",
                "verbose_name_plural": "督办单记录",
                "ordering": ["at", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(kind__in=["raised", "answered", "closed"]),
                        name="notice_event_kind_known",
                        violation_error_message="督办单记录的操作无效。",
                    ),
                    models.CheckConstraint(
                        condition=~models.Q(kind="closed") | ~models.Q(reason=""),
                        name="notice_event_close_has_reason",
                        violation_error_message="销号必须说明原因。",
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="supervisionnotice",
            name="due_on",
            field=models.DateField(verbose_name="办理时限"),
        ),
        migrations.AddConstraint(
            model_name="supervisionnotice",
            constraint=models.CheckConstraint(
                condition=models.Q(closed_by__isnull=True) | models.Q(status="closed"),
                name="notice_closed_by_only_when_closed",
                violation_error_message="未关闭的督办单不能有销号人。",
            ),
        ),
    ]
