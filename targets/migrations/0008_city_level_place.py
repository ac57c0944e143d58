"""市直: the city-level reporting place, a Region of its own kind with GB/T 2260 code 410601.

Figures of city-level units (市直学校, 市属企业, 市级培训机构) belong to no county; under 市直
they take part in entry, review, splits and rollups like a county's. 410601 is the code of
鹤壁市市辖区 in GB/T 2260, which statistics systems use for the city's own level: it is no
county's code and cannot be taken for one.
"""

from django.db import migrations, models

CODE, NAME = "410601", "市直"


def add_city_level_place(apps, schema_editor):
    Region = apps.get_model("targets", "Region")
    if not Region.objects.exists():
        return  # a new database: loading the plan file (fixtures/plan-2015.json) adds it
    if Region.objects.filter(code=CODE).exists() or Region.objects.filter(name=NAME).exists():
        return
    # After the counties, whatever their order numbers are.
    last = Region.objects.aggregate(last=models.Max("order"))["last"] or 0
    Region.objects.create(code=CODE, name=NAME, kind="city", order=max(last + 1, 6))


def remove_city_level_place(apps, schema_editor):
    Region = apps.get_model("targets", "Region")
    # Only while nothing refers to it; otherwise the PROTECT foreign keys refuse, as they should.
    Region.objects.filter(code=CODE, kind="city").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0007_submission_value_at_most_max"),
    ]

    operations = [
        migrations.AlterField(
            model_name="region",
            name="kind",
            field=models.CharField(
                choices=[("district", "区"), ("county", "县"), ("city", "市直")],
                max_length=10,
                verbose_name="类型",
            ),
        ),
        migrations.RunPython(add_city_level_place, remove_city_level_place),
    ]
