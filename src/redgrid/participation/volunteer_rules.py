"""Configurable limits of 志愿服务 (rules table, core.rules); imported by the services and AppConfig.ready.

No national numbers exist for these; all are local practice (L) and a deployment overrides them in 规则表.
"""

from redgrid.core.rules import define

_SRC = "各地志愿服务通行做法（可配置）"

define("volunteer.cancel_hours", 2, "班次开始前多少小时内不能再取消报名", _SRC, "L")
define("volunteer.checkin_open_minutes", 30, "班次开始前多少分钟起可以扫码签到", _SRC, "L")
define("volunteer.checkout_grace_minutes", 120, "班次结束后多少分钟内仍可扫码签退", _SRC, "L")
define("volunteer.qr_minutes", 10, "签到/签退二维码的有效期（分钟；页面自动刷新）", "平台约定", "M")
define("volunteer.open_signup_limit", 5, "每人同时持有的尚未开始班次的报名上限", _SRC, "L")
define("volunteer.shift_max_hours", 12, "单个班次的最长时长（小时）", _SRC, "L")
define("volunteer.capacity_max", 500, "单个班次的名额上限", "平台约定", "M")
