# The local stack, for scripts/demo, scripts/test, bench/run and bench/soak
# (sourced, not run): the Debian packages, a throwaway PostgreSQL cluster,
# authsweep workers on unix sockets, nginx around a site, a self-signed
# certificate, bounded waits and stops. Every step logs one "==> " line.

# What the scripts need; bench/ adds its own tools to this array.
authsweep_packages=(postgresql libpq-dev libfcgi-dev libcurl4-openssl-dev nginx curl openssl pkg-config spawn-fcgi ca-certificates systemd)
PG_SERVICE_USER=authsweep-pg

log() { printf '==> %s\n' "$*" >&2; }

# apt-get update + install, as CI needs on a fresh machine. Without root the
# packages must already be there.
install_packages() {
    if [ "$(id -u)" -ne 0 ]; then
        local missing=() package
        for package in "${authsweep_packages[@]}"; do
            dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
        done
        if [ ${#missing[@]} -gt 0 ]; then
            log "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})"
            return 1
        fi
        return 0
    fi
    log "installing Debian packages: ${authsweep_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || { log "apt-get update failed"; return 1; }
    # policy-rc.d keeps the packages' own services (a default nginx on port
    # 80, the distribution's PostgreSQL cluster) from being started.
    without_service_starts apt-get install -y -qq --no-install-recommends "${authsweep_packages[@]}" >/dev/null ||
        { log "apt-get install failed: ${authsweep_packages[*]}"; return 1; }
}

# without_service_starts COMMAND...: runs COMMAND with a policy-rc.d that
# refuses every service start, and removes that file again whatever happens
# (failure, set -e, a signal): left behind, it would keep every service
# installed later on this host from starting. An existing policy is left as
# it is. AUTHSWEEP_POLICY_RC_D names another path, for the tests.
without_service_starts() {
    local policy=${AUTHSWEEP_POLICY_RC_D:-/usr/sbin/policy-rc.d}
    if [ -e "$policy" ]; then
        "$@"
        return
    fi
    (
        trap 'rm -f "$policy"' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        trap 'exit 129' HUP
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        "$@"
    )
}

# wait_until SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds; after SECONDS it says what it waited for and fails.
wait_until() {
    local seconds=$1 what=$2; shift 2
    local tries=$((seconds * 10))
    while ! "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then
            log "gave up after ${seconds}s waiting for $what"
            return 1
        fi
        sleep 0.1
    done
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL if the process is still
# there after SECONDS (default 10): a process that inherited an ignored
# SIGTERM, or hangs, is still stopped. Returns once it is gone.
stop_pid() {
    local pid=$1 seconds=${2:-10}
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_until "$seconds" "process $pid to exit on SIGTERM" not_running "$pid"; then
        log "sending SIGKILL to process $pid"
        kill -KILL "$pid" 2>/dev/null || true
        wait_until 5 "process $pid to exit on SIGKILL" not_running "$pid" || return 1
    fi
    # Reap it when it is our child, so it leaves no zombie.
    wait "$pid" 2>/dev/null || true
}

not_running() {
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    ! kill -0 "$1" 2>/dev/null || [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ]
}

pg_bin_dir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Runs a command as the cluster's owner: PostgreSQL refuses to run as root.
as_pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_SERVICE_USER" -- "$@"
    else
        "$@"
    fi
}

# start_postgres DIR [extra postgres -c settings...]
# Creates (once) and starts a cluster in DIR/pg/data whose only socket is in
# DIR/pg/socket, logging to DIR/pg/postgresql.log; sets PGHOST, PGPORT and
# PGUSER for what follows.
start_postgres() {
    local dir=$1; shift
    local bin; bin=$(pg_bin_dir)
    [ -n "$bin" ] || { log "PostgreSQL server binaries not found under /usr/lib/postgresql"; return 1; }
    mkdir -p "$dir/pg/socket"
    if [ "$(id -u)" -eq 0 ]; then
        id "$PG_SERVICE_USER" >/dev/null 2>&1 ||
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_SERVICE_USER"
        chmod 0755 "$dir"
        chown -R "$PG_SERVICE_USER" "$dir/pg"
    fi
    if [ ! -f "$dir/pg/data/PG_VERSION" ]; then
        log "creating a PostgreSQL cluster in $dir/pg/data"
        as_pg_owner "$bin/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log" >&2; return 1; }
    fi
    local options="-c listen_addresses='' -c unix_socket_directories='$dir/pg/socket' -c port=5432"
    for setting in "$@"; do options="$options -c $setting"; done
    log "starting PostgreSQL (socket in $dir/pg/socket)"
    as_pg_owner "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/postgresql.log" -o "$options" -w -t 60 start >/dev/null ||
        { tail -n 30 "$dir/pg/postgresql.log" >&2; return 1; }
    export PGHOST="$dir/pg/socket" PGPORT=5432 PGUSER=postgres
}

stop_postgres() {
    local dir=$1
    local bin; bin=$(pg_bin_dir)
    [ -f "$dir/pg/data/postmaster.pid" ] || return 0
    log "stopping PostgreSQL"
    as_pg_owner "$bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
}

# start_worker BINARY SOCKET LOG [serve options...]: one `authsweep serve` on
# unix:SOCKET in the background, with the environment of the call (the
# secret, DATABASE_URL, AUTHSWEEP_* settings), its output appended to LOG.
# As root the socket goes to www-data's group, for nginx's workers;
# otherwise it is the caller's alone (0600). Sets WORKER_PID; returns at
# once (wait_for_socket waits).
start_worker() {
    local binary=$1 socket=$2 log_file=$3; shift 3
    (
        # $EUID, not $(id -u): no extra process between exec and the first answer (bench S5).
        if [ "$EUID" -eq 0 ]; then export AUTHSWEEP_SERVE_SOCKET_GROUP=www-data; else export AUTHSWEEP_SERVE_SOCKET_MODE=0600; fi
        # Outlives the terminal that started it (an ignored SIGHUP stays
        # ignored across exec), and keeps the subshell's pid.
        trap '' HUP
        exec "$binary" serve --listen "unix:$socket" "$@"
    ) </dev/null >>"$log_file" 2>&1 &
    WORKER_PID=$!
}

# wait_for_socket SOCKET LOG: up to 15 s for a worker's socket to appear.
wait_for_socket() {
    wait_until 15 "the socket $1 (log: $2)" test -S "$1"
}

# start_nginx DIR SITE [WORKER_PROCESSES] [WORKER_CONNECTIONS]: nginx with
# DIR as its prefix (nginx.conf, pid file, error log, temporary files)
# serving SITE, a file for nginx's http context; as root its workers run as
# www-data. Checks the configuration first, then waits for the pid file.
start_nginx() {
    local dir=$1 site=$2 processes=${3:-1} connections=${4:-1024}
    mkdir -p "$dir"/{body,fastcgi,proxy,uwsgi,scgi}
    local user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user www-data;"
    cat >"$dir/nginx.conf" <<NGINX
$user_line
worker_processes $processes;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections $connections; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    fastcgi_temp_path $dir/fastcgi;
    proxy_temp_path $dir/proxy;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $site;
}
NGINX
    local nginx_command=(nginx -e "$dir/error.log" -c "$dir/nginx.conf" -p "$dir")
    "${nginx_command[@]}" -t -q || return 1
    "${nginx_command[@]}" || return 1
    wait_until 10 "nginx's pid file $dir/nginx.pid" test -s "$dir/nginx.pid"
}

# stop_nginx DIR: stops the nginx that start_nginx DIR started, if any.
stop_nginx() {
    [ -f "$1/nginx.pid" ] || return 0
    stop_pid "$(<"$1/nginx.pid")" 10
}

# make_certificate DIR COMMON_NAME: a self-signed EC certificate and key,
# DIR/cert.pem and DIR/key.pem, valid for 2 days.
make_certificate() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1/key.pem" \
        -out "$1/cert.pem" -days 2 -subj "/CN=$2" >/dev/null 2>&1 ||
        { log "openssl could not make a certificate in $1"; return 1; }
}
