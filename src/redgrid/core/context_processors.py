from django.conf import settings


def platform(request):
    return {"DEMO_MODE": settings.REDGRID_ENV == "demo", "PLATFORM_NAME": "红色网格"}
