"""A county's own papers: its bulletin (县区通报) and its workbook carry the county.

Bulletins, export logs and jobs made before are the city's (no county): their rows are kept as
they are. A month is published once and 第N期 given once per plan for the city, as before, and
per plan and county for each county's own bulletin.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0010_bulletin_number'),
        ('targets', '0019_two_level_review'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='bulletin',
            options={'ordering': ['plan', 'region', 'month'], 'verbose_name': '月度通报', 'verbose_name_plural': '月度通报'},
        ),
        migrations.RemoveConstraint(
            model_name='bulletin',
            name='bulletin_once_a_month',
        ),
        migrations.RemoveConstraint(
            model_name='bulletin',
            name='bulletin_number_once_a_plan',
        ),
        migrations.AddField(
            model_name='bulletin',
            name='region',
            field=models.ForeignKey(blank=True, help_text='为空表示全市', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='targets.region', verbose_name='县区'),
        ),
        migrations.AddField(
            model_name='exportjob',
            name='region',
            field=models.ForeignKey(blank=True, help_text='为空表示全市', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='targets.region', verbose_name='县区'),
        ),
        migrations.AddField(
            model_name='exportlog',
            name='region',
            field=models.ForeignKey(blank=True, help_text='为空表示全市', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='targets.region', verbose_name='县区'),
        ),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.UniqueConstraint(condition=models.Q(('region__isnull', True)), fields=('plan', 'month'), name='bulletin_once_a_month'),
        ),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.UniqueConstraint(condition=models.Q(('region__isnull', False)), fields=('plan', 'region', 'month'), name='bulletin_once_a_month_a_county'),
        ),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.UniqueConstraint(condition=models.Q(('region__isnull', True)), fields=('plan', 'number'), name='bulletin_number_once_a_plan'),
        ),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.UniqueConstraint(condition=models.Q(('region__isnull', False)), fields=('plan', 'region', 'number'), name='bulletin_number_once_a_county'),
        ),
    ]
