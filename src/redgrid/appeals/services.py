"""Writes on appeals: one keyword-only service per workflow action (design.md §6).

Every action service follows the same steps:
1. lock the appeal row (`select_for_update`) inside `transaction.atomic()`;
2. check the transition against `workflow.TRANSITIONS` (409 with the current state) and the actor
   (403 naming who may act);
3. change the appeal and its tasks, write one `AppealEvent` and one audit row;
4. queue inbox notifications for after the commit.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from redgrid.appeals import intake, notify, rollup, workflow
from redgrid.appeals.models import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS_PER_KIND,
    Appeal,
    AppealEvent,
    AppealExtension,
    AppealFollower,
    AppealPhoto,
    AppealRating,
    AppealUnitTask,
    Channel,
    ExtensionDecision,
    PhotoKind,
    Rating,
    Status,
    TaskRole,
    Urgency,
    validate_photo,
)
from redgrid.appeals.selectors import actor_kinds
from redgrid.core import audit
from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.rules import rule_value
from redgrid.regions.models import Region
from redgrid.units.models import Category, Unit


class RateLimited(TooManyRequests):
    """Too many appeals from one account, phone, API key or network address (HTTP 429)."""

    def __init__(self, message: str, retry_after: int = 3600):
        super().__init__(message)
        self.retry_after = retry_after  # seconds until the oldest counted appeal leaves the hour


MAX_CONTENT = 2000
MAX_CONTENT_OPEN311 = 4000  # GeoReport v2 allows descriptions of up to 4,000 characters


# --- shared steps ------------------------------------------------------------------------------------


def _lock(appeal) -> Appeal:
    pk = appeal.pk if isinstance(appeal, Appeal) else appeal
    try:
        return Appeal.objects.select_for_update(of=("self",)).select_related("grid", "street").get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError) as exc:
        from django.http import Http404

        raise Http404("诉求不存在") from exc


def _check(appeal: Appeal, action: str, actor) -> frozenset[str]:
    transition = workflow.TRANSITIONS[action]
    if appeal.status not in transition.sources:
        raise Conflict(workflow.conflict_message(action, appeal.status))
    kinds = actor_kinds(actor, appeal)
    if not kinds & transition.who:
        who = "、".join(workflow.ACTOR_LABELS[k] for k in sorted(transition.who))
        raise PermissionDenied(f"您无权{transition.label}此诉求（应由{who}办理）")
    appeal._rollup_before = rollup.snapshot(appeal)  # the indicator items before the change (_event)
    return kinds


def _event(
    appeal: Appeal, action: str, actor, from_state: str, *, note="", unit=None, data=None
) -> AppealEvent:
    event = AppealEvent.objects.create(
        appeal=appeal,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        from_state=from_state,
        to_state=appeal.status,
        note=note,
        unit=unit,
        round=appeal.round,
        data=data or {},
    )
    rollup.record(appeal, action)  # the daily indicator roll-ups, in this transaction
    summary = {"from": from_state, "to": appeal.status, **(data or {})}
    if unit is not None:
        summary["unit"] = unit.pk
    audit.record(f"appeal.{action}", appeal, actor=actor, summary=summary)
    return event


def _link(appeal: Appeal) -> str:
    return f"/appeals/{appeal.pk}/"


def _tell_reporters(appeal: Appeal, title: str, body: str = "") -> None:
    notify.send(notify.reporter_ids(appeal), title=title, body=body, link=_link(appeal))


def _tell_units(appeal: Appeal, unit_ids, title: str, body: str = "") -> None:
    notify.send(notify.unit_handler_ids(unit_ids), title=title, body=body, link=_link(appeal))


def _tell_street(appeal: Appeal, title: str, body: str = "") -> None:
    notify.send(notify.street_admin_ids(appeal.street), title=title, body=body, link=_link(appeal))


def _require_text(value: str, what: str, max_length: int = MAX_CONTENT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"请填写{what}")
    if len(value) > max_length:
        raise ValidationError(f"{what}不能超过 {max_length} 字")
    return value


def _active_unit(unit) -> Unit:
    if not isinstance(unit, Unit):
        unit = Unit.objects.filter(pk=unit).first()
    if unit is None or not unit.is_active:
        raise ValidationError("责任单位不存在或已停用")
    return unit


def _category(category) -> Category | None:
    if category is None or category == "":
        return None
    if not isinstance(category, Category):
        category = Category.objects.filter(pk=category).first()
    if category is None or not category.is_active:
        raise ValidationError("事项分类不存在或已停用")
    return category


def _read_photos(photos) -> list[tuple[str, bytes, str, str]]:
    """Validate every photo before anything is written (nothing half-saved)."""
    if len(photos) > MAX_PHOTOS_PER_KIND:
        raise ValidationError(f"最多上传 {MAX_PHOTOS_PER_KIND} 张照片")
    rows = []
    for photo in photos:
        if isinstance(photo, tuple):
            name, data = photo
        else:
            # Refuse an oversized upload from its declared size before reading it into memory.
            if (getattr(photo, "size", 0) or 0) > MAX_PHOTO_BYTES:
                raise ValidationError(f"照片不能超过 {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
            name, data = getattr(photo, "name", "photo"), photo.read(MAX_PHOTO_BYTES + 1)
        mime, ext = validate_photo(data)
        rows.append((name, data, mime, ext))
    return rows


def _save_photos(appeal: Appeal, rows, *, kind: str, actor) -> None:
    if not rows:
        return
    have = appeal.photos.filter(kind=kind).count()
    if have + len(rows) > MAX_PHOTOS_PER_KIND:
        raise ValidationError(f"每件诉求最多 {MAX_PHOTOS_PER_KIND} 张{PhotoKind(kind).label}")
    for i, (_name, data, mime, ext) in enumerate(rows, start=have + 1):
        photo = AppealPhoto(appeal=appeal, kind=kind, content_type=mime, size=len(data), uploaded_by=actor)
        # The stored name never comes from the client.
        photo.file.save(f"{appeal.pk}-{kind}-{i}.{ext}", ContentFile(data), save=False)
        photo.save()


def _end_tasks(appeal: Appeal, now, *, units=None) -> list[int]:
    qs = appeal.tasks.filter(ended_at__isnull=True)
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    ended = list(qs.values_list("unit_id", flat=True))
    qs.update(ended_at=now)
    return ended


def add_photos(*, actor, appeal, photos, kind: str = PhotoKind.INTAKE) -> int:
    """Attach photos to an appeal (the upload endpoint): the reporter's intake photos, or evidence."""
    rows = _read_photos(photos)
    with transaction.atomic():
        appeal = _lock(appeal)
        kinds = actor_kinds(actor, appeal)
        needed = workflow.REPORTER if kind == PhotoKind.INTAKE else workflow.OWNER_UNIT
        if needed not in kinds:
            raise PermissionDenied("您无权为此诉求上传照片")
        if not appeal.is_open:
            raise Conflict(f"诉求当前状态为「{appeal.get_status_display()}」，不能再上传照片")
        _save_photos(appeal, rows, kind=kind, actor=actor)
    return len(rows)


# --- intake ------------------------------------------------------------------------------------------


@dataclass
class IntakeResult:
    appeal: Appeal
    duplicates: list = field(default_factory=list)
    located_by: str = ""


SELF_SERVICE = (Channel.H5, Channel.API, Channel.OPEN311)


def ip_hash(ip: str | None) -> str:
    """Keyed hash of a client address; an IPv6 client counts by its /64 (one host usually holds a whole /64)."""
    import ipaddress

    from redgrid.core.crypto import lookup_hash

    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    if addr.version == 6:
        if addr.ipv4_mapped is not None:
            return lookup_hash(str(addr.ipv4_mapped))
        return lookup_hash(str(ipaddress.ip_network(f"{addr}/64", strict=False)))
    return lookup_hash(str(addr))


def _intake_limits(actor, channel: str, caller_phone: str, api_key, client_ip_hash: str) -> list:
    """The hourly limits this submission counts against: (lock key, limit, counted appeals, message)."""
    limits = []
    if channel in SELF_SERVICE and getattr(actor, "pk", None):
        n = int(rule_value("appeals.intake.per_account_per_hour"))
        msg = f"提交过于频繁：每个账号每小时最多反映 {n} 件诉求，请稍后再试"
        limits.append((f"user:{actor.pk}", n, Q(submitted_by=actor), msg))
    if caller_phone:
        from redgrid.core.crypto import lookup_hash, normalise

        n = int(rule_value("appeals.intake.per_phone_per_hour"))
        phone_hash = lookup_hash(normalise("phone", caller_phone))
        msg = f"该号码一小时内已反映 {n} 件诉求，请勿重复反映"
        limits.append((f"phone:{phone_hash}", n, Q(caller_phone_hash=phone_hash), msg))
    if api_key is not None:
        n = api_key.hourly_limit or int(rule_value("appeals.intake.per_key_per_hour"))
        source = "该密钥的设定" if api_key.hourly_limit else "规则 appeals.intake.per_key_per_hour"
        msg = f"提交过于频繁：该 API 密钥每小时最多提交 {n} 件诉求（{source}），请稍后再试"
        limits.append((f"key:{api_key.pk}", n, Q(api_key=api_key), msg))
    if client_ip_hash and channel in SELF_SERVICE:
        n = int(rule_value("appeals.intake.per_ip_per_hour"))
        msg = f"提交过于频繁：同一网络地址每小时最多提交 {n} 件诉求（规则 appeals.intake.per_ip_per_hour），请稍后再试"
        limits.append((f"ip:{client_ip_hash}", n, Q(client_ip_hash=client_ip_hash), msg))
    return limits


def _check_rate(actor, channel: str, caller_phone: str, *, api_key=None, client_ip_hash: str = "") -> None:
    """Refuse a submission over any hourly limit (《北京市接诉即办工作条例》: no malicious repeat calls).

    Runs inside the intake transaction:
    1. lock each submitter's `IntakeLock` row, in key order so two submissions cannot deadlock;
    2. count that submitter's appeals of the last hour (a sliding window over indexed columns);
    3. at the limit, raise `RateLimited` (the transaction rolls back, nothing is saved).
    A concurrent submission by the same submitter waits on the lock until this one commits, then counts it.
    """
    from redgrid.appeals.models import IntakeLock

    now = timezone.now()
    since = now - timedelta(hours=1)
    for lock_key, limit, counted, message in sorted(
        _intake_limits(actor, channel, caller_phone, api_key, client_ip_hash), key=lambda row: row[0]
    ):
        IntakeLock.objects.select_for_update().get_or_create(key=lock_key)
        recent = Appeal.objects.filter(counted, created_at__gte=since)
        if recent.count() >= limit:
            oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
            wait = int((oldest + timedelta(hours=1) - now).total_seconds()) + 1 if oldest else 3600
            raise RateLimited(message, retry_after=max(wait, 1))


def appeal_submit(
    *,
    actor,
    content: str,
    title: str = "",
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    category=None,
    channel: str = Channel.H5,
    caller_phone: str = "",
    urgency: str | None = None,
    photos=(),
    grid: Region | None = None,
    client_ip: str | None = None,
    api_key=None,
    media_url: str = "",
    note: str = "",
) -> IntakeResult:
    """受理: take in an appeal.

    1. Validate the text, the point and the photos (nothing is written if any is wrong).
    2. Rate-limit self-service intake per account, API key and client address (`client_ip`, by default
       the request's), and any intake per caller phone (checked under a lock in the write transaction).
    3. Locate: the grid the operator named, else point → grid, address → grid, the reporter's household
       → grid, else the triage queue.
    4. Classify: the trained model suggests a category and a confidence (if a model is installed).
    5. Route: routing rules / responsible units suggest the unit; deadlines from the SLA rules.
    6. List duplicate candidates for the dispatcher (read-only, before the write transaction).
    7. Write the appeal, the reporter as follower, the event, the audit row and the photos; notify the
       reporter (and the street if unlocated).
    """
    content = _require_text(
        content, "诉求内容", MAX_CONTENT_OPEN311 if channel == Channel.OPEN311 else MAX_CONTENT
    )
    title = (title or "").strip()[:100]
    address = (address or "").strip()[:200]
    if channel not in Channel.values:
        raise ValidationError("渠道不正确")
    if (lat is None) != (lng is None):
        raise ValidationError("经纬度需同时提供")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError("经纬度超出范围")
    if urgency is not None and urgency not in Urgency.values:
        raise ValidationError("紧急程度不正确")
    if channel == Channel.HOTLINE and not caller_phone:
        raise ValidationError("热线登记需填写来电号码")
    category = _category(category)
    photo_rows = _read_photos(photos)
    if api_key is not None and not api_key.is_active:
        raise PermissionDenied("API 密钥已吊销")
    if client_ip is None:
        from redgrid.core.context import current_actor

        client_ip = getattr(current_actor(), "ip", None)
    client_ip_hash = ip_hash(client_ip) if channel in SELF_SERVICE else ""

    reporter = None if channel == Channel.HOTLINE else actor
    fallback_street = None
    if channel in (Channel.HOTLINE, Channel.PATROL):
        from redgrid.appeals.selectors import role_paths

        paths = sorted(role_paths(actor, ("street", "community", "gridworker")), key=len)
        if paths:
            region = Region.objects.filter(path=paths[0]).first()
            fallback_street = intake.ancestor_at_level(region, Region.Level.STREET)
    if fallback_street is None and api_key is not None:
        fallback_street = api_key.street  # an unlocatable request from a client system goes to its street
    if grid is not None:
        # A hotline operator or grid worker who knows the grid names it (the caller gives no point);
        # the page checks the grid is in the operator's scope.
        if not isinstance(grid, Region) or not grid.is_grid:
            raise ValidationError("网格不存在")
        where = intake.Location(grid, intake.ancestor_at_level(grid, Region.Level.STREET), "operator")
    else:
        where = intake.locate(
            lat=lat, lng=lng, address=address, user=reporter, fallback_street=fallback_street
        )
    suggested, confidence = intake.suggest_category(f"{title} {content}")
    effective = category or suggested
    sla = intake.sla_for(effective, urgency)
    now = timezone.now()
    appeal = Appeal(
        channel=channel,
        reporter=reporter,
        submitted_by=actor if getattr(actor, "pk", None) else None,
        title=title,
        content=content,
        lat=lat,
        lng=lng,
        address=address,
        media_url=(media_url or "")[:500],
        api_key=api_key,
        client_ip_hash=client_ip_hash,
        grid=where.grid,
        street=where.street,
        category=category,
        suggested_category=suggested,
        confidence=confidence,
        suggested_unit=intake.route(effective, where.grid or where.street),
        urgency=sla.urgency,
        status=Status.RECEIVED,
        created_at=now,
        resolve_due_at=sla.resolve_due(now),
    )
    if caller_phone:
        appeal.caller_phone = caller_phone
    # The read-only steps (routing above, duplicate candidates here: the new appeal is not one of them) come
    # before the write transaction, which then holds its locks (on SQLite, the database's write lock) only
    # for the rate check and the inserts; and the appeal is written once.
    duplicates = intake.find_duplicates(appeal)
    appeal.possible_duplicates = [d["id"] for d in duplicates]
    with transaction.atomic():
        _check_rate(actor, channel, caller_phone, api_key=api_key, client_ip_hash=client_ip_hash)
        appeal.save()
        if reporter is not None:
            AppealFollower.objects.create(appeal=appeal, user=reporter)
        _save_photos(appeal, photo_rows, kind=PhotoKind.INTAKE, actor=actor)
        _event(
            appeal,
            "submit",
            actor,
            "",
            note=note,
            data={
                "channel": channel,
                "located_by": where.how,
                "photos": len(photo_rows),
                **({"api_key": api_key.prefix} if api_key is not None else {}),
            },
        )
        _tell_reporters(appeal, f"您的诉求已受理（编号 {appeal.pk}）", appeal.display_title)
        if appeal.grid_id is None:
            _tell_street(appeal, f"新诉求 #{appeal.pk} 未能定位到网格，请分拣", appeal.display_title)
    return IntakeResult(appeal, duplicates, where.how)


# --- dispatcher actions ------------------------------------------------------------------------------


def appeal_register(
    *,
    actor,
    appeal,
    category=None,
    urgency: str | None = None,
    grid=None,
    title: str | None = None,
    note: str = "",
) -> Appeal:
    """立案: confirm (or change) category, urgency and grid; deadlines follow the confirmed values."""
    if urgency is not None and urgency not in Urgency.values:
        raise ValidationError("紧急程度不正确")
    category = _category(category)
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "register", actor)
        if grid is not None:
            grid = grid if isinstance(grid, Region) else Region.objects.filter(pk=grid, level="grid").first()
            if grid is None or not grid.is_grid:
                raise ValidationError("网格不存在")
            appeal.grid, appeal.street = grid, intake.ancestor_at_level(grid, Region.Level.STREET)
            if workflow.DISPATCHER not in actor_kinds(actor, appeal):
                raise PermissionDenied("只能分拣到您管辖范围内的网格")
        if category is not None:
            appeal.category = category
        if appeal.category_id is None and appeal.suggested_category_id:
            appeal.category_id = appeal.suggested_category_id
        if title:
            appeal.title = title.strip()[:100]
        sla = intake.sla_for(appeal.category, urgency)
        appeal.urgency = sla.urgency
        appeal.resolve_due_at = sla.resolve_due(appeal.created_at)
        appeal.suggested_unit = intake.route(appeal.category, appeal.grid or appeal.street)
        from_state, appeal.status = appeal.status, Status.REGISTERED
        appeal.registered_at = timezone.now()
        appeal.save()
        _event(
            appeal,
            "register",
            actor,
            from_state,
            note=note,
            data={"category": appeal.category_id, "urgency": appeal.urgency, "grid": appeal.grid_id},
        )
        _tell_reporters(appeal, f"您的诉求 #{appeal.pk} 已立案", appeal.display_title)
    return appeal


def appeal_reject(*, actor, appeal, reason: str) -> Appeal:
    """不予受理 (with the reason told to the reporter)."""
    reason = _require_text(reason, "不予受理的理由", 500)
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "reject", actor)
        from_state, appeal.status = appeal.status, Status.REJECTED
        appeal.save()
        _event(appeal, "reject", actor, from_state, note=reason)
        _tell_reporters(appeal, f"您的诉求 #{appeal.pk} 不予受理", reason)
    return appeal


def _new_task(appeal, unit, *, role, now, due, whistle=False) -> AppealUnitTask:
    return AppealUnitTask.objects.create(
        appeal=appeal,
        unit=unit,
        role=role,
        is_whistle=whistle,
        round=appeal.round,
        dispatched_at=now,
        due_at=due,
    )


def appeal_dispatch(*, actor, appeal, unit, note: str = "") -> Appeal:
    """派遣: one lead unit, which must report in within the SLA's report-in limit."""
    unit = _active_unit(unit)
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "dispatch", actor)
        if appeal.category_id is None:
            raise ValidationError("请先确定事项分类再派遣")
        now = timezone.now()
        due = now + intake.sla_for(appeal.category, appeal.urgency).respond
        _new_task(appeal, unit, role=TaskRole.LEAD, now=now, due=due)
        from_state = appeal.status
        appeal.status, appeal.owner_unit, appeal.respond_due_at = Status.DISPATCHED, unit, due
        appeal.save()
        _event(appeal, "dispatch", actor, from_state, note=note, unit=unit, data={"due_at": due.isoformat()})
        _tell_units(
            appeal,
            [unit.pk],
            f"新派单 #{appeal.pk}：请于 {timezone.localtime(due):%m-%d %H:%M} 前报到",
            appeal.display_title,
        )
        _tell_reporters(appeal, f"您的诉求 #{appeal.pk} 已派遣至{unit}")
    return appeal


def appeal_whistle(*, actor, appeal, lead_unit, units=(), note: str = "") -> Appeal:
    """吹哨: a lead unit and assisting units; each must report in within the whistle limit (30 min)."""
    lead = _active_unit(lead_unit)
    assists = []
    for u in units:
        u = _active_unit(u)
        if u.pk != lead.pk and all(a.pk != u.pk for a in assists):
            assists.append(u)
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "whistle", actor)
        if appeal.category_id is None:
            raise ValidationError("请先确定事项分类再吹哨")
        now = timezone.now()
        due = now + intake.whistle_respond()
        _new_task(appeal, lead, role=TaskRole.LEAD, now=now, due=due, whistle=True)
        for u in assists:
            _new_task(appeal, u, role=TaskRole.ASSIST, now=now, due=due, whistle=True)
        from_state = appeal.status
        appeal.status, appeal.owner_unit, appeal.respond_due_at = Status.DISPATCHED, lead, due
        appeal.save()
        _event(
            appeal,
            "whistle",
            actor,
            from_state,
            note=note,
            unit=lead,
            data={"assist": [u.pk for u in assists], "due_at": due.isoformat()},
        )
        _tell_units(
            appeal,
            [lead.pk, *[u.pk for u in assists]],
            f"吹哨 #{appeal.pk}：请于 {timezone.localtime(due):%H:%M} 前到场报到",
            appeal.display_title,
        )
    return appeal


def appeal_reassign(*, actor, appeal, unit, note: str = "") -> Appeal:
    """改派: the lead task ends, a new lead unit is dispatched (assisting units stay)."""
    unit = _active_unit(unit)
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "reassign", actor)
        if unit.pk == appeal.owner_unit_id:
            raise ValidationError("改派的单位与当前主办单位相同")
        now = timezone.now()
        previous = appeal.owner_unit
        appeal.tasks.filter(ended_at__isnull=True, role=TaskRole.LEAD).update(ended_at=now)
        _end_tasks(appeal, now, units=[unit.pk])  # an assisting unit promoted to lead gets a fresh task
        due = now + intake.sla_for(appeal.category, appeal.urgency).respond
        _new_task(appeal, unit, role=TaskRole.LEAD, now=now, due=due)
        from_state = appeal.status
        appeal.status, appeal.owner_unit, appeal.respond_due_at = Status.DISPATCHED, unit, due
        appeal.save()
        _event(
            appeal,
            "reassign",
            actor,
            from_state,
            note=note,
            unit=unit,
            data={"from_unit": previous.pk if previous else None, "due_at": due.isoformat()},
        )
        _tell_units(
            appeal,
            [unit.pk],
            f"改派 #{appeal.pk}：请于 {timezone.localtime(due):%m-%d %H:%M} 前报到",
            appeal.display_title,
        )
        if previous is not None:
            _tell_units(appeal, [previous.pk], f"诉求 #{appeal.pk} 已改派至{unit}")
    return appeal


# --- unit actions ------------------------------------------------------------------------------------


def appeal_accept(*, actor, appeal, unit=None) -> Appeal:
    """报到: the acting unit's task is reported in; the lead unit's report-in starts the handling."""
    from redgrid.core.access import scope_of

    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "accept", actor)
        scope = scope_of(actor)
        # of=self: the select_related unit row must not be locked too (concurrent report-ins to one unit
        # would queue on it and deadlock with the foreign-key checks of other actions).
        tasks = appeal.tasks.select_for_update(of=("self",)).filter(
            ended_at__isnull=True, reported_at__isnull=True
        )
        if not scope.is_admin:
            tasks = tasks.filter(unit_id__in=list(scope.unit_ids))
        if unit is not None:
            tasks = tasks.filter(unit_id=unit.pk if isinstance(unit, Unit) else unit)
        candidates = list(tasks.select_related("unit"))
        # An account serving several summoned units reports in the lead unit first.
        task = next((t for t in candidates if t.role == TaskRole.LEAD), candidates[0] if candidates else None)
        if task is None:
            raise Conflict("您的单位已报到，无需重复报到")
        now = timezone.now()
        task.reported_at = now
        task.save(update_fields=["reported_at"])
        from_state = appeal.status
        outcome = "" if task.role == TaskRole.LEAD else "assist"
        appeal.status = workflow.TRANSITIONS["accept"].target(appeal.status, outcome)
        appeal.save()
        _event(
            appeal,
            "accept",
            actor,
            from_state,
            unit=task.unit,
            data={"role": task.role, "on_time": now <= task.due_at},
        )
        if task.role == TaskRole.LEAD:
            _tell_reporters(appeal, f"您的诉求 #{appeal.pk} 已由{task.unit}受理办理")
    return appeal


def appeal_return(*, actor, appeal, reason: str) -> Appeal:
    """退单: the lead unit sends the appeal back to the dispatcher; the street owns it again."""
    reason = _require_text(reason, "退单理由", 500)
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "return", actor)
        unit = appeal.owner_unit
        _end_tasks(appeal, timezone.now())
        from_state = appeal.status
        appeal.status, appeal.owner_unit, appeal.respond_due_at = Status.REGISTERED, None, None
        appeal.save()
        _event(appeal, "return", actor, from_state, note=reason, unit=unit)
        _tell_street(appeal, f"诉求 #{appeal.pk} 被{unit}退单，请重新派遣", reason)
    return appeal


def appeal_reply(*, actor, appeal, content: str, photos=()) -> Appeal:
    """反馈: the lead unit reports the result (text and evidence photos) for verification."""
    content = _require_text(content, "办理结果")
    rows = _read_photos(photos)
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "reply", actor)
        _save_photos(appeal, rows, kind=PhotoKind.EVIDENCE, actor=actor)
        from_state, appeal.status = appeal.status, Status.REPLIED
        appeal.save()
        _event(
            appeal,
            "reply",
            actor,
            from_state,
            note=content,
            unit=appeal.owner_unit,
            data={"photos": len(rows)},
        )
        from redgrid.accounts.models import RoleGrant

        verifiers = set()
        if appeal.grid_id:
            paths = Region.prefixes(appeal.grid.path)
            verifiers = set(
                RoleGrant.objects.filter(
                    role__in=["gridworker", "community"], region__path__in=paths
                ).values_list("user_id", flat=True)
            )
        notify.send(
            verifiers, title=f"诉求 #{appeal.pk} 已反馈，请核查", body=content[:200], link=_link(appeal)
        )
    return appeal


def appeal_extend(*, actor, appeal, days: int, reason: str) -> AppealExtension:
    """申请延期: at most one pending request; the street approves or denies it."""
    reason = _require_text(reason, "延期理由", 500)
    max_days = int(rule_value("appeals.extension.max_days"))
    if not isinstance(days, int) or not 1 <= days <= max_days:
        raise ValidationError(f"延期天数应为 1–{max_days} 天")
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "extend", actor)
        if appeal.extensions.filter(decision=ExtensionDecision.PENDING).exists():
            raise Conflict("已有待审批的延期申请，请等待街道审批")
        ext = AppealExtension.objects.create(
            appeal=appeal, unit=appeal.owner_unit, days=days, reason=reason, requested_by=actor
        )
        _event(
            appeal,
            "extend",
            actor,
            appeal.status,
            note=reason,
            unit=appeal.owner_unit,
            data={"days": days, "extension": ext.pk},
        )
        _tell_street(appeal, f"{appeal.owner_unit}申请诉求 #{appeal.pk} 延期 {days} 天", reason)
    return ext


def _decide_extension(*, actor, appeal, action: str, note: str) -> Appeal:
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, action, actor)
        ext = appeal.extensions.select_for_update().filter(decision=ExtensionDecision.PENDING).first()
        if ext is None:
            raise Conflict("没有待审批的延期申请")
        approved = action == "approve_extension"
        ext.decision = ExtensionDecision.APPROVED if approved else ExtensionDecision.DENIED
        ext.decided_by, ext.decided_at, ext.decision_note = actor, timezone.now(), note
        ext.save()
        data = {"days": ext.days, "extension": ext.pk}
        if approved:
            appeal.resolve_due_at = intake.extended_due(appeal.resolve_due_at or timezone.now(), ext.days)
            appeal.resolve_overdue_at = None  # a new deadline may be escalated again
            appeal.save()
            data["resolve_due_at"] = appeal.resolve_due_at.isoformat()
        _event(appeal, action, actor, appeal.status, note=note, unit=ext.unit, data=data)
        verdict = "已批准" if approved else "未获批准"
        _tell_units(appeal, [ext.unit_id], f"诉求 #{appeal.pk} 的延期申请{verdict}", note)
    return appeal


def appeal_approve_extension(*, actor, appeal, note: str = "") -> Appeal:
    """批准延期: the resolve deadline moves by the requested days."""
    return _decide_extension(actor=actor, appeal=appeal, action="approve_extension", note=note)


def appeal_deny_extension(*, actor, appeal, note: str = "") -> Appeal:
    """驳回延期."""
    return _decide_extension(actor=actor, appeal=appeal, action="deny_extension", note=note)


# --- verification, rating, reopening -----------------------------------------------------------------


def appeal_verify(*, actor, appeal, passed: bool, note: str = "") -> Appeal:
    """核查: pass → 已结案 (tasks end); fail → back to 处置中 with the reason."""
    if not passed:
        note = _require_text(note, "核查不通过的原因", 500)
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "verify", actor)
        from_state = appeal.status
        appeal.status = workflow.TRANSITIONS["verify"].target(appeal.status, "" if passed else "fail")
        now = timezone.now()
        if passed:
            appeal.closed_at = now
            _end_tasks(appeal, now)
        appeal.save()
        _event(
            appeal,
            "verify",
            actor,
            from_state,
            note=note,
            unit=appeal.owner_unit,
            data={
                "passed": bool(passed),
                "on_time": bool(appeal.resolve_due_at and now <= appeal.resolve_due_at),
            },
        )
        if passed:
            _tell_reporters(appeal, f"您的诉求 #{appeal.pk} 已办结，请评价", appeal.display_title)
        else:
            _tell_units(appeal, [appeal.owner_unit_id], f"诉求 #{appeal.pk} 核查未通过，请继续处置", note)
    return appeal


def appeal_rate(*, actor, appeal, rating: str, comment: str = "") -> AppealRating:
    """评价 / 回访: one rating per round of handling."""
    if rating not in Rating.values:
        raise ValidationError("评价应为 满意 / 基本满意 / 不满意")
    comment = (comment or "").strip()[:1000]
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "rate", actor)
        try:
            with transaction.atomic():
                row = AppealRating.objects.create(
                    appeal=appeal,
                    round=appeal.round,
                    rating=rating,
                    comment=comment,
                    rated_by=actor,
                    unit=appeal.owner_unit,
                )
        except IntegrityError as exc:
            raise Conflict("本轮办理已评价，不能重复评价") from exc
        _event(
            appeal,
            "rate",
            actor,
            appeal.status,
            note=comment,
            unit=appeal.owner_unit,
            data={"rating": rating},
        )
        if rating == Rating.UNSATISFIED:
            _tell_street(appeal, f"诉求 #{appeal.pk} 评价为不满意", comment)
            if appeal.owner_unit_id:
                _tell_units(appeal, [appeal.owner_unit_id], f"诉求 #{appeal.pk} 评价为不满意", comment)
    return row


def appeal_reopen(*, actor, appeal, reason: str = "") -> Appeal:
    """重办: after an unsatisfied rating, the owner unit handles the appeal again (a new round with a new
    resolve deadline, no new report-in: the unit knows the case); allowed `appeals.reopen.max` times."""
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "reopen", actor)
        last = appeal.ratings.filter(round=appeal.round).first()
        if last is None or last.rating != Rating.UNSATISFIED:
            raise Conflict("只有评价为「不满意」后才能申请重办")
        limit = int(rule_value("appeals.reopen.max"))
        if appeal.reopen_count >= limit:
            raise Conflict(f"该诉求已重办 {appeal.reopen_count} 次，不能再次重办")
        if appeal.owner_unit_id is None:
            raise Conflict("该诉求没有主办单位，不能重办")
        now = timezone.now()
        from_state = appeal.status
        appeal.status = Status.IN_PROGRESS
        appeal.round += 1
        appeal.reopen_count += 1
        appeal.closed_at = None
        appeal.resolve_due_at = intake.sla_for(appeal.category, appeal.urgency).resolve_due(now)
        appeal.resolve_overdue_at = None
        appeal.save()
        _event(
            appeal,
            "reopen",
            actor,
            from_state,
            note=reason,
            unit=appeal.owner_unit,
            data={"resolve_due_at": appeal.resolve_due_at.isoformat()},
        )
        _tell_units(appeal, [appeal.owner_unit_id], f"诉求 #{appeal.pk} 重办", reason)
    return appeal


# --- merge and cancel --------------------------------------------------------------------------------


def appeal_merge(*, actor, appeal, into, note: str = "") -> Appeal:
    """合并: a duplicate joins an open appeal; its reporter and followers follow the surviving one."""
    into_pk = into.pk if isinstance(into, Appeal) else into
    dup_pk = appeal.pk if isinstance(appeal, Appeal) else appeal
    if str(into_pk) == str(dup_pk):
        raise ValidationError("不能把诉求合并到自身")
    with transaction.atomic():
        # Lock both rows in id order so two opposite merges cannot deadlock.
        locked = {
            a.pk: a
            for a in Appeal.objects.select_for_update().filter(pk__in=[dup_pk, into_pk]).order_by("pk")
        }
        if len(locked) != 2:
            from django.http import Http404

            raise Http404("诉求不存在")
        appeal, target = locked[int(dup_pk)], locked[int(into_pk)]
        _check(appeal, "merge", actor)
        if not target.is_open or target.merged_into_id:
            raise Conflict(f"目标诉求当前状态为「{target.status_label}」，不能并入")
        if workflow.DISPATCHER not in actor_kinds(actor, target):
            raise PermissionDenied("目标诉求不在您的管辖范围内")
        users = set(appeal.followers.values_list("user_id", flat=True))
        if appeal.reporter_id:
            users.add(appeal.reporter_id)
        AppealFollower.objects.bulk_create(
            [AppealFollower(appeal=target, user_id=u) for u in users], ignore_conflicts=True
        )
        from_state = appeal.status
        appeal.status, appeal.merged_into = Status.CANCELLED, target
        appeal.save()
        _event(appeal, "merge", actor, from_state, note=note, data={"into": target.pk})
        AppealEvent.objects.create(
            appeal=target,
            action="merged_in",
            actor=actor,
            from_state=target.status,
            to_state=target.status,
            round=target.round,
            note=note,
            data={"from": appeal.pk},
        )
        notify.send(
            users, title=f"您反映的诉求 #{appeal.pk} 已并入 #{target.pk} 一并办理", link=_link(target)
        )
    return appeal


def appeal_cancel(*, actor, appeal, reason: str = "") -> Appeal:
    """撤销: the reporter withdraws the appeal before it is dispatched."""
    with transaction.atomic():
        appeal = _lock(appeal)
        _check(appeal, "cancel", actor)
        from_state, appeal.status = appeal.status, Status.CANCELLED
        appeal.save()
        _event(appeal, "cancel", actor, from_state, note=(reason or "").strip()[:500])
    return appeal


# --- assessment weights ------------------------------------------------------------------------------

RANK_WEIGHTS_KEY = "appeals.rank.weights"
RANK_WEIGHT_LABELS = ("响应率", "解决率", "满意率")


def rank_weights_set(*, actor, weights, note: str = "") -> list:
    """考核权重: an administrator sets the weights of 响应率, 解决率, 满意率 (rule `appeals.rank.weights`):
    three non-negative numbers (at most 2 decimals) summing to 100; the change is audited."""
    import math

    from redgrid.core.access import scope_of
    from redgrid.core.models import Rule
    from redgrid.core.rules import REGISTRY

    if not scope_of(actor).is_admin:
        raise PermissionDenied("只有系统管理员可以修改考核权重")
    weights = list(weights)
    if len(weights) != len(RANK_WEIGHT_LABELS):
        raise ValidationError("请填写响应率、解决率、满意率三项权重")
    values = []
    for label, raw in zip(RANK_WEIGHT_LABELS, weights, strict=True):
        try:
            value = float(str(raw).strip())
        except ValueError as exc:
            raise ValidationError(f"{label}权重应为数字") from exc
        if not math.isfinite(value) or value < 0:
            raise ValidationError(f"{label}权重不能为负数")
        if round(value, 2) != value:
            raise ValidationError(f"{label}权重最多保留两位小数")
        values.append(int(value) if value.is_integer() else value)
    total = round(sum(values), 2)
    if total != 100:
        raise ValidationError(f"三项权重之和应为 100（现为 {total:g}）")
    with transaction.atomic():
        row = Rule.objects.select_for_update().filter(key=RANK_WEIGHTS_KEY).first()
        old = row.value if row else REGISTRY[RANK_WEIGHTS_KEY].default
        row, _ = Rule.objects.update_or_create(
            key=RANK_WEIGHTS_KEY, defaults={"value": values, "note": (note or "考核排名页修改")[:200]}
        )
        audit.record(
            "rules.change", row, actor=actor, summary={"key": RANK_WEIGHTS_KEY, "from": old, "to": values}
        )
        # The save signal cleared the cache before the commit; a reader in between may have cached the
        # old value again.
        from redgrid.core.rules import invalidate

        transaction.on_commit(invalidate)
    return values


__all__ = [name for name in dir() if name.startswith("appeal_")] + [
    "RateLimited",
    "IntakeResult",
    "add_photos",
    "rank_weights_set",
]
