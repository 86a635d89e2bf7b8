"""Playing the demo's history back: every planned step runs in time order, and the
scheduler's sweep runs among them once a day at 08:00 local time, so reminders, warnings,
urgings and escalation records went out on their day, as they would have, and Sở Nội vụ's
inspector concludes a couple of the records. The history's emails are then marked sent.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from tracker.clock import local_date, local_zone
from tracker.demo.world import World, at_local
from tracker.extensions import db
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import User
from tracker.reminders.models import Escalation, Outcome
from tracker.reminders.services import conclude
from tracker.reminders.sweep import run_sweep
from tracker.tasks.models import RUNNING_STATES, TaskState

# The demo's scheduler sweeps once a day at this local hour, every day, as a deployment
# would have; today's sweep is left to the real scheduler.
SWEEP_AT = time(8, 0)
# Sở Nội vụ's inspector who concludes some of the records the sweeps open.
INSPECTOR = "snv.thanhtra"
# The inspector concludes at most this many records: the first the sweeps open, and the
# first opened this recently (calendar days) whose task is still overdue when looked at.
CONCLUDED_RECORDS = 2
RECENT_RECORD_DAYS = 45
# Working days from opening a record to the inspector's look at it: the first, the others.
REVIEW_DELAYS = (6, 4)


def deliver_history(people: dict[str, User], before: datetime) -> None:
    """Mark the history's emails sent when queued, as the scheduler's delivery (every 30 s)
    would have; else the first delivery would mail months of old notices at once. The
    demo's addresses are on a reserved domain: no real person ever gets them."""
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.channel == Channel.EMAIL,
            Notification.status == DeliveryStatus.PENDING,
            Notification.user_id.in_([user.id for user in people.values()]),
            Notification.created_at < before,
        )
        .values(
            status=DeliveryStatus.SENT,
            sent_at=Notification.created_at,
            attempts=1,
            next_attempt_at=None,
        )
    )


class Replay:
    """Play steps back in time order; a running step may plan later ones (a heap)."""

    def __init__(self) -> None:
        self._queue: list[tuple[datetime, int, int, Callable[[datetime], None]]] = []
        self._order = itertools.count()
        self._clock: datetime | None = None
        self.played = 0  # how many steps have run so far

    def add(self, moment: datetime, action: Callable[[datetime], None], *, rank: int = 1) -> None:
        """Plan ``action`` at ``moment``; at the same instant lower ranks, then earlier plans,
        go first."""
        if self._clock is not None and moment < self._clock:
            raise ValueError(f"demo step at {moment} planned after {self._clock} had passed")
        heapq.heappush(self._queue, (moment, rank, next(self._order), action))

    def run(self, progress: Callable[[str], None] | None = None) -> None:
        """Play every step; tell ``progress`` each tenth of the way, and the day reached."""
        shown = 0
        while self._queue:
            moment, _, _, action = heapq.heappop(self._queue)
            self._clock = moment
            action(moment)
            self.played += 1
            # Running steps may plan more: the whole is what ran and what still waits.
            total = self.played + len(self._queue)
            tenth = self.played * 10 // total
            if progress is not None and tenth > shown:
                shown = tenth
                progress(
                    f"Đang dựng lại lịch sử một năm: {tenth * 10}% ({self.played}/{total} bước, "
                    f"đến ngày {local_date(moment):%d/%m/%Y})"
                )


class Scheduler:
    """The sweeps the scheduler ran while the demo's year went by, and what Sở Nội vụ's
    inspector did with some of the escalation records they opened."""

    def __init__(self, world: World, replay: Replay, *, inspector: User) -> None:
        self.world = world
        self.replay = replay
        self.inspector = inspector
        self._first_planned = False  # the inspector's look at the first record is planned
        self.concluded = 0
        self._played = -1  # how many steps had been played after the last sweep

    def plan(self) -> None:
        """Plan a sweep at 08:00 on every day from the first issued task's to yesterday."""
        day = self.world.first_issue
        zone = local_zone()
        while day is not None and day < self.world.today:
            moment = datetime.combine(day, SWEEP_AT, tzinfo=zone).astimezone(UTC)
            # Rank 0: a step at 08:00 sharp comes after the sweep, as any later one does.
            self.replay.add(moment, self._sweep, rank=0)
            day += timedelta(days=1)

    def _sweep(self, at: datetime) -> None:
        # On a day off nothing comes due; a sweep then only catches up on what the steps
        # since the last one changed. With none, it would find nothing: skip it (it is slow).
        changed = self.replay.played != self._played
        self._played = self.replay.played + 1  # this sweep itself changes nothing to come
        if not changed and not self.world.calendar.is_working_day(local_date(at)):
            return
        result = run_sweep(at)
        if not result.created["escalation"]:
            return
        opened = db.session.scalars(
            sa.select(Escalation)
            .where(Escalation.sweep_id == result.sweep_id)
            .order_by(Escalation.id)
        )
        for escalation in opened:
            self._review(escalation)

    def _review(self, escalation: Escalation) -> None:
        """Plan the inspector's look at a new record: the first one, and recent ones."""
        recent = escalation.opened_on >= self.world.today - timedelta(days=RECENT_RECORD_DAYS)
        if self._first_planned and not recent:
            return
        first = not self._first_planned
        day = self.world.calendar.add_working_days(escalation.opened_on, REVIEW_DELAYS[not first])
        if day >= self.world.today:
            return
        self._first_planned = True
        self.replay.add(
            at_local(day, 14 * 60 + 30), lambda at: self._conclude(escalation, at, first=first)
        )

    def _conclude(self, escalation: Escalation, at: datetime, *, first: bool) -> None:
        task = escalation.task
        running = task.state in RUNNING_STATES
        if self.concluded >= CONCLUDED_RECORDS or not (first or running):
            return  # the record waits in the queue
        self.concluded += 1
        who = escalation.accountable_user
        person = f"đồng chí {who.full_name} ({who.position})" if who else "người chịu trách nhiệm"
        opened = escalation.opened_on.strftime("%d/%m/%Y")
        unit = task.lead_unit.name if task.lead_unit else "đơn vị chủ trì"
        late = (
            f"Nhiệm vụ quá hạn {escalation.overdue_days} ngày làm việc khi hồ sơ được mở "
            f"ngày {opened}"
        )
        if running:
            outcome = Outcome.CRITICISM
            note = (
                f"Đã làm việc với {unit}. {late}; sau nhiều lần cảnh báo, đôn đốc vẫn chưa có "
                f"kết quả. Phê bình {person}; yêu cầu hoàn thành, báo cáo kết quả trong 05 ngày "
                "làm việc. Sở Nội vụ tiếp tục theo dõi; nếu tiếp tục chậm sẽ đề nghị xem xét kỷ "
                "luật."
            )
        elif task.state == TaskState.WITHDRAWN:
            outcome = Outcome.NO_FAULT
            note = (
                f"{late}; sau đó nhiệm vụ đã được thu hồi theo quyết định của người giao. Việc "
                "chậm có nguyên nhân khách quan (nhiệm vụ chờ điều chỉnh), không xem xét trách "
                "nhiệm cá nhân."
            )
        else:
            outcome = Outcome.REMINDER
            note = (
                f"Đã làm việc với {unit}. {late}; đơn vị đã báo cáo kết quả sau đó. Nguyên nhân "
                "chậm có phần khách quan (chờ số liệu của đơn vị phối hợp) nhưng đơn vị không "
                f"chủ động đề nghị gia hạn. Nhắc nhở {person}; yêu cầu rút kinh nghiệm, báo cáo "
                "vướng mắc ngay khi phát sinh."
            )
        conclude(escalation, actor=self.inspector, now=at, outcome=outcome.value, note=note)
