"""A bulletin's own masthead: 第N期 (per plan, in order of publication), issuer, 抄送, 成文日期.

Bulletins published before get their numbers in the order they were published, their plan's
default issuer and 抄送, and their publication day as 成文日期.
"""

from django.conf import settings
from django.db import migrations, models


def number_published(apps, schema_editor):
    from zoneinfo import ZoneInfo

    from django.conf import settings as django_settings

    Bulletin = apps.get_model("reporting", "Bulletin")
    local = ZoneInfo(django_settings.TIME_ZONE)
    numbers = {}
    for bulletin in Bulletin.objects.filter(status="published").order_by(
        "plan_id", "published_at", "pk"
    ):
        numbers[bulletin.plan_id] = numbers.get(bulletin.plan_id, 0) + 1
        bulletin.number = numbers[bulletin.plan_id]
        bulletin.issuer = bulletin.plan.bulletin_issuer or '鹤壁市全民技能振兴工程领导小组办公室'
        bulletin.cc = bulletin.plan.bulletin_cc
        bulletin.issued_on = bulletin.published_at.astimezone(local).date()
        bulletin.save(update_fields=["number", "issuer", "cc", "issued_on"])


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0009_pending_rollup'),
        ('targets', '0012_plan_bulletin_fields'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='bulletin',
            name='cc',
            field=models.CharField(blank=True, max_length=300, verbose_name='抄送'),
        ),
        migrations.AddField(
            model_name='bulletin',
            name='issued_on',
            field=models.DateField(blank=True, null=True, verbose_name='成文日期'),
        ),
        migrations.AddField(
            model_name='bulletin',
            name='issuer',
            field=models.CharField(blank=True, max_length=100, verbose_name='发文单位'),
        ),
        migrations.AddField(
            model_name='bulletin',
            name='number',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='期号'),
        ),
        migrations.RunPython(number_published, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.UniqueConstraint(fields=('plan', 'number'), name='bulletin_number_once_a_plan'),
        ),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), models.Q(('issued_on__isnull', False), ('number__gte', 1), ('status', 'published')), _connector='OR'), name='bulletin_published_has_number_and_date'),
        ),
    ]
