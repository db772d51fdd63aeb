#!/usr/bin/env python3
"""Django oracle driver for authsweep's framework tests.

Uses the real django.contrib.sessions (database backend) on PostgreSQL.
Protocol: see ../README.md. One command per stdin line, one answer line per
command on stdout ("ok ..." or "error <message>"), flushed; exit 0 on EOF.
Every command opens its own database connection and closes it before answering.

Environment:
  PGHOST PGPORT PGUSER PGDATABASE  connection (no password)
  APP_TIME_ZONE                    settings.TIME_ZONE (default "UTC")
  DJANGO_USE_TZ                    settings.USE_TZ: "true" (default) / "false"

Session keys: Django's SessionBase._validate_session_key() only requires
len(key) >= 8, and the session_key column is varchar(40), so keys must be
8..40 characters. A key outside that range answers "error".
"""

import io
import os
import sys
import time
from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal, ROUND_HALF_EVEN
from importlib import import_module
from zoneinfo import ZoneInfo

TIME_ZONE = os.environ.get("APP_TIME_ZONE") or "UTC"
USE_TZ_RAW = (os.environ.get("DJANGO_USE_TZ") or "true").strip().lower()
if USE_TZ_RAW not in ("true", "false", "1", "0", "yes", "no"):
    sys.stderr.write("DJANGO_USE_TZ must be true or false\n")
    sys.exit(2)
USE_TZ = USE_TZ_RAW in ("true", "1", "yes")

# A project's settings module makes django.conf.Settings put TIME_ZONE into
# os.environ["TZ"] and call time.tzset() (django/conf/__init__.py). The
# settings.configure() path (UserSettingsHolder) does not, so do the same here:
# with USE_TZ=False, timezone.now() is datetime.now(), i.e. the process's zone.
os.environ["TZ"] = TIME_ZONE
time.tzset()

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DEBUG=False,
    SECRET_KEY="authsweep-framework-oracle-not-secret",
    INSTALLED_APPS=["django.contrib.sessions"],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PGDATABASE", ""),
            "USER": os.environ.get("PGUSER", ""),
            "PASSWORD": "",
            "HOST": os.environ.get("PGHOST", ""),
            "PORT": os.environ.get("PGPORT", ""),
            "CONN_MAX_AGE": 0,
        }
    },
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    USE_TZ=USE_TZ,
    TIME_ZONE=TIME_ZONE,
)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)
LOCAL_ZONE = ZoneInfo(TIME_ZONE)


class CommandError(Exception):
    pass


def parse_epoch(text):
    """Unix seconds (integer or fractional) -> datetime as Django wants it:
    aware UTC with USE_TZ=True, naive wall time in TIME_ZONE with USE_TZ=False."""
    try:
        d = Decimal(text)
    except Exception:
        raise CommandError("bad epoch %r" % text)
    if not d.is_finite():
        raise CommandError("bad epoch %r" % text)
    micros = int((d * 1000000).to_integral_value(ROUND_HALF_EVEN))
    aware = EPOCH + timedelta(microseconds=micros)
    if USE_TZ:
        return aware
    return aware.astimezone(LOCAL_ZONE).replace(tzinfo=None)


def now_epoch():
    now = timezone.now()
    if timezone.is_naive(now):
        # USE_TZ=False: naive wall time in the process zone (TZ=TIME_ZONE).
        return now.timestamp()
    return (now - EPOCH) / timedelta(seconds=1)


def store_for(key):
    s = SessionStore(session_key=key)
    if s.session_key != key:
        raise CommandError(
            "session key %r rejected by Django (needs 8..40 characters)" % key
        )
    if len(key) > 40:
        raise CommandError("session key %r longer than 40 (varchar(40))" % key)
    return s


def cmd_migrate(args):
    call_command("migrate", "sessions", verbosity=0, interactive=False,
                 stdout=io.StringIO(), stderr=io.StringIO())
    return "ok"


def cmd_write(args):
    if len(args) not in (2, 3):
        raise CommandError("usage: write KEY EPOCH [CREATED_EPOCH]")
    key, moment = args[0], parse_epoch(args[1])
    if len(args) == 3:
        parse_epoch(args[2])  # validated; Django's table has no creation time
    s = store_for(key)
    # A new session: start from empty data without loading (touching the
    # session would look the key up, find nothing and drop the key), as
    # SessionBase.create() does, then save with must_create (INSERT).
    s.clear()
    s["n"] = 1
    s.set_expiry(moment)
    s.save(must_create=True)
    return "ok"


def cmd_refresh(args):
    if len(args) != 2:
        raise CommandError("usage: refresh KEY EPOCH")
    key, moment = args[0], parse_epoch(args[1])
    s = store_for(key)
    n = s.get("n", 0)  # loads from the database (expire_date > now)
    if s.session_key is None:
        raise CommandError(
            "session %s is not live (Django would start a new session "
            "under a new key)" % key
        )
    s["n"] = n + 1
    s.set_expiry(moment)
    s.save()
    return "ok"


def cmd_cleanup(args):
    if args:
        raise CommandError("usage: cleanup")
    # `manage.py clearsessions` -> engine.SessionStore.clear_expired()
    call_command("clearsessions", stdout=io.StringIO(), stderr=io.StringIO())
    return "ok -"


def cmd_read(args):
    if not args:
        raise CommandError("usage: read KEY [KEY...]")
    live = []
    for key in args:
        s = SessionStore(session_key=key)
        if s.session_key != key:
            continue  # Django would not even look a malformed key up
        data = s.load()
        if data and s.session_key == key:
            live.append(key)
    return " ".join(["ok"] + live)


def cmd_now(args):
    if args:
        raise CommandError("usage: now")
    return "ok %.6f" % now_epoch()


COMMANDS = {
    "migrate": cmd_migrate,
    "write": cmd_write,
    "refresh": cmd_refresh,
    "cleanup": cmd_cleanup,
    "read": cmd_read,
    "now": cmd_now,
}


def one_line(text):
    return " ".join(str(text).split()) or "unknown error"


def main():
    out = sys.stdout
    # Anything a framework prints goes to stderr; stdout carries answers only.
    sys.stdout = sys.stderr
    for raw in sys.stdin:
        parts = raw.split()
        if not parts:
            answer = "error empty command"
        else:
            fn = COMMANDS.get(parts[0])
            try:
                if fn is None:
                    raise CommandError("unknown command %s" % parts[0])
                answer = fn(parts[1:])
            except Exception as e:  # noqa: BLE001
                msg = str(e).strip()
                name = type(e).__name__
                answer = "error " + one_line(
                    "%s: %s" % (name, msg) if msg else name
                )
            finally:
                try:
                    connections.close_all()
                except Exception as e:  # noqa: BLE001
                    sys.stderr.write("close failed: %s\n" % e)
        out.write(answer + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
