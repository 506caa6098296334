from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="用户名或手机号", max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    error_messages = {
        "invalid_login": "用户名/手机号或密码错误。连续失败 5 次将锁定 15 分钟。",
        "inactive": "该账号已停用。",
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def locked_out(request, credentials=None, *args, **kwargs):
    """Shown by django-axes after too many failures (等保 2.0: 登录失败处理)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "连续登录失败次数过多，账号已锁定 15 分钟，请稍后再试"}, status=403)
    return render(request, "accounts/locked.html", status=403)
