# Shared by scripts/demo and scripts/test (sourced, not run): installs the
# Debian packages authsweep needs and runs a throwaway PostgreSQL cluster.

AUTHSWEEP_PACKAGES="postgresql libpq-dev libfcgi-dev nginx curl openssl pkg-config spawn-fcgi ca-certificates systemd"
PG_SERVICE_USER=authsweep-pg

log() { printf '==> %s\n' "$*" >&2; }

# apt-get update + install, as CI needs on a fresh machine. Without root the
# packages must already be there.
install_packages() {
    if [ "$(id -u)" -ne 0 ]; then
        local missing=""
        for package in $AUTHSWEEP_PACKAGES; do
            dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
        done
        if [ -n "$missing" ]; then
            log "missing Debian packages:$missing (run as root, or: sudo apt-get install -y$missing)"
            return 1
        fi
        return 0
    fi
    log "installing Debian packages: $AUTHSWEEP_PACKAGES"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d keeps the packages' own services (a default nginx on port
    # 80, the distribution's PostgreSQL cluster) from being started.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
    fi
    apt-get install -y -qq --no-install-recommends $AUTHSWEEP_PACKAGES >/dev/null
    local status=$?
    [ "$created_policy" = 1 ] && rm -f "$policy"
    return $status
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
