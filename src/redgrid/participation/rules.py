"""Configurable limits of participation (rules table, core.rules); imported by services and AppConfig.ready."""

from redgrid.core.rules import define

define("wish.value_cap", 200, "微心愿估值上限（元）", "各地微心愿活动通行做法（一般 50–300 元）", "L")
define("wish.claim_limit", 3, "每名党员同时认领未完成心愿的上限", "各地微心愿活动通行做法", "L")
define("wish.claim_days", 14, "认领后未实现即退回心愿墙的天数", "issue 5（可配置）", "L")
define("wish.photo_max_mb", 10, "心愿照片大小上限（MB）", "平台约定", "M")
