"""Hot issues (每月一题) and the early warning (未诉先办) from the texts of recent appeals.

Terms of an appeal: its title and text normalised as the classifier does (place codes → 某, digits → 0),
cut by jieba, without the stopword list shipped in appeals/data (stopwords-iso, MIT) and a few words
every complaint uses; each distinct term counts once per appeal.

每月一题 (`compute_month`): the appeals of a street or community received in a month (not merged)
1. get TF-IDF vectors of their terms (sublinear tf, L2-normalised);
2. are clustered by average-linkage agglomerative clustering on cosine distance, cut at the rule
   `assessment.hot.distance`, within each first-level category block (bounded memory at district scale);
3. clusters of at least `assessment.hot.min_size` appeals, largest first, give the top
   `assessment.hot.top` problems; a problem's keywords are the heaviest terms of its mean vector, its
   examples the members closest to that mean. The rows are stored (HotTopic) and recomputed daily.

Early warning (`detect`), per community and term t (the nouns that can name a problem: `topic_terms_of`,
jieba's parts of speech n/nz/vn/an/ng without names of people, places and organisations and without the
nouns every complaint uses), with `now` the time of the run:
- x = appeals received in the last 7 days [now − 7 d, now) containing t;
- b_1 … b_B = the same count in each of the B (rule `assessment.warning.baseline_weeks`, 8) preceding
  7-day windows; μ their mean, σ their (population) standard deviation;
- v = max(1, this window's appeals ÷ the baseline windows' mean): a busier week raises every term;
- t surges when x ≥ m (`min_count`, 4), x ≥ v·μ + k·σ (`k`, 3: faster than its own week-to-week spread),
  and the Poisson upper tail P(X ≥ x | λ) ≤ α ÷ n with λ = max(v·μ, λ_min) (`alpha`, 0.001; `lambda_min`,
  0.5/week, so a term never seen before needs several appeals) and n the number of terms with x ≥ m
  this week (Bonferroni: a quiet community-week raises a false alarm with probability about α);
- surging terms of one community are merged into one topic when their current appeals overlap
  (|A ∩ B| ≥ `merge_overlap` × min(|A|, |B|)); the topic's key is its term with the most appeals;
- a community is only tested when it has appeals older than the baseline (a new deployment has no
  baseline to grow from).
Precision and recall on a labelled sample: bench/warnings_precision.py.
Each topic raises one proactive task for the community (hotspots_tasks.raise_task): at most once per
community, ISO week and key (unique constraint), and not again for a topic whose appeals overlap a task
already raised that week.
"""

import functools
import importlib.resources
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from redgrid.core.rules import rule_value
from redgrid.regions.models import Region

# Words of every complaint: they say nothing about what the problem is.
COMPLAINT_WORDS = frozenset(
    "反映 问题 希望 请求 要求 恳请 相关 部门 有关 解决 处理 情况 现在 已经 没有 进行 我们 居民 市民 业主 领导 "
    "政府 这个 一直 严重 影响 尽快 多次 非常 给予 造成 存在 至今 导致 能否 是否 请问 您好 你好 谢谢 感谢 "
    "某市 某区 某某 时候 目前 一下 今年 去年 每天 问题 回复 关注 重视 协调 及时 投诉 希望 帮助 几天 好几天 好几 "
    "没人 没有人 很多 很大 一个 这里 那里 我们 大家 经常 总是 一周 半年 一年 以来".split()
)


@functools.cache
def _stopwords() -> frozenset[str]:
    source = importlib.resources.files("redgrid.appeals") / "data" / "stopwords_zh.txt"
    lines = source.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#")) | COMPLAINT_WORDS


# Words of residents' problems that jieba's default dictionary glues to their neighbours ("路灯不亮" →
# 路 / 灯不亮); added to this module's own tokenizer only (the classifier's cut stays as it was trained).
DOMAIN_WORDS = (
    "路灯 不亮 停水 停电 漏水 渗水 噪音 扰民 垃圾 清运 井盖 占道 乱停 停车位 电梯 物业 违建 油烟 积水 "
    "下水道 堵塞 路面 破损 坑洼 施工 广场舞 充电桩 飞线 楼道 杂物 供暖 暖气 燃气 异味 污水 绿化 树木 "
    "流浪狗 宠物 学位 入学 医保 社保 养老金 拖欠 工资 公交 红绿灯"
).split()
GLUED = ("灯不亮", "没人修", "垃圾清运")


@functools.cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, freq=200_000, tag="n")
    for word in GLUED:
        tokenizer.del_word(word)
    return tokenizer


def _keep(word: str, stop: frozenset) -> bool:
    return (
        len(word) >= 2
        and word not in stop
        and "某" not in word
        and not any(ch.isdigit() for ch in word)
        and any("\u4e00" <= ch <= "\u9fff" or ch.isalpha() for ch in word)
    )


@functools.lru_cache(maxsize=50_000)
def terms_of(text: str) -> tuple[str, ...]:
    """The distinct terms of a text, in order of first appearance."""
    from redgrid.appeals.classifier import normalise_text

    stop = _stopwords()
    seen = dict.fromkeys(w for w in _tokenizer().lcut(normalise_text(text)) if _keep(w.strip(), stop))
    return tuple(seen)


# Parts of speech a problem is named by: nouns, verbal and adjectival nouns (not names of people, places
# or organisations: the place is the community already, and names are personal).
TOPIC_FLAGS = frozenset({"n", "nz", "vn", "an", "ng"})
# Nouns of every complaint (they grow with the volume, not with a problem).
GENERIC_NOUNS = frozenset(
    "地方 事情 办法 时间 人员 行为 工作 生活 费用 情况 问题 部门 单位 关系 方面 原因 结果 时候 事件 东西 "
    "公司 管理 领导 群众 老百姓 百姓 家庭 家人 身体 条件 标准 规定 政策 手续 程序 材料 资料 电话 热线 "
    "记者 网友 朋友 人家 大家 本人 我家 孩子 父母 老人 消息 答复 回复 意见 建议 要求 效果 作用 能力".split()
)


@functools.cache
def _pos_tokenizer():
    from jieba import posseg

    return posseg.POSTokenizer(_tokenizer())


@functools.lru_cache(maxsize=50_000)
def topic_terms_of(text: str) -> tuple[str, ...]:
    """The distinct nouns of a text that can name a problem (the keys of the early warning)."""
    from redgrid.appeals.classifier import normalise_text

    stop = _stopwords()
    words = (
        p.word.strip()
        for p in _pos_tokenizer().lcut(normalise_text(text))
        if p.flag in TOPIC_FLAGS or p.word in DOMAIN_WORDS
    )
    return tuple(dict.fromkeys(w for w in words if _keep(w, stop) and w not in GENERIC_NOUNS))


BIGRAM = "\u00b7"  # prefix of the character-pair features (never shown as keywords)


@functools.lru_cache(maxsize=50_000)
def features_of(text: str) -> tuple[str, ...]:
    """Terms plus the pairs of adjacent Chinese characters of the text: short texts that word the same
    problem differently still share pairs ("路灯不亮" and "灯坏了" share little else)."""
    from redgrid.appeals.classifier import normalise_text

    stop = _stopwords()
    norm = normalise_text(text)
    pairs = dict.fromkeys(
        BIGRAM + norm[i : i + 2]
        for i in range(len(norm) - 1)
        if all("\u4e00" <= ch <= "\u9fff" for ch in norm[i : i + 2])
        and norm[i : i + 2] not in stop
        and "某" not in norm[i : i + 2]
    )
    return terms_of(text) + tuple(pairs)


def appeal_text(title: str, content: str) -> str:
    return f"{title}\n{content}" if title else content


# --- 每月一题 ----------------------------------------------------------------------------------------


@dataclass
class Cluster:
    members: list[int]  # indices into the input
    keywords: list[str]
    examples: list[int]  # indices, closest to the mean first


def cluster_texts(docs: list[tuple[str, ...]], *, distance: float, min_size: int) -> list[Cluster]:
    """Clusters of similar documents (lists of terms), largest first (steps 1–3 of the module docstring)."""
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    keep = [i for i, d in enumerate(docs) if d]
    if len(keep) < max(2, min_size):
        return []
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True)
    X = vectorizer.fit_transform([docs[i] for i in keep])
    vocab = np.array(vectorizer.get_feature_names_out())
    dist = np.clip(1.0 - (X @ X.T).toarray(), 0.0, 2.0)
    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance, metric="precomputed", linkage="average"
    ).fit_predict(dist)
    out = []
    for label in set(labels.tolist()):
        rows = np.flatnonzero(labels == label)
        if len(rows) < min_size:
            continue
        centre = np.asarray(X[rows].mean(axis=0)).ravel()
        top = [vocab[j] for j in np.argsort(-centre) if centre[j] > 0 and not vocab[j].startswith(BIGRAM)][:6]
        closeness = np.asarray(X[rows] @ centre).ravel()
        order = rows[np.argsort(-closeness)]
        out.append(Cluster([keep[r] for r in rows], top, [keep[r] for r in order[:3]]))
    out.sort(key=lambda c: (-len(c.members), c.keywords))
    return out


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _area_q(area: Region) -> Q:
    return Q(grid__path__startswith=area.path) | Q(grid__isnull=True, street__path__startswith=area.path)


def compute_month(area: Region, month: date) -> list:
    """Recompute and store the hot issues of an area (street or community) for a month."""
    from redgrid.appeals.models import Appeal
    from redgrid.assessment.dash_rollup import category_root
    from redgrid.assessment.models import HotTopic
    from redgrid.units.models import Category

    month = month.replace(day=1)
    start, end = month_bounds(month)
    rows = list(
        Appeal.objects.filter(
            _area_q(area), created_at__gte=start, created_at__lt=end, merged_into__isnull=True
        )
        .order_by("-created_at", "-id")
        .values_list("pk", "title", "content", "category_id", "suggested_category_id")[
            : int(rule_value("assessment.hot.max_texts"))
        ]
    )
    blocks = defaultdict(list)
    for row in rows:
        blocks[category_root(row[3] or row[4])].append(row)
    names = dict(Category.objects.filter(pk__in=[b for b in blocks if b]).values_list("pk", "name"))
    found = []
    for root, block in blocks.items():
        docs = [features_of(appeal_text(r[1], r[2])) for r in block]
        for c in cluster_texts(
            docs,
            distance=float(rule_value("assessment.hot.distance")),
            min_size=int(rule_value("assessment.hot.min_size")),
        ):
            found.append((c, block, names.get(root, "未分类")))
    found.sort(key=lambda f: (-len(f[0].members), f[0].keywords))
    topics = []
    for rank, (c, block, category) in enumerate(found[: int(rule_value("assessment.hot.top"))], start=1):
        topics.append(
            HotTopic(
                area=area,
                month=month,
                rank=rank,
                label="、".join(c.keywords[:3])[:100],
                keywords=c.keywords,
                size=len(c.members),
                appeal_ids=sorted(block[i][0] for i in c.members)[:500],
                example_ids=[block[i][0] for i in c.examples],
                category=category,
            )
        )
    with transaction.atomic():
        HotTopic.objects.filter(area=area, month=month).delete()
        HotTopic.objects.bulk_create(topics)
    return topics


def hot_topics(area: Region, month: date, *, max_age: timedelta = timedelta(days=1)) -> list:
    """The stored hot issues; computed now when missing, or stale for the current month."""
    from redgrid.assessment.models import HotTopic

    month = month.replace(day=1)
    rows = list(HotTopic.objects.filter(area=area, month=month).order_by("rank"))
    current = month == timezone.localdate().replace(day=1)
    if not rows or (current and rows[0].computed_at < timezone.now() - max_age):
        rows = compute_month(area, month)
    return rows


def compute_all(month: date, *, log=None) -> int:
    """Every street's and community's hot issues of a month (the daily job)."""
    n = 0
    for area in Region.objects.filter(level__in=(Region.Level.STREET, Region.Level.COMMUNITY)).order_by(
        "path"
    ):
        n += len(compute_month(area, month))
        if log:
            log(area)
    return n


# --- early warning -----------------------------------------------------------------------------------


@dataclass
class Params:
    baseline_weeks: int = 8
    k: float = 3.0
    alpha: float = 0.001
    min_count: int = 4
    lambda_min: float = 0.5
    merge_overlap: float = 0.5

    @classmethod
    def from_rules(cls) -> "Params":
        return cls(
            baseline_weeks=int(rule_value("assessment.warning.baseline_weeks")),
            k=float(rule_value("assessment.warning.k")),
            alpha=float(rule_value("assessment.warning.alpha")),
            min_count=int(rule_value("assessment.warning.min_count")),
            lambda_min=float(rule_value("assessment.warning.lambda_min")),
            merge_overlap=float(rule_value("assessment.warning.merge_overlap")),
        )


@dataclass
class Burst:
    key: str
    terms: list[str]
    appeal_ids: list[int]
    count: int
    baseline: list[int]
    mean: float
    sd: float
    lam: float
    p_value: float
    threshold: float
    extra: dict = field(default_factory=dict)

    def evidence(self, params: Params, now: datetime) -> dict:
        return {
            "term": self.key,
            "count": self.count,
            "baseline": self.baseline,
            "mean": round(self.mean, 3),
            "sd": round(self.sd, 3),
            "lambda": round(self.lam, 3),
            "p_value": self.p_value,
            "threshold": round(self.threshold, 3),
            "k": params.k,
            "alpha": params.alpha,
            "min_count": params.min_count,
            "lambda_min": params.lambda_min,
            "window_end": now.isoformat(),
            "baseline_weeks": params.baseline_weeks,
            **self.extra,
        }


def poisson_tail(x: int, lam: float) -> float:
    """P(X ≥ x) for X ~ Poisson(lam)."""
    if x <= 0:
        return 1.0
    term = math.exp(-lam)
    below = term
    for i in range(1, x):
        term *= lam / i
        below += term
    return max(0.0, 1.0 - below)


def window_start(now: datetime, params: Params) -> datetime:
    return now - timedelta(days=7 * (params.baseline_weeks + 1))


def detect(appeals, now: datetime, params: Params) -> list[Burst]:
    """Surging topics of one community (module docstring). `appeals`: (id, created_at, terms) of the
    community's appeals received in [now − 7·(B+1) days, now)."""
    weeks = params.baseline_weeks
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * (weeks + 1))
    totals = [0] * (weeks + 1)
    current: dict[str, list[int]] = defaultdict(list)
    for pk, created_at, terms in appeals:
        age = now - created_at
        if age < timedelta(0):
            continue
        w = int(age / timedelta(days=7))
        if w > weeks:
            continue
        totals[w] += 1
        for t in terms:
            counts[t][w] += 1
            if w == 0:
                current[t].append(pk)
    candidates = [t for t, series in counts.items() if series[0] >= params.min_count]
    # The whole week's volume moves every term: expect each term in proportion to it, and share α among
    # the terms tested this week (Bonferroni), so a community-week raises a false alarm with about α.
    base_total = sum(totals[1:]) / weeks
    volume = max(1.0, totals[0] / base_total) if base_total else 1.0
    alpha = params.alpha / max(1, len(candidates))
    fired = []
    for term in candidates:
        series = counts[term]
        x = series[0]
        base = series[1:]
        mean = sum(base) / weeks
        sd = math.sqrt(sum((b - mean) ** 2 for b in base) / weeks)
        lam = max(mean * volume, params.lambda_min)
        threshold = mean * volume + params.k * sd
        if x < threshold:
            continue
        p = poisson_tail(x, lam)
        if p > alpha:
            continue
        burst = Burst(term, [term], sorted(current[term]), x, base, mean, sd, lam, p, threshold)
        burst.extra = {
            "volume_factor": round(volume, 3),
            "alpha_per_term": alpha,
            "terms_tested": len(candidates),
        }
        fired.append(burst)
    fired.sort(key=lambda b: (-b.count, b.p_value, b.key))
    topics: list[Burst] = []
    for b in fired:
        ids = set(b.appeal_ids)
        for topic in topics:
            shared = len(ids & set(topic.appeal_ids))
            if shared >= params.merge_overlap * min(len(ids), len(topic.appeal_ids)):
                topic.terms.append(b.key)
                topic.appeal_ids = sorted(set(topic.appeal_ids) | ids)
                break
        else:
            topics.append(b)
    return topics


def week_of(now: datetime) -> date:
    day = timezone.localtime(now, timezone.get_default_timezone()).date()
    return day - timedelta(days=day.weekday())


def community_streams(now: datetime, params: Params, communities=None) -> dict[int, list]:
    """(id, created_at, terms) of the located, unmerged appeals of the window, per community id, for the
    communities with appeals older than the window (those that have a baseline)."""
    from redgrid.appeals.models import Appeal

    start = window_start(now, params)
    qs = Region.objects.filter(level=Region.Level.COMMUNITY)
    if communities is not None:
        qs = qs.filter(pk__in=[c.pk for c in communities])
    by_path = {path: pk for pk, path in qs.values_list("pk", "path")}
    streams: dict[int, list] = defaultdict(list)
    rows = (
        Appeal.objects.filter(
            created_at__gte=start, created_at__lt=now, grid__isnull=False, merged_into__isnull=True
        )
        .order_by()
        .values_list("pk", "created_at", "title", "content", "grid__path")
    )
    for pk, created_at, title, content, grid_path in rows.iterator(chunk_size=2000):
        community = by_path.get(grid_path[: -Region.steplen])
        if community is not None:
            streams[community].append((pk, created_at, topic_terms_of(appeal_text(title, content))))
    with_history = set()
    for community_id in streams:
        path = next(p for p, pk in by_path.items() if pk == community_id)
        if Appeal.objects.filter(grid__path__startswith=path, created_at__lt=start).exists():
            with_history.add(community_id)
    return {c: s for c, s in streams.items() if c in with_history}


def run_warnings(now: datetime | None = None, *, communities=None, params: Params | None = None) -> dict:
    """Detect surges in every community and raise the proactive tasks (the periodic job and command)."""
    from redgrid.assessment.proactive import raise_task

    now = now or timezone.now()
    params = params or Params.from_rules()
    stats = {"communities": 0, "bursts": 0, "raised": 0}
    for community_id, stream in community_streams(now, params, communities).items():
        stats["communities"] += 1
        for burst in detect(stream, now, params):
            stats["bursts"] += 1
            if raise_task(community_id=community_id, burst=burst, now=now, params=params) is not None:
                stats["raised"] += 1
    return stats


def top_terms(stream, limit: int = 10) -> list[tuple[str, int]]:
    return Counter(t for _, _, terms in stream for t in terms).most_common(limit)
