"""The hall manager's dashboard, mounted at `/admin` (issue #14): login, live view, alarms,
admin actions, complaints and reports.

    dashboard = Dashboard(config, hub, users, broker_db=engine, admin=admin_client)
    dashboard.on_alarm(notify)            # the hook: called once with each new Alarm
    app = with_dashboard(create_app(hub), dashboard)

See docs/web-dashboard.md for users, roles, sessions, CSRF, the login rate limit and the
reverse proxy.
"""

from hallcall.web.dashboard.alarms import Alarm, AlarmHook
from hallcall.web.dashboard.app import Dashboard, DashboardOptions, with_dashboard

__all__ = ["Alarm", "AlarmHook", "Dashboard", "DashboardOptions", "with_dashboard"]
