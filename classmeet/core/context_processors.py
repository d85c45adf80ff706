from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .times import zone_label, zone_name


def site(request: HttpRequest) -> dict[str, object]:
    now = timezone.now()
    offset = timezone.localtime(now).utcoffset()
    return {
        "SITE_NAME": "Classmeet",
        "DEBUG": settings.DEBUG,
        # The viewer's zone, for the times a page renders in the browser (core/js/times.js).
        "TIME_ZONE_NAME": zone_name(timezone.get_current_timezone()),
        "TIME_ZONE_LABEL": zone_label(now),
        "TIME_ZONE_OFFSET": int(offset.total_seconds() // 60) if offset is not None else 0,
    }
