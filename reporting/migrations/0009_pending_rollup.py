"""Pending rollups (written with an approval, deleted by its rollup) and the beat job that
sweeps up those whose task never ran (the broker was down), every five minutes.

Numbered 0009 on the production branch while 0008 is being written on main: re-point the
dependency at the merge.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

TASK = "reporting.tasks.sweep_pending_rollups"
NAME = "补做未完成的汇总（sweep pending rollups）"


def forward(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "interval": every, "crontab": None, "enabled": True}
    )
    # Beat reloads its schedule when this marker changes.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def reverse(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0008_export_job"),
        ("targets", "0006_supervision_notice"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("months", models.JSONField(default=list, verbose_name="涉及月份")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("plan", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="targets.plan", verbose_name="年度方案")),
            ],
            options={
                "verbose_name": "待汇总记录",
                "verbose_name_plural": "待汇总记录",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
