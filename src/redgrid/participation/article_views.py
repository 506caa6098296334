"""信息发布 pages: the mobile article list and reader (opening it is the read receipt), and the staff pages
(drafts, audience, publish, withdraw, coverage per node)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.participation import articles as ar
from redgrid.participation.audience import AUDIENCE_ROLES, manages_targets
from redgrid.participation.models import Article
from redgrid.participation.page_utils import attempt, ids, manageable_areas, text

S = Article.Status


@login_required
def articles(request):
    q, category = text(request, "q"), request.GET.get("category", "")
    unread = request.GET.get("unread") == "1"
    ctx = paginate(request, ar.inbox_articles(request.user, q=q, category=category, unread=unread), per_page=20)
    ctx.update(q=q, category=category, unread=unread, categories=Article.Category.choices)
    return render(request, "participation/articles/list.html", ctx)


@login_required
def article_detail(request, pk):
    article = ar.access_article(request.user, pk)
    if article.status != S.PUBLISHED and not manages_targets(request.user, article):
        raise Http404
    ar.article_mark_read(user=request.user, article=article)
    return render(request, "participation/articles/detail.html", {"a": article})


# --- staff ----------------------------------------------------------------------------------------------


@staff_required
def manage_articles(request):
    q, status, category = text(request, "q"), request.GET.get("status", ""), request.GET.get("category", "")
    ctx = paginate(request, ar.staff_articles(request.user, q=q, status=status, category=category))
    ctx.update(q=q, status=status, category=category, statuses=S.choices, categories=Article.Category.choices)
    return render_staff(request, "participation/articles/manage_list.html", ctx)


def _form_context(user, form, chosen) -> dict:
    from redgrid.party.selectors import party_orgs_visible_to

    return {
        "form": form,
        "chosen": chosen,
        "areas": manageable_areas(user),
        "orgs": party_orgs_visible_to(user).order_by("path")[:500],
        "categories": Article.Category.choices,
        "roles": AUDIENCE_ROLES.items(),
    }


@staff_required
def manage_article_edit(request, pk=None):
    """New draft, or edit a draft (published articles are read-only)."""
    article = ar.access_article(request.user, pk) if pk else None
    if article is not None:
        form = {"title": article.title, "summary": article.summary, "body": article.body, "category": article.category}
        chosen = {
            "regions": list(article.regions.values_list("pk", flat=True)),
            "orgs": list(article.party_orgs.values_list("pk", flat=True)),
            "roles": list(article.roles),
        }
    else:
        form = {"title": "", "summary": "", "body": "", "category": Article.Category.NEWS}
        chosen = {"regions": [], "orgs": [], "roles": ["resident"]}
    if request.method == "POST":
        form.update({k: request.POST.get(k, "") for k in form})
        chosen = {
            "regions": ids(request.POST.getlist("regions")),
            "orgs": ids(request.POST.getlist("orgs")),
            "roles": request.POST.getlist("roles"),
        }
        fields = dict(form, region_ids=chosen["regions"], org_ids=chosen["orgs"], roles=chosen["roles"])
        if article is None:
            saved = attempt(request, lambda: ar.article_create(actor=request.user, **fields), "草稿已保存")
        else:
            saved = attempt(
                request, lambda: ar.article_update(actor=request.user, article=article, **fields), "草稿已保存"
            )
        if saved:
            return redirect("participation:manage_article", saved.pk)
    ctx = _form_context(request.user, form, chosen)
    ctx["article"] = article
    return render_staff(request, "participation/articles/manage_edit.html", ctx)


@staff_required
def manage_article(request, pk):
    article = ar.access_article(request.user, pk)
    kind = request.GET.get("kind", "")
    node = request.GET.get("node", "")
    cov = None
    if article.status != S.DRAFT:
        cov = attempt(
            request,
            lambda: ar.coverage(
                request.user,
                article,
                kind=kind if kind in ("region", "org") else "region",
                node_id=int(node) if node.isdigit() and len(node) < 12 else None,
            ),
        )
    ctx = {
        "a": article,
        "manager": manages_targets(request.user, article),
        "targets": list(article.regions.all()) + list(article.party_orgs.all()),
        "role_labels": [AUDIENCE_ROLES.get(r, r) for r in article.roles],
        "coverage": cov if isinstance(cov, dict) else None,
        "events": list(article.events.select_related("actor")),
    }
    return render_staff(request, "participation/articles/manage_detail.html", ctx)


@staff_required
@require_POST
def manage_article_act(request, pk, action):
    article = ar.access_article(request.user, pk)
    calls = {
        "publish": (lambda: ar.article_publish(actor=request.user, article=article), "已发布，正在推送到目标人群的消息中心"),
        "withdraw": (
            lambda: ar.article_withdraw(actor=request.user, article=article, reason=request.POST.get("reason", "")),
            "已撤回",
        ),
    }
    if action not in calls:
        raise Http404
    attempt(request, *calls[action])
    return redirect("participation:manage_article", pk)
