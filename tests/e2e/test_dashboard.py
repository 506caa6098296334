"""The leader's large screen in a real browser: the grid map is drawn (canvas), the charts load, no JS errors."""

import pytest
from django.conf import settings


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/workbench/")


@pytest.mark.django_db(transaction=True)
def test_the_leaders_large_screen_draws_the_grid_map_without_errors(demo_street, live_server, page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "favicon" not in (msg.location or {}).get("url", "")
            else None
        ),
    )
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/assessment/screen/")
    page.wait_for_selector("#dash-map canvas")
    page.wait_for_function(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('dash-map'));"
        " return c && c.getOption().series && c.getOption().series[0].data.length > 0; }"
    )
    grids = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('dash-map')).getOption().series[0].data.length"
    )
    assert grids >= 2
    page.wait_for_function("() => document.querySelector('#counters .counter b').textContent !== '—'")
    assert page.locator("#dash-trend canvas").count() == 1
    assert page.locator("#dash-units canvas").count() == 1
    assert "广文街道" in page.locator("#screen-title").inner_text()
    assert errors == []
