from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0002_point_rule_defaults"),
    ]

    operations = [
        migrations.AddField(
            model_name="studyrecord",
            name="position",
            field=models.PositiveIntegerField(default=0, verbose_name="视频播放位置（秒）"),
        ),
    ]
