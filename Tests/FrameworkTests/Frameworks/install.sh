#!/usr/bin/env bash
# Installs what the three framework oracle drivers need (see README.md):
#   Django  - PyPI, for the `python3` found on PATH (the one the test runs)
#   Laravel - Debian bookworm php-laravel-framework 8.83 + php-cli + php-pgsql
#   Rails   - Debian bookworm ruby-activerecord 6.1 + ruby-pg, ruby-doorkeeper 5.5
#   The auth presets' oracles: django-oauth-toolkit, simplejwt and django-axes
#   from PyPI; Laravel's password reset repository from the package above
# Run as root on Debian 12. Idempotent: apt-get update runs (once) only when
# a package is missing; pip with pinned versions is a no-op when satisfied.
# Exits non-zero with a message on any failure.
set -euo pipefail

fail() {
    echo "install.sh: ERROR: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || fail "must run as root (apt-get install)"
command -v apt-get >/dev/null || fail "apt-get not found: this script targets Debian 12"
if [ -r /etc/debian_version ]; then
    case "$(cat /etc/debian_version)" in
        12*|bookworm*) ;;
        *) echo "install.sh: warning: tested on Debian 12 only (found $(cat /etc/debian_version))" >&2 ;;
    esac
fi

APT_PACKAGES=(
    php-cli
    php-pgsql
    php-laravel-framework
    ruby
    ruby-activerecord
    ruby-pg
    ruby-doorkeeper
)

# Pinned PyPI versions (Django 5.2 LTS: the last 5.x series, supports Python 3.10-3.13).
PIP_PACKAGES=(
    "Django==5.2.19"
    "asgiref==3.13.0"
    "sqlparse==0.6.1"
    "psycopg==3.3.9"
    "psycopg-binary==3.3.9"
    "typing-extensions==4.15.0"
    # The auth presets' oracles: the apps and what they pull in.
    "django-oauth-toolkit==3.4.1"
    "djangorestframework==3.18.3"
    "djangorestframework-simplejwt==5.5.1"
    "django-axes==8.3.1"
    "oauthlib==4.0.1"
    "jwcrypto==1.6.1"
    "PyJWT==2.15.1"
    "requests==2.34.2"
)

APT_OPTS=(-y --no-install-recommends -o DPkg::Lock::Timeout=600)
export DEBIAN_FRONTEND=noninteractive

apt_updated=0
apt_update_once() {
    if [ "$apt_updated" = 0 ]; then
        apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null || fail "apt-get update failed"
        apt_updated=1
    fi
}

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
done

PY=python3
command -v "$PY" >/dev/null || missing+=(python3)
if command -v "$PY" >/dev/null && ! "$PY" -m pip --version >/dev/null 2>&1; then
    missing+=(python3-pip)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    echo "install.sh: apt-get install ${missing[*]}"
    apt_update_once
    apt-get install "${APT_OPTS[@]}" "${missing[@]}" >/dev/null \
        || fail "apt-get install ${missing[*]} failed"
fi

command -v "$PY" >/dev/null || fail "python3 not on PATH after install"
"$PY" -m pip --version >/dev/null 2>&1 || fail "$PY -m pip not available"

# Debian's own python3 is marked EXTERNALLY-MANAGED (PEP 668); pip needs
# --break-system-packages there. A pyenv/venv python3 does not.
PIP_OPTS=(--disable-pip-version-check --no-input -q --root-user-action=ignore)
if "$PY" -c 'import os, sys, sysconfig; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
    PIP_OPTS+=(--break-system-packages)
fi
"$PY" -m pip install "${PIP_OPTS[@]}" "${PIP_PACKAGES[@]}" \
    || fail "pip install ${PIP_PACKAGES[*]} failed for $(command -v "$PY")"

# Verify what the drivers load, with the versions they were written against.
"$PY" - <<'EOF' || fail "Django/psycopg check failed"
import sys
import django, psycopg
if django.VERSION[:2] != (5, 2):
    sys.exit("Django 5.2 expected, found %s" % django.get_version())
if not psycopg.__version__.startswith("3."):
    sys.exit("psycopg 3 expected, found %s" % psycopg.__version__)
from importlib.metadata import version
for package, expected in (("django-oauth-toolkit", "3.4.1"), ("djangorestframework-simplejwt", "5.5.1"), ("django-axes", "8.3.1")):
    if version(package) != expected:
        sys.exit("%s %s expected, found %s" % (package, expected, version(package)))
EOF

command -v php >/dev/null || fail "php not on PATH"
php -r '
error_reporting(E_ALL & ~E_DEPRECATED);
require "Illuminate/autoload.php";
if (!extension_loaded("pdo_pgsql")) { fwrite(STDERR, "pdo_pgsql missing\n"); exit(1); }
$v = Illuminate\Foundation\Application::VERSION;
if (strpos($v, "8.83.") !== 0) { fwrite(STDERR, "Laravel 8.83 expected, found $v\n"); exit(1); }
if (!is_file("/usr/share/php/Illuminate/Session/Console/stubs/database.stub")) { fwrite(STDERR, "session migration stub missing\n"); exit(1); }
' || fail "Laravel/pdo_pgsql check failed"

command -v ruby >/dev/null || fail "ruby not on PATH"
ruby -e '
require "active_record"; require "pg"
abort "ActiveRecord 6.1 expected, found #{ActiveRecord::VERSION::STRING}" unless ActiveRecord::VERSION::STRING.start_with?("6.1.")
require "rails"; require "doorkeeper"
abort "Doorkeeper 5.5 expected, found #{Doorkeeper::VERSION::STRING}" unless Doorkeeper::VERSION::STRING.start_with?("5.5.")
' || fail "ActiveRecord/pg check failed"

echo "install.sh: framework oracles ready:" \
    "Django $("$PY" -c 'import django; print(django.get_version())')," \
    "Laravel $(dpkg-query -W -f='${Version}' php-laravel-framework)," \
    "ActiveRecord $(dpkg-query -W -f='${Version}' ruby-activerecord)," \
    "ruby-pg $(dpkg-query -W -f='${Version}' ruby-pg)"
