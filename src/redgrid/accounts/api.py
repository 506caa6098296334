from django.contrib.auth import authenticate
from ninja import Router, Schema, Status

from redgrid.core.api import issue_token

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    detail: str


class GrantOut(Schema):
    role: str
    role_name: str
    node_type: str
    node_id: int
    node_name: str


class MeOut(Schema):
    username: str
    display_name: str
    grants: list[GrantOut]


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 403: ErrorOut}, summary="用户名或手机号 + 密码换取令牌")
def create_token(request, payload: TokenIn):
    request.login_via = "api"
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return Status(403, {"detail": "连续登录失败次数过多，账号已锁定 15 分钟，请稍后再试"})
    if user is None:
        return Status(401, {"detail": "用户名/手机号或密码错误"})
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return Status(200, {"token": issue_token(user)})


@router.get("/me", response=MeOut, summary="当前账号与授权")
def me(request):
    user = request.user
    grants = [
        {
            "role": g.role,
            "role_name": g.get_role_display(),
            "node_type": g.node_type,
            "node_id": g.node.pk,
            "node_name": str(g.node),
        }
        for g in user.grants.select_related("region", "party_org", "unit")
    ]
    return {"username": user.username, "display_name": str(user), "grants": grants}
