"""The monthly bulletin's own issuer and 抄送 line, per plan (not the plan's 文号 or issuer).

Numbered 0011 while other migrations are written beside it: re-point at the merge.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('targets', '0011_notice_deadline_and_events'),
    ]

    operations = [
        migrations.AddField(
            model_name='plan',
            name='bulletin_cc',
            field=models.CharField(blank=True, default='市委办公室，市人大常委会办公室，市政府办公室，市政协办公室', help_text='月度通报的抄送单位，用“，”或“、”分隔；留空则不印抄送栏。', max_length=300, verbose_name='通报抄送'),
        ),
        migrations.AddField(
            model_name='plan',
            name='bulletin_issuer',
            field=models.CharField(blank=True, default='鹤壁市全民技能振兴工程领导小组办公室', help_text='月度通报的发文单位（通报自己的落款，不是方案的发文机关）；留空则为鹤壁市全民技能振兴工程领导小组办公室。', max_length=100, verbose_name='通报发文单位'),
        ),
    ]
