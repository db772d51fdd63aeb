#!/usr/bin/env python3
"""The Django auth apps as the oracle of authsweep's auth presets:
django-oauth-toolkit, djangorestframework-simplejwt and django-axes, their own
migrations, models, token checks and purge commands, on PostgreSQL.

Protocol: as driver.py's (../README.md): one command per stdin line, one
answer line per command on stdout ("ok ..." or "error <message>"), flushed;
exit 0 on EOF. Connection from PGHOST PGPORT PGUSER PGDATABASE (no password).
  now             ok <Unix seconds>: loaded and answering
  migrate         the apps' own migrations make their tables
  write T0        rows written through the apps' models, at whole-second
                  offsets from Unix second T0 (see OFFSETS), each named by
                  its token
  cleanup         cleartokens, flushexpiredtokens, axes_reset_logs
  accepted        ok <names>: the tokens the apps accept now (DOT's
                  OAuth2Validator, simplejwt's RefreshToken), space-separated
"""

import os
import sys
from datetime import datetime, timedelta, timezone as dt_timezone

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    # simplejwt signs with it (HS256 wants 32 bytes or more).
    SECRET_KEY="authsweep-auth-oracle-not-a-secret-0123456789abcdef",
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "oauth2_provider",
        "rest_framework",
        "rest_framework_simplejwt.token_blacklist",
        "axes",
    ],
    AUTHENTICATION_BACKENDS=["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"],
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
    USE_TZ=True,
    TIME_ZONE="UTC",
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    SILENCED_SYSTEM_CHECKS=["axes.W003"],
)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

# Both sides of every boundary by seconds, then minutes, hours, a day, a year.
OFFSETS = [-31_536_000, -86_400, -3_600, -60, -3, -2, -1, 0, 1, 2, 3, 60, 3_600, 86_400, 31_536_000]
AXES_AGE = timedelta(days=30)
REDIRECT = "https://app.example/callback"


def name(prefix, offset):
    return "%s_%s%d" % (prefix, "m" if offset < 0 else "p", abs(offset))


def moment(t0, offset):
    return datetime.fromtimestamp(t0 + offset, tz=dt_timezone.utc)


def write(t0):
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken
    from rest_framework_simplejwt.tokens import RefreshToken as JWTRefreshToken
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    user = get_user_model().objects.create(username="alice")
    app = Application.objects.create(
        name="app", user=user, client_type="confidential", authorization_grant_type="authorization-code",
        redirect_uris=REDIRECT, client_secret="app-secret", hash_client_secret=False, algorithm="")
    far = moment(t0, 31_536_000)

    def access(token, expires, **fields):
        return AccessToken.objects.create(user=user, application=app, token=token, expires=expires, scope="read", **fields)

    def refresh(token, **fields):
        return RefreshToken.objects.create(user=user, application=app, token=token, **fields)

    def id_token(expires):
        return IDToken.objects.create(user=user, application=app, expires=expires, scope="openid")

    for offset in OFFSETS:
        at = moment(t0, offset)
        # An access token alone, expiring at the offset; one with a refresh
        # token (kept however expired), and its ID token.
        access(name("access", offset), at, id_token=id_token(at))
        with_refresh = access(name("access_refreshable", offset), at, id_token=id_token(at))
        refresh(name("refresh_live", offset), access_token=with_refresh)
        # A refresh token revoked at the offset (DOT's revoke() deletes its
        # access token), and the access token rotated from it.
        revoked = refresh(name("refresh_revoked", offset), revoked=at)
        access(name("access_rotated", offset), far, source_refresh_token=revoked)
        # An ID token alone, and a grant (authorization code).
        id_token(at)
        Grant.objects.create(user=user, application=app, code=name("code", offset), expires=at, redirect_uri=REDIRECT, scope="read")
        # simplejwt: a refresh token expiring at the offset, and one blacklisted.
        for blacklisted in (False, True):
            token = JWTRefreshToken()
            token["user_id"] = user.pk
            token["name"] = name("jwt_blacklisted" if blacklisted else "jwt", offset)
            token.set_exp(from_time=moment(t0, 0), lifetime=timedelta(seconds=offset))
            token.outstand()
            if blacklisted:
                token.blacklist()
        # axes: an access log whose attempt is the age old at the offset.
        log = AccessLog.objects.create(
            user_agent="ua", ip_address="127.0.0.1", username=name("log", offset), http_accept="*/*", path_info="/login")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=at - AXES_AGE)
    # Orphans (neither revoked nor with an access token) go whatever their age.
    refresh("refresh_orphan")
    # What axes_reset_logs leaves: attempts and failure logs of any age.
    old = moment(t0, -31_536_000)
    AccessAttempt.objects.create(
        user_agent="ua", ip_address="127.0.0.1", username="alice", http_accept="*/*", path_info="/login",
        get_data="", post_data="", failures_since_start=3)
    AccessAttempt.objects.update(attempt_time=old)
    AccessFailureLog.objects.create(user_agent="ua", ip_address="127.0.0.1", username="alice", http_accept="*/*", path_info="/login")
    AccessFailureLog.objects.update(attempt_time=old)


def clean():
    for command in ("cleartokens", "flushexpiredtokens", "axes_reset_logs"):
        call_command(command, verbosity=0, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))


def accepted():
    from oauthlib.common import Request
    from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken
    from oauth2_provider.oauth2_validators import OAuth2Validator
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
    from rest_framework_simplejwt.tokens import RefreshToken as JWTRefreshToken

    validator = OAuth2Validator()
    names = []
    app = Application.objects.first()
    for token in AccessToken.objects.all():
        if validator.validate_bearer_token(token.token, ["read"], Request("https://app.example/api")):
            names.append(token.token)
    for token in RefreshToken.objects.all():
        if validator.validate_refresh_token(token.token, app, Request("https://app.example/token")):
            names.append(token.token)
    for grant in Grant.objects.all():
        if validator.validate_code(app.client_id, grant.code, app, Request("https://app.example/token")):
            names.append(grant.code)
    for row in OutstandingToken.objects.all():
        try:
            names.append(JWTRefreshToken(row.token)["name"])
        except TokenError:
            pass
    return " ".join(sorted(names))


def answer(line):
    words = line.split()
    if words == ["now"]:
        return str(int(timezone.now().timestamp()))
    if words == ["migrate"]:
        call_command("migrate", verbosity=0)
        return ""
    if len(words) == 2 and words[0] == "write":
        write(int(words[1]))
        return ""
    if words == ["cleanup"]:
        clean()
        return ""
    if words == ["accepted"]:
        return accepted()
    raise ValueError("unknown command: %r" % line)


def main():
    from django.db import connections

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result = answer(line)
            reply = "ok" + (" " + result if result else "")
        except Exception as error:  # the test reads the reason
            reply = "error %s: %s" % (type(error).__name__, " ".join(str(error).split()))
        finally:
            connections.close_all()
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
