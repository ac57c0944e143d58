# The monthly bulletin (通报), frozen when published.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0005_reminder_schedule'),
        ('targets', '0005_submission_first_submitted_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Bulletin',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.PositiveSmallIntegerField(verbose_name='截至月份')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('published', '已发布')], default='published', max_length=10, verbose_name='状态')),
                ('title', models.CharField(max_length=200, verbose_name='标题')),
                ('text', models.TextField(verbose_name='通报正文')),
                ('numbers', models.JSONField(verbose_name='通报所依据的数据')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='发布时间')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bulletins', to='targets.plan', verbose_name='年度方案')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人')),
            ],
            options={
                'verbose_name': '月度通报',
                'verbose_name_plural': '月度通报',
                'ordering': ['plan', 'month'],
                'constraints': [models.UniqueConstraint(fields=('plan', 'month'), name='bulletin_once_a_month'), models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='bulletin_month_1_12'), models.CheckConstraint(condition=models.Q(('status', 'draft'), models.Q(('published_at__isnull', False), ('published_by__isnull', False), ('status', 'published')), _connector='OR'), name='bulletin_published_has_who_and_when')],
            },
        ),
    ]
