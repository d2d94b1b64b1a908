"""What people did to the rows of a model, read from its change history
(django-simple-history): who last set each field, who created a row, who deleted one.

`load_plans` keeps these. A history record is a person's when it names its user: the admin
and the commands that act for someone (import_actuals --user) record who; the load, the
demo, scripts and the first records the history migrations made of the rows that existed
before name nobody.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model
from django.utils import timezone

VERBS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class Edit:
    """One change a person made: created, changed or deleted; by whom, when and why."""

    kind: str  # "+", "~" or "-", as the history records it
    user: str
    when: datetime
    reason: str

    def __str__(self):
        when = timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M")
        why = f": {self.reason}" if self.reason else ""
        return f"{VERBS[self.kind]} by {self.user} on {when}{why}"


def _edit(record) -> Edit:
    return Edit(
        record.history_type,
        record.history_user.get_username(),
        record.history_date,
        record.history_change_reason or "",
    )


class PeoplesEdits:
    """The edits people made to one model's rows (`rows`: a filter of its history records, to
    read only those that matter), read once: `fields` are the names of the fields that matter
    (those the load sets)."""

    def __init__(self, model, *, fields, rows):
        self._meta = model._meta
        attnames = {name: model._meta.get_field(name).attname for name in fields}
        history = model.history.model
        records = (
            history.objects.filter(
                id__in=history.objects.filter(rows, history_user__isnull=False).values("id")
            )
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        self._fields, self._created, self._deleted = {}, {}, []
        latest = {}
        for record in records:  # row by row, oldest first
            edit = None if record.history_user is None else _edit(record)
            owners = self._fields.setdefault(record.id, {})
            previous = latest.get(record.id)
            for name, attname in attnames.items():
                if record.history_type == "+" or (
                    record.history_type == "~"
                    and (previous is None or getattr(record, attname) != getattr(previous, attname))
                ):
                    owners[name] = edit  # None: the program set it
            if record.history_type == "+" and edit is not None:
                self._created[record.id] = edit
            latest[record.id] = record
        self._deleted = [
            (record, _edit(record))
            for record in latest.values()
            if record.history_type == "-" and record.history_user is not None
        ]

    def changed_fields(self, pk) -> dict[str, Edit]:
        """The fields of the row whose current value a person set, with that edit."""
        return {name: edit for name, edit in self._fields.get(pk, {}).items() if edit is not None}

    def created(self, pk) -> Edit | None:
        """The edit that created the row, if a person created it."""
        return self._created.get(pk)

    def deleted(self, lookup) -> Edit | None:
        """A person's deletion of the row that `lookup` (field name -> value or row) names, if
        that is the last that happened to it."""
        wanted = [
            (self._meta.get_field(name).attname, value.pk if isinstance(value, Model) else value)
            for name, value in lookup.items()
        ]
        for record, edit in self._deleted:
            if all(getattr(record, attname) == value for attname, value in wanted):
                return edit
        return None
