"""Organisation units as a tree: 河南省 (410000) → 鹤壁市 (410600) → its counties, districts
and 市直. Every existing place becomes the city's, and every existing plan the city's plan; a
plan's year is unique per unit instead of overall.

The two units are made only where places or plans already exist (as 0008 made 市直): an empty
database gets them from the plan file or the first plan made.
"""

import django.db.models.deletion
from django.db import migrations, models

PROVINCE = ("410000", "河南省")
CITY = ("410600", "鹤壁市")
PLACE_KINDS = ("district", "county", "city")


def attach(apps, schema_editor):
    Region = apps.get_model("targets", "Region")
    Plan = apps.get_model("targets", "Plan")
    if not Region.objects.exists() and not Plan.objects.exists():
        return
    province, _made = Region.objects.get_or_create(
        code=PROVINCE[0], defaults={"name": PROVINCE[1], "kind": "province"}
    )
    city, _made = Region.objects.get_or_create(
        code=CITY[0], defaults={"name": CITY[1], "kind": "prefecture", "parent": province}
    )
    Region.objects.filter(kind__in=PLACE_KINDS, parent__isnull=True).update(parent=city)
    Plan.objects.filter(unit__isnull=True).update(unit=city)


def detach(apps, schema_editor):
    Region = apps.get_model("targets", "Region")
    Region.objects.update(parent=None)
    Region.objects.filter(kind__in=("prefecture", "province"), plans__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0020_step_report_two_levels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="region",
            name="kind",
            field=models.CharField(
                choices=[
                    ("district", "区"),
                    ("county", "县"),
                    ("city", "市直"),
                    ("prefecture", "市"),
                    ("province", "省"),
                ],
                max_length=10,
                verbose_name="类型",
            ),
        ),
        migrations.AddField(
            model_name="region",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="targets.region",
                verbose_name="上级单位",
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="unit",
            field=models.ForeignKey(
                help_text="制定方案的市（或省）；方案的县区是它的下级单位。",
                limit_choices_to={"kind__in": ["province", "prefecture"]},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="plans",
                to="targets.region",
                verbose_name="所属单位",
            ),
        ),
        migrations.RunPython(attach, detach),
        migrations.AlterField(
            model_name="plan",
            name="unit",
            field=models.ForeignKey(
                help_text="制定方案的市（或省）；方案的县区是它的下级单位。",
                limit_choices_to={"kind__in": ["province", "prefecture"]},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="plans",
                to="targets.region",
                verbose_name="所属单位",
            ),
        ),
        migrations.AlterField(
            model_name="plan",
            name="year",
            field=models.PositiveSmallIntegerField(verbose_name="年度"),
        ),
        migrations.AddConstraint(
            model_name="plan",
            constraint=models.UniqueConstraint(
                fields=("unit", "year"),
                name="plan_one_per_unit_year",
                violation_error_message="该单位的这一年度已有方案。",
            ),
        ),
    ]
