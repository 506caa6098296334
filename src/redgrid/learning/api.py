"""API of 党员教育 under /api/v1/learning/…: courses, heartbeats, quizzes, points and leaderboards."""

from datetime import datetime

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from redgrid.learning import selectors, services
from redgrid.learning.models import Quiz

router = Router(tags=["党员教育"])


class CourseOut(Schema):
    id: int
    slug: str
    title: str
    kind: str
    category: str
    summary: str
    minutes: int
    required_for: list[str]
    seconds: int = 0
    done: bool = False


class CourseDetailOut(CourseOut):
    body: str
    file_url: str | None = None


class HeartbeatIn(Schema):
    seconds: int = 0
    visible: bool = True
    position: int | None = None  # a video's playback position in seconds


class HeartbeatOut(Schema):
    seconds: int
    required_seconds: int
    completed: bool
    position: int = 0


class QuizOut(Schema):
    id: int
    kind: str
    title: str
    opens_at: datetime
    closes_at: datetime
    time_limit_seconds: int | None
    question_count: int
    status: str  # new / started / submitted


class QuestionOut(Schema):
    code: str
    kind: str
    stem: str
    options: list[str]


class AttemptOut(Schema):
    id: int
    quiz_id: int
    title: str
    started_at: datetime
    deadline: datetime | None
    questions: list[QuestionOut]


class SubmitIn(Schema):
    answers: dict[str, str | list[str]]


class ResultOut(Schema):
    code: str
    stem: str
    given: str
    correct: bool
    answer: str
    explanation: str


class SubmitOut(Schema):
    score: int
    correct: int
    points: int
    results: list[ResultOut]


class PointsOut(Schema):
    year: int
    total: int
    today: int
    today_by_activity: dict[str, int]
    hours: float
    hours_target: int


class RankOut(Schema):
    rank: int
    user_id: int
    name: str
    points: int


class LeaderboardOut(Schema):
    scope: str
    node_id: int
    node_name: str
    year: int
    my_points: int
    my_rank: int
    rows: list[RankOut]


def _course_out(c, record=None) -> dict:
    return {
        "id": c.pk,
        "slug": c.slug,
        "title": c.title,
        "kind": c.kind,
        "category": c.category,
        "summary": c.summary,
        "minutes": c.minutes,
        "required_for": c.required_for,
        "seconds": record.seconds if record else 0,
        "done": bool(record and record.completed_at),
    }


@router.get("/learning/courses", response=list[CourseOut], summary="课程列表（含本人本年度进度）")
def list_courses(request, category: str = ""):
    qs = selectors.courses_visible_to(request.user)
    if category:
        qs = qs.filter(category=category)
    records = selectors.study_records_of(request.user, year=timezone.localdate().year)
    return [_course_out(c, records.get(c.pk)) for c in qs]


@router.get("/learning/courses/{course_id}", response=CourseDetailOut, summary="课程详情")
def get_course(request, course_id: int):
    c = selectors.access_course(request.user, course_id)
    records = selectors.study_records_of(request.user, year=timezone.localdate().year, course=c)
    return {**_course_out(c, records.get(c.pk)), "body": c.body, "file_url": c.file.url if c.file else None}


@router.post(
    "/learning/courses/{course_id}/heartbeat",
    response=HeartbeatOut,
    summary="学习心跳（页面可见时每 15 秒一次；只计可见时间，不超过实际间隔）",
)
def heartbeat(request, course_id: int, payload: HeartbeatIn):
    course = selectors.access_course(request.user, course_id)
    record = services.study_heartbeat(
        user=request.user,
        course=course,
        seconds=payload.seconds,
        visible=payload.visible,
        position=payload.position,
    )
    return {
        "seconds": record.seconds,
        "required_seconds": course.minutes * 60,
        "completed": record.completed_at is not None,
        "position": record.position,
    }


@router.get(
    "/learning/quizzes", response=list[QuizOut], summary="当前开放的答题（今日、本周、专项、考试、竞赛）"
)
def list_quizzes(request):
    today = timezone.localdate()
    services.quiz_ensure_daily(today)
    services.quiz_ensure_daily(today, weekly=True)
    quizzes = list(selectors.quizzes_open())
    states = selectors.attempt_states(request.user, quizzes)
    return [
        {
            **{
                f: getattr(q, f)
                for f in (
                    "id",
                    "kind",
                    "title",
                    "opens_at",
                    "closes_at",
                    "time_limit_seconds",
                    "question_count",
                )
            },
            "status": states.get(q.pk, "new"),
        }
        for q in quizzes
    ]


def _attempt_out(attempt) -> dict:
    questions = selectors.attempt_questions(attempt)
    return {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "title": attempt.quiz.title,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "questions": [
            {"code": q.code, "kind": q.kind, "stem": q.stem, "options": q.options} for q in questions
        ],
    }


@router.post(
    "/learning/quizzes/{quiz_id}/start", response=AttemptOut, summary="开始答题（未提交时继续原作答）"
)
def start_quiz(request, quiz_id: int):
    quiz: Quiz = selectors.access_quiz(request.user, quiz_id)
    return _attempt_out(services.quiz_start(user=request.user, quiz=quiz))


@router.post(
    "/learning/attempts/{attempt_id}/submit",
    response=SubmitOut,
    summary="提交答案（自动判分、给出解析；限时考试超时不予接受）",
)
def submit_attempt(request, attempt_id: int, payload: SubmitIn):
    attempt = selectors.access_attempt(request.user, attempt_id)
    result = services.quiz_submit(user=request.user, attempt=attempt, answers=payload.answers)
    return {
        "score": result["attempt"].score,
        "correct": result["attempt"].correct,
        "points": result["points"],
        "results": [
            {
                "code": r["question"].code,
                "stem": r["question"].stem,
                "given": r["given"],
                "correct": r["correct"],
                "answer": r["answer"],
                "explanation": r["explanation"],
            }
            for r in result["results"]
        ],
    }


@router.get("/learning/points/me", response=PointsOut, summary="我的积分与学时")
def my_points(request):
    year = timezone.localdate().year
    points = selectors.my_points(request.user, year=year)
    hours = selectors.study_hours(request.user, year=year)
    return {**points, "hours": hours["hours"], "hours_target": hours["target"]}


@router.get(
    "/learning/leaderboard",
    response=LeaderboardOut,
    summary="积分排行（scope=branch|community|street；node 缺省为本人所在组织/社区/街道）",
)
def leaderboard(request, scope: str = "branch", node: int | None = None, year: int | None = None):
    year = year or timezone.localdate().year
    target = selectors.leaderboard_node(request.user, scope, node)
    me = selectors.rank_of(request.user, target, scope, year=year)
    return {
        "scope": scope,
        "node_id": target.pk,
        "node_name": target.name,
        "year": year,
        "my_points": me["points"],
        "my_rank": me["rank"],
        "rows": selectors.leaderboard(target, scope, year=year),
    }


class ContestPersonOut(Schema):
    rank: int
    name: str
    score: int
    seconds: int | None


class ContestBranchOut(Schema):
    org_id: int
    name: str
    members: int
    average: float


class ContestRankingOut(Schema):
    quiz_id: int
    title: str
    people: list[ContestPersonOut]
    branches: list[ContestBranchOut]


@router.get(
    "/learning/quizzes/{quiz_id}/ranking",
    response=ContestRankingOut,
    summary="知识竞赛排名（个人按得分、用时；支部按平均分）",
)
def contest_ranking(request, quiz_id: int):
    quiz = selectors.access_quiz(request.user, quiz_id)
    if quiz.kind != Quiz.Kind.CONTEST:
        raise Http404
    return {"quiz_id": quiz.pk, "title": quiz.title, **selectors.contest_ranking(quiz)}


class MemberStudyOut(Schema):
    member_id: int
    name: str
    org: str
    position: str
    hours: float
    target: int
    met: bool
    points: int


@router.get(
    "/learning/branches/{org_id}/study",
    response=list[MemberStudyOut],
    summary="支部学习情况：每名党员本年度学时、目标与积分（按权限范围）",
)
def branch_study(request, org_id: int, year: int | None = None):
    from redgrid.party.selectors import access_party_org

    if not selectors.scope_of(request.user).is_staff:
        raise Http404
    org = access_party_org(request.user, org_id)
    rows = selectors.branch_study_report(org, year=year or timezone.localdate().year)
    return [
        {
            "member_id": r["member"].pk,
            "name": r["member"].person.name,
            "org": r["member"].org.name,
            "position": r["member"].position,
            "hours": r["hours"],
            "target": r["target"],
            "met": r["met"],
            "points": r["points"],
        }
        for r in rows
    ]
