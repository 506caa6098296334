"""URLs of 议事厅, 征求意见, 公开公示, 网上评议 and 信息发布 (appended to participation/urls.py).

Resident and member pages are mobile (H5); staff pages live under manage/.
"""

from django.urls import path

from redgrid.participation import (
    article_views,
    evaluation_views,
    notice_views,
    solicitation_views,
    topic_views,
)

urlpatterns = [
    # 议事厅
    path("topics/", topic_views.topics, name="topics"),
    path("topics/propose/", topic_views.topic_propose, name="topic_propose"),
    path("topics/<int:pk>/", topic_views.topic_detail, name="topic"),
    path("topics/<int:pk>/comment/", topic_views.topic_comment, name="topic_comment"),
    path("topics/<int:pk>/vote/", topic_views.topic_vote, name="topic_vote"),
    path("topics/comments/<int:pk>/report/", topic_views.comment_report, name="comment_report"),
    path("topics/comments/<int:pk>/<slug:action>/", topic_views.moderate, name="moderate"),
    path("manage/topics/", topic_views.manage_topics, name="manage_topics"),
    path("manage/topics/new/", topic_views.manage_topic_new, name="manage_topic_new"),
    path("manage/topics/<int:pk>/", topic_views.manage_topic, name="manage_topic"),
    path("manage/topics/<int:pk>/<slug:action>/", topic_views.manage_topic_act, name="manage_topic_act"),
    path("manage/moderation/", topic_views.moderation, name="moderation"),
    # 征求意见
    path("solicitations/", solicitation_views.solicitations, name="solicitations"),
    path("solicitations/<int:pk>/", solicitation_views.solicitation_detail, name="solicitation"),
    path("solicitations/<int:pk>/opinion/", solicitation_views.solicitation_opinion, name="solicitation_opinion"),
    path("solicitations/<int:pk>/document/", solicitation_views.solicitation_document, name="solicitation_document"),
    path("manage/solicitations/", solicitation_views.manage_solicitations, name="manage_solicitations"),
    path("manage/solicitations/new/", solicitation_views.manage_solicitation_new, name="manage_solicitation_new"),
    path("manage/solicitations/<int:pk>/", solicitation_views.manage_solicitation, name="manage_solicitation"),
    path(
        "manage/solicitations/<int:pk>/summary/",
        solicitation_views.manage_solicitation_summary,
        name="manage_solicitation_summary",
    ),
    path(
        "manage/solicitations/opinions/<int:pk>/respond/",
        solicitation_views.manage_opinion_respond,
        name="manage_opinion_respond",
    ),
    # 公开公示 / 党务公开
    path("notices/", notice_views.notices, name="notices"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice"),
    path("notices/<int:pk>/object/", notice_views.notice_object, name="notice_object"),
    path("notices/catalogue/", notice_views.catalogues, name="catalogues"),
    path("notices/catalogue/<int:pk>/", notice_views.catalogue, name="catalogue"),
    path("manage/notices/", notice_views.manage_notices, name="manage_notices"),
    path("manage/notices/new/", notice_views.manage_notice_new, name="manage_notice_new"),
    path("manage/notices/<int:pk>/", notice_views.manage_notice, name="manage_notice"),
    path("manage/notices/<int:pk>/<slug:action>/", notice_views.manage_notice_act, name="manage_notice_act"),
    path(
        "manage/notices/objections/<int:pk>/reply/",
        notice_views.manage_objection_reply,
        name="manage_objection_reply",
    ),
    # 网上评议
    path("evaluations/", evaluation_views.evaluate, name="evaluate"),
    path("evaluations/submit/", evaluation_views.evaluate_submit, name="evaluate_submit"),
    path("manage/evaluations/", evaluation_views.manage_evaluations, name="manage_evaluations"),
    path(
        "manage/evaluations/<slug:target_type>/<int:pk>/",
        evaluation_views.manage_evaluation_comments,
        name="manage_evaluation_comments",
    ),
    # 信息发布
    path("articles/", article_views.articles, name="articles"),
    path("articles/<int:pk>/", article_views.article_detail, name="article"),
    path("manage/articles/", article_views.manage_articles, name="manage_articles"),
    path("manage/articles/new/", article_views.manage_article_edit, name="manage_article_new"),
    path("manage/articles/<int:pk>/", article_views.manage_article, name="manage_article"),
    path("manage/articles/<int:pk>/edit/", article_views.manage_article_edit, name="manage_article_edit"),
    path("manage/articles/<int:pk>/<slug:action>/", article_views.manage_article_act, name="manage_article_act"),
]
