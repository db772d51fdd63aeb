#!/usr/bin/env bash
# Installs authsweep on a Debian server: the binary, /etc/authsweep, a pool of
# socket-activated workers (systemd), the daily cleanup timer and the nginx
# site, then starts them. Run as root; safe to run again (keeps existing
# configuration, secret and certificates).
#
#   deploy/install.sh --binary PATH --server-name cron.example.com \
#       --database-url 'postgresql://authsweep@localhost/app' [--workers 3] \
#       [--certificate FULLCHAIN.pem --key PRIVKEY.pem]
#
#   --binary PATH        the authsweep executable (build it with
#                        swift build -c release --static-swift-stdlib)
#   --workers N          worker processes in the pool (default 3)
#   --server-name NAME   nginx server_name and certificate name
#   --certificate/--key  TLS files (default: Let's Encrypt's paths for NAME)
#   --database-url URL   written to /etc/authsweep/authsweep.env if it is new
#   --root DIR           install under DIR instead of / (for a staging tree)
#   --no-packages        do not apt-get install the runtime packages
#   --no-start           install files only: no systemctl, no nginx reload
set -euo pipefail

source_dir=$(cd "$(dirname "$0")" && pwd)
repository=$(dirname "$source_dir")
workers=3 binary="" server_name="cron.example.com" certificate="" key=""
database_url="" root="" packages=1 start=1

die() { echo "install.sh: $*" >&2; exit 64; }
while [ $# -gt 0 ]; do
    case "$1" in
        --workers) workers=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --server-name) server_name=$2; shift 2 ;;
        --certificate) certificate=$2; shift 2 ;;
        --key) key=$2; shift 2 ;;
        --database-url) database_url=$2; shift 2 ;;
        --root) root=$2; shift 2 ;;
        --no-packages) packages=0; shift ;;
        --no-start) start=0; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ "$workers" =~ ^[1-9][0-9]?$ ]] || die "--workers must be from 1 to 99"
[ -n "$binary" ] && [ -x "$binary" ] || die "--binary must name the authsweep executable"
[[ "$server_name" =~ ^[A-Za-z0-9.-]+$ ]] || die "--server-name must be a host name"
certificate=${certificate:-/etc/letsencrypt/live/$server_name/fullchain.pem}
key=${key:-/etc/letsencrypt/live/$server_name/privkey.pem}
[[ "$database_url" != *\'* ]] || die "--database-url must not contain a single quote (percent-encode it as %27)"
[ "$(id -u)" -eq 0 ] || [ -n "$root" ] || die "run as root"

step() { printf '==> %s\n' "$*"; }

if [ "$packages" = 1 ]; then
    step "installing nginx and the runtime libraries"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nginx libfcgi0ldbl libpq5 libcurl4 openssl ca-certificates >/dev/null
fi

step "installing the binary and the documentation"
install -d "$root/usr/local/bin" "$root/usr/local/share/doc/authsweep"
install -m 0755 "$binary" "$root/usr/local/bin/authsweep"
install -m 0644 "$repository/README.md" "$root/usr/local/share/doc/authsweep/README.md"

step "writing /etc/authsweep (existing files are kept)"
install -d -m 0755 "$root/etc/authsweep"
[ -e "$root/etc/authsweep/authsweep.conf" ] ||
    install -m 0644 "$source_dir/authsweep.conf.example" "$root/etc/authsweep/authsweep.conf"
if [ ! -e "$root/etc/authsweep/authsweep.env" ]; then
    install -m 0640 "$source_dir/authsweep.env.example" "$root/etc/authsweep/authsweep.env"
    if [ -n "$database_url" ]; then
        # Single-quoted: both systemd and a shell (the crontab line) read it literally.
        grep -v '^DATABASE_URL=' "$source_dir/authsweep.env.example" >"$root/etc/authsweep/authsweep.env"
        printf "DATABASE_URL='%s'\n" "$database_url" >>"$root/etc/authsweep/authsweep.env"
        chmod 0640 "$root/etc/authsweep/authsweep.env"
    fi
fi
if [ ! -e "$root/etc/authsweep/cron_secret" ]; then
    (umask 077; openssl rand -base64 32 >"$root/etc/authsweep/cron_secret")
fi

step "installing the systemd units"
install -d "$root/etc/systemd/system"
for unit in authsweep@.socket authsweep@.service authsweep-cleanup.service authsweep-cleanup.timer; do
    install -m 0644 "$source_dir/systemd/$unit" "$root/etc/systemd/system/$unit"
done

# Without the certificate, a site that names it would make nginx refuse its
# whole configuration at the next reload, every other site with it: until
# the certificate exists, the site serves plain HTTP only (the ACME
# challenge for certbot --webroot, the refusal of /api/cron, the redirect).
install -d "$root/etc/nginx/sites-available" "$root/etc/nginx/sites-enabled" "$root/var/www/letsencrypt"
certbot_command="certbot certonly --webroot -w /var/www/letsencrypt -d $server_name --deploy-hook 'systemctl reload nginx'"
if [ -e "$certificate" ] && [ -e "$key" ]; then
    step "writing the nginx site for $server_name with $workers workers"
    "$source_dir/render-nginx-site" --workers "$workers" --server-name "$server_name" \
        --certificate "$certificate" --key "$key" >"$root/etc/nginx/sites-available/authsweep.conf"
    https=1
else
    step "no certificate at $certificate yet: writing the plain-HTTP part of the site only"
    "$source_dir/render-nginx-site" --http-only --server-name "$server_name" >"$root/etc/nginx/sites-available/authsweep.conf"
    https=0
fi
ln -sf ../sites-available/authsweep.conf "$root/etc/nginx/sites-enabled/authsweep.conf"

next_step() {
    [ "$https" = 1 ] && return 0
    step "next: get the certificate ($certbot_command), then run this again to serve HTTPS"
}

if [ "$start" = 0 ]; then
    step "installed under ${root:-/}; not started (--no-start)"
    next_step
    exit 0
fi

step "starting the pool, the timer and nginx"
systemctl daemon-reload
for n in $(seq 1 "$workers"); do systemctl enable --now "authsweep@$n.socket"; done
systemctl enable --now authsweep-cleanup.timer
if ! nginx -t; then
    rm -f /etc/nginx/sites-enabled/authsweep.conf
    die "nginx refuses the configuration (above); the authsweep site is disabled again so that nginx keeps running as it was"
fi
systemctl reload nginx
if [ "$https" = 0 ]; then
    next_step
    exit 0
fi
# As the service sees it: authsweep.env is read by check itself; the secret
# reaches the workers through LoadCredential, so name its file here.
CRON_SECRET_FILE=/etc/authsweep/cron_secret /usr/local/bin/authsweep check || true
step "done: curl -s https://$server_name/api/cron/health"
