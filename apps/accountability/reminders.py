"""Reminders of overdue rectification tasks: at most one a day per task (`apps.core.reminders`),
to the staff of the region (or of the department) that owes the answer."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.reminders import Outcome, deliver_once, split_recipients

from .models import RectificationReminder, RectificationTask, TaskStatus

logger = logging.getLogger(__name__)


def overdue_tasks(today=None):
    today = today or timezone.localdate()
    return RectificationTask.objects.filter(
        status__in=[TaskStatus.OPEN, TaskStatus.RETURNED], deadline__lt=today
    ).select_related("region", "department", "decision__candidate")


def owners(task: RectificationTask):
    users = get_user_model().objects.filter(is_active=True, region=task.region)
    if task.department_id:
        return users.filter(role=Role.DEPARTMENT_STAFF, department__kind=task.department.kind)
    return users.filter(role=Role.REGION_STAFF)


def send_reminders(today=None) -> int:
    """Remind every overdue task's owners; returns how many tasks were reminded now."""
    today = today or timezone.localdate()
    sent = 0
    for task in overdue_tasks(today):
        recipients, skipped = split_recipients(owners(task))
        if not recipients:
            continue
        subject = f"整改任务已逾期：{task.region.name} {task.decision.candidate.year}年"
        body = (
            f"{task.region.name}：\n\n您的整改任务应于{task.deadline.isoformat()}前答复，现已逾期。\n"
            f"任务：{task.description}\n\n请登录平台答复整改情况。"
        )

        def record(task=task, recipients=recipients, skipped=skipped):
            RectificationReminder.objects.create(
                task=task, sent_on=today, recipients=[u.email for u in recipients], skipped=skipped
            )

        def send(subject=subject, body=body, recipients=recipients):
            return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [u.email for u in recipients])

        delivery = deliver_once(record=record, send=send)
        if delivery.outcome == Outcome.SENT:
            sent += 1
        elif delivery.outcome == Outcome.FAILED:
            logger.error("rectification task %s: reminder failed: %r", task.pk, delivery.error)
    return sent
