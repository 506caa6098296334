"""The task worker with a small scheduler: periodic tasks are enqueued here and run by the worker.

Several workers may run at once (PostgreSQL); each enqueues periodic work, and every periodic task is
written to be idempotent (compare-and-swap sweeps, sealing that locks the newest block).
"""

import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "运行后台任务进程（数据库队列）并按周期投递定时任务（审计封存、诉求超期巡检等）"

    def handle(self, *args, **options):
        stop = threading.Event()
        thread = threading.Thread(target=self._schedule, args=(stop,), daemon=True, name="redgrid-scheduler")
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()

    def _schedule(self, stop: threading.Event) -> None:
        from redgrid.core.tasks import PERIODIC

        next_run = {id(t): 0.0 for t, _ in PERIODIC}
        while not stop.is_set():
            now = time.monotonic()
            for task_obj, seconds in PERIODIC:
                if now >= next_run.get(id(task_obj), 0.0):
                    try:
                        task_obj.enqueue()
                    except Exception as exc:  # noqa: BLE001 - keep scheduling the others
                        self.stderr.write(f"无法投递定时任务 {task_obj}: {exc}")
                    finally:
                        close_old_connections()
                    next_run[id(task_obj)] = now + seconds
            stop.wait(1.0)
