"""征求意见: a draft (text and/or a document) open for opinions in a period; the organiser answers each
opinion and publishes a summary. Services first, then scoped reads.

Opinions are private to their author and the organisers while the draft is open; publishing the summary
makes the opinions (authors' names masked) and the answers public to everyone who sees the draft.
"""

import uuid
import zipfile
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict
from redgrid.core.rules import rule_value
from redgrid.core.uploads import sniff_image
from redgrid.participation import deliberation_rules  # noqa: F401  (defines the rules read below)
from redgrid.participation.audience import home_area_q, notify, staff_area_q
from redgrid.participation.deliberation import can_manage_area
from redgrid.participation.models import Solicitation, SolicitationEvent, SolicitationOpinion
from redgrid.participation.services import _clean_text
from redgrid.regions.models import Region

Ph = Solicitation.Phase

# What each phase allows (transitions as data): opinions only while open; answers until the summary is
# out; the summary only after the period closed, once.
PHASE_ACTIONS: dict[str, frozenset[str]] = {
    Ph.UPCOMING: frozenset({"respond"}),
    Ph.OPEN: frozenset({"opine", "respond"}),
    Ph.CLOSED: frozenset({"respond", "publish_summary"}),
    Ph.SUMMARIZED: frozenset(),
}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def sniff_document(upload) -> tuple[str, str] | None:
    """(mime, extension) from the file's content — never its name or declared type: PDF, Word/Excel
    (.docx/.xlsx: a ZIP holding `[Content_Types].xml` and the matching part; .doc/.xls: OLE), or an image."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if head.startswith(_OLE):
        return "application/msword", "doc"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as z:  # reads the directory only; nothing is decompressed
                names = z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for prefix, kind in _OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return kind
        return None
    return sniff_image(head)


def validate_document(upload) -> tuple[str, str]:
    limit = rule_value("solicitation.document_max_mb")
    if upload.size > limit * 1024 * 1024:
        raise ValidationError(f"附件不能超过 {limit} MB（规则 solicitation.document_max_mb）")
    kind = sniff_document(upload)
    if kind is None:
        raise ValidationError("附件格式不支持，请上传 PDF、Word（doc/docx）、Excel（xlsx）或图片文件")
    return kind


def _event(s: Solicitation, *, actor, action: str, note: str = "", data=None) -> SolicitationEvent:
    phase = s.phase
    return SolicitationEvent.objects.create(
        solicitation=s, actor=actor, action=action, from_state=phase, to_state=phase, note=note, data=data or {}
    )


def _link(s: Solicitation) -> str:
    return f"/participation/solicitations/{s.pk}/"


def _require_organiser(user, s: Solicitation) -> None:
    if not can_manage_area(user, s.area):
        raise PermissionDenied("只有征求范围所在社区或街道的工作人员可以执行此操作")


def solicitation_create(
    *, actor, title: str, body: str, area: Region, opens_at, closes_at, document=None
) -> Solicitation:
    """Publish a draft for comments: text, an uploaded document, or both."""
    if not can_manage_area(actor, area):
        raise PermissionDenied("只有该区域的社区或街道工作人员可以发起征求意见")
    title = _clean_text(title, label="标题", max_length=100)
    body = _clean_text(body, label="征求意见稿", max_length=20000, required=document is None)
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise ValidationError("请填写开始和截止时间，且截止时间须晚于开始时间")
    min_days = rule_value("solicitation.min_days")
    if closes_at - opens_at < timedelta(days=min_days):
        raise ValidationError(f"征求意见期不少于 {min_days} 天（规则 solicitation.min_days）")
    if closes_at <= timezone.now():
        raise ValidationError("截止时间须晚于现在")
    kind = validate_document(document) if document is not None else None
    with transaction.atomic():
        s = Solicitation(title=title, body=body, area=area, opens_at=opens_at, closes_at=closes_at, created_by=actor)
        if kind is not None:
            s.document_name = (getattr(document, "name", "") or f"附件.{kind[1]}")[-120:]
            s.document_type = kind[0]
            s.document.save(f"{uuid.uuid4().hex}.{kind[1]}", document, save=False)
        s.save()
        _event(s, actor=actor, action="create", data={"document": bool(kind)})
        audit.record("solicitation.create", s, actor=actor, summary={"area": area.code})
    return s


def opinion_submit(*, actor, solicitation, body: str, clause: str = "") -> SolicitationOpinion:
    """A resident's opinion while the draft is open (at most the configured number per person)."""
    body = _clean_text(body, label="意见内容", max_length=2000)
    clause = _clean_text(clause, label="针对条款", max_length=50, required=False)
    with transaction.atomic():
        s = Solicitation.objects.select_for_update(of=("self",)).select_related("area").get(pk=solicitation.pk)
        if not solicitations_visible_to(actor).filter(pk=s.pk).exists():
            raise PermissionDenied("您不在本次征求意见的范围内")
        if "opine" not in PHASE_ACTIONS[s.phase]:
            raise Conflict(f"征求意见{s.phase_label}，不能提交意见")
        limit = rule_value("solicitation.opinions_per_person")
        if s.opinions.filter(author=actor).count() >= limit:
            raise ValidationError(f"每人对同一征求意见稿最多提交 {limit} 条意见（规则 solicitation.opinions_per_person）")
        opinion = SolicitationOpinion.objects.create(solicitation=s, author=actor, clause=clause, body=body)
        audit.record("solicitation.opinion", s, actor=actor, summary={"opinion": opinion.pk})
    return opinion


def opinion_respond(*, actor, opinion, adoption: str, response: str) -> SolicitationOpinion:
    """The organiser records whether the opinion was adopted and why; the author is told."""
    if adoption not in SolicitationOpinion.Adoption.values:
        raise ValidationError("请选择采纳情况")
    response = _clean_text(response, label="答复", max_length=1000)
    with transaction.atomic():
        opinion = SolicitationOpinion.objects.select_for_update(of=("self",)).select_related("solicitation__area").get(
            pk=opinion.pk
        )
        s = opinion.solicitation
        _require_organiser(actor, s)
        if "respond" not in PHASE_ACTIONS[s.phase]:
            raise Conflict("采纳情况已公布，不能再修改答复")
        opinion.adoption, opinion.response = adoption, response
        opinion.responded_by, opinion.responded_at = actor, timezone.now()
        opinion.save(update_fields=["adoption", "response", "responded_by", "responded_at"])
        _event(s, actor=actor, action="respond", note=response, data={"opinion": opinion.pk, "adoption": adoption})
        audit.record("solicitation.respond", s, actor=actor, summary={"opinion": opinion.pk})
        notify(
            [opinion.author_id],
            title=f"您对「{s.title}」提出的意见已答复：{opinion.get_adoption_display()}",
            body=response[:200],
            link=_link(s),
            kind="solicitation",
        )
    return opinion


def solicitation_publish_summary(*, actor, solicitation, summary: str) -> Solicitation:
    """After the period: publish the summary; opinions and answers become public; contributors are told."""
    summary = _clean_text(summary, label="意见采纳情况说明", max_length=5000)
    with transaction.atomic():
        s = Solicitation.objects.select_for_update(of=("self",)).select_related("area").get(pk=solicitation.pk)
        _require_organiser(actor, s)
        if "publish_summary" not in PHASE_ACTIONS[s.phase]:
            raise Conflict(f"征求意见{s.phase_label}，不能公布采纳情况（须在截止后公布一次）")
        s.summary, s.summary_published_at = summary, timezone.now()
        s.save(update_fields=["summary", "summary_published_at"])
        _event(s, actor=actor, action="publish_summary", note=summary[:500])
        audit.record("solicitation.publish_summary", s, actor=actor)
        ids = set(s.opinions.values_list("author_id", flat=True).distinct())
        notify(ids, title=f"征求意见采纳情况已公布：{s.title}", link=_link(s), kind="solicitation")
    return s


# --- selectors ------------------------------------------------------------------------------------------


def solicitations_visible_to(user) -> QuerySet[Solicitation]:
    """Residents: drafts for an area holding their home grid. Staff: drafts inside or above their subtree."""
    if not user.is_authenticated:
        return Solicitation.objects.none()
    if scope_of(user).is_admin:
        return Solicitation.objects.all()
    q = Q(created_by=user) | staff_area_q(user, "area__path") | home_area_q(user, "area__path")
    return Solicitation.objects.filter(q)


def access_solicitation(user, pk) -> Solicitation:
    return get_or_404(solicitations_visible_to(user).select_related("area", "created_by"), pk=pk)


def solicitation_list(user, *, phase: str = "", q: str = "") -> QuerySet[Solicitation]:
    qs = solicitations_visible_to(user).select_related("area").annotate(n_opinions=Count("opinions"))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    now = timezone.now()
    conditions = {
        Ph.UPCOMING: Q(summary_published_at__isnull=True, opens_at__gt=now),
        Ph.OPEN: Q(summary_published_at__isnull=True, opens_at__lte=now, closes_at__gt=now),
        Ph.CLOSED: Q(summary_published_at__isnull=True, closes_at__lte=now),
        Ph.SUMMARIZED: Q(summary_published_at__isnull=False),
    }
    if phase in conditions:
        qs = qs.filter(conditions[phase])
    return qs.order_by("-opens_at", "-id")


def opinions_visible_to(user, s: Solicitation) -> QuerySet[SolicitationOpinion]:
    """Organisers: all opinions. Others: their own, and everyone's once the summary is published."""
    qs = s.opinions.select_related("author", "responded_by").order_by("created_at", "id")
    if can_manage_area(user, s.area) or s.summary_published_at:
        return qs
    return qs.filter(author=user)
