"""When an indicator's standing for a region and year turns to a warning (预警): statuses in,
the turns out (no database access here)."""

from indicators.attainment import Status

# The statuses that warn, worst first.
WARNING_STATUSES = (Status.REGRESSING, Status.OFF_TRACK, Status.NOT_ACHIEVED, Status.LAGGING)
_RANK = {str(s): n for n, s in enumerate(WARNING_STATUSES)}
_CALM = len(WARNING_STATUSES)


def _rank(status):
    return _RANK.get(str(status), _CALM)


def standings(rows):
    """{(indicator, region, year): status} from (indicator, region, year, status) rows, one per
    target: an indicator stands at its worst warning status, else at its first target's."""
    found = {}
    for indicator, region, year, status in rows:
        key = (indicator, region, year)
        if key not in found or _rank(status) < _rank(found[key]):
            found[key] = str(status)
    return found


def turns(before, after, *, before_complete=True):
    """[(key, old, new)], ordered by key: where the standing entered a warning status, or a
    worse one (an improvement, say 严重滞后 to 滞后, does not warn).

    With `before_complete`, `before` holds every standing, and a key missing from it had no
    result yet (a first computation warns no one). Otherwise it holds only the warning
    standings, and a missing key stood outside them: its old status is "".
    """
    found = []
    for key in sorted(after):
        new = after[key]
        if _rank(new) == _CALM:
            continue
        if key in before:
            old = before[key]
            if _rank(new) < _rank(old):
                found.append((key, old, new))
        elif not before_complete:
            found.append((key, "", new))
    return found
