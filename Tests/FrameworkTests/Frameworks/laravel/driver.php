<?php
/*
 * Laravel oracle driver for authsweep's framework tests.
 *
 * Uses Debian's php-laravel-framework (8.83): the session:table migration stub
 * shipped in the package (run verbatim through the Schema facade) and
 * Illuminate\Session\DatabaseSessionHandler through
 * Illuminate\Database\Capsule\Manager, on PostgreSQL via pdo_pgsql.
 * Protocol: see ../README.md. One command per stdin line, one answer line per
 * command on stdout ("ok ..." or "error <message>"), flushed; exit 0 on EOF.
 * Every command opens its own database connection and closes it (purge)
 * before answering.
 *
 * Environment:
 *   PGHOST PGPORT PGUSER PGDATABASE  connection (no password)
 *   APP_TIME_ZONE                    date_default_timezone_set (default UTC),
 *                                    as Laravel does with config app.timezone
 *   SESSION_LIFETIME_MINUTES         config session.lifetime (default 120)
 */

// Laravel 8 on PHP 8.2 raises deprecations; keep them (and any warning) off
// stdout, which carries protocol answers only.
error_reporting(E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);
ini_set('display_errors', 'stderr');
ini_set('log_errors', '0');

const MIGRATION_STUB = '/usr/share/php/Illuminate/Session/Console/stubs/database.stub';

if (stream_resolve_include_path('Illuminate/autoload.php')) {
    require_once 'Illuminate/autoload.php';
} else {
    require_once '/usr/share/php/Illuminate/autoload.php';
}

use Carbon\Carbon;
use Illuminate\Database\Capsule\Manager as Capsule;
use Illuminate\Session\DatabaseSessionHandler;
use Illuminate\Support\Facades\Facade;

class DriverError extends Exception
{
}

date_default_timezone_set(getenv('APP_TIME_ZONE') ?: 'UTC');

$lifetimeEnv = getenv('SESSION_LIFETIME_MINUTES');
$LIFETIME_MINUTES = ($lifetimeEnv === false || $lifetimeEnv === '') ? 120 : $lifetimeEnv;
if (!preg_match('/^[0-9]+$/', (string) $LIFETIME_MINUTES)) {
    fwrite(STDERR, "SESSION_LIFETIME_MINUTES must be a non-negative integer\n");
    exit(2);
}
$LIFETIME_MINUTES = (int) $LIFETIME_MINUTES;

$capsule = new Capsule();
$connectionConfig = [
    'driver' => 'pgsql',
    'database' => getenv('PGDATABASE') ?: '',
    'username' => getenv('PGUSER') ?: '',
    'password' => '',
    'charset' => 'utf8',
    'prefix' => '',
    'prefix_indexes' => true,
    'schema' => 'public',
    'sslmode' => 'prefer',
];
if (getenv('PGHOST')) {
    $connectionConfig['host'] = getenv('PGHOST');
}
if (getenv('PGPORT')) {
    $connectionConfig['port'] = getenv('PGPORT');
}
$capsule->addConnection($connectionConfig);
$capsule->setAsGlobal();
// The stub calls the Schema facade: Schema -> $app['db']->connection()->getSchemaBuilder().
$capsule->getContainer()->instance('db', $capsule->getDatabaseManager());
Facade::setFacadeApplication($capsule->getContainer());

function handler(): DatabaseSessionHandler
{
    global $capsule, $LIFETIME_MINUTES;
    // As SessionManager::createDatabaseDriver(): connection, table, lifetime
    // in minutes, container (none here: no user / request information).
    return new DatabaseSessionHandler($capsule->getConnection(), 'sessions', $LIFETIME_MINUTES, null);
}

function parse_epoch(string $text): Carbon
{
    if (!preg_match('/^-?[0-9]+(\.[0-9]+)?$/', $text)) {
        throw new DriverError("bad epoch $text");
    }
    // Carbon keeps microseconds; the handler stores getTimestamp() (whole seconds).
    return Carbon::createFromTimestamp((float) $text);
}

function payload(int $n): string
{
    // What Illuminate\Session\Store::save() hands the handler: serialize()d attributes.
    return serialize(['_token' => str_repeat('t', 40), 'n' => $n]);
}

function cmd_migrate(array $args): string
{
    global $capsule;
    if ($args) {
        throw new DriverError('usage: migrate');
    }
    // The stub declares class CreateSessionsTable extends Migration; its up()
    // is Schema::create('sessions', ...). The Migrator runs it inside a
    // transaction on PostgreSQL (schema transactions supported); do the same.
    if (!class_exists('CreateSessionsTable', false)) {
        require MIGRATION_STUB;
    }
    $migration = new CreateSessionsTable();
    $capsule->getConnection()->transaction(function () use ($migration) {
        $migration->up();
    });
    return 'ok';
}

function cmd_write(array $args): string
{
    if (count($args) < 2 || count($args) > 3) {
        throw new DriverError('usage: write KEY EPOCH [CREATED_EPOCH]');
    }
    $at = parse_epoch($args[1]);
    if (count($args) === 3) {
        parse_epoch($args[2]); // validated; Laravel's table has no creation time
    }
    Carbon::setTestNow($at);
    try {
        handler()->write($args[0], payload(1));
    } finally {
        Carbon::setTestNow();
    }
    return 'ok';
}

function cmd_refresh(array $args): string
{
    if (count($args) !== 2) {
        throw new DriverError('usage: refresh KEY EPOCH');
    }
    Carbon::setTestNow(parse_epoch($args[1]));
    try {
        // A request: Store::start() reads through the handler, Store::save()
        // writes back through the same handler (update if the row exists).
        $handler = handler();
        $data = $handler->read($args[0]);
        $attrs = $data === '' ? [] : @unserialize($data);
        $n = is_array($attrs) && isset($attrs['n']) ? (int) $attrs['n'] : 0;
        $handler->write($args[0], payload($n + 1));
    } finally {
        Carbon::setTestNow();
    }
    return 'ok';
}

function cmd_cleanup(array $args): string
{
    global $LIFETIME_MINUTES;
    if ($args) {
        throw new DriverError('usage: cleanup');
    }
    Carbon::setTestNow();
    // StartSession::collectGarbage(): gc(config('session.lifetime') * 60).
    // gc() returns nothing in 8.83, so the count is unknown.
    handler()->gc($LIFETIME_MINUTES * 60);
    return 'ok -';
}

function cmd_read(array $args): string
{
    if (!$args) {
        throw new DriverError('usage: read KEY [KEY...]');
    }
    Carbon::setTestNow();
    $live = [];
    foreach ($args as $key) {
        // A fresh handler per key, as each request gets one.
        if (handler()->read($key) !== '') {
            $live[] = $key;
        }
    }
    return trim('ok ' . implode(' ', $live));
}

function cmd_now(array $args): string
{
    if ($args) {
        throw new DriverError('usage: now');
    }
    Carbon::setTestNow();
    return 'ok ' . Carbon::now()->format('U.u');
}

$commands = [
    'migrate' => 'cmd_migrate',
    'write' => 'cmd_write',
    'refresh' => 'cmd_refresh',
    'cleanup' => 'cmd_cleanup',
    'read' => 'cmd_read',
    'now' => 'cmd_now',
];

function one_line(string $s): string
{
    $s = trim(preg_replace('/\s+/', ' ', $s));
    return $s === '' ? 'unknown error' : $s;
}

while (($line = fgets(STDIN)) !== false) {
    $parts = preg_split('/\s+/', trim($line), -1, PREG_SPLIT_NO_EMPTY);
    ob_start();
    try {
        if (!$parts) {
            throw new DriverError('empty command');
        }
        $name = array_shift($parts);
        if (!isset($commands[$name])) {
            throw new DriverError("unknown command $name");
        }
        $answer = $commands[$name]($parts);
    } catch (Throwable $e) {
        $msg = $e->getMessage();
        $answer = 'error ' . one_line(($e instanceof DriverError ? '' : get_class($e) . ': ') . $msg);
    } finally {
        try {
            $capsule->getDatabaseManager()->purge();
        } catch (Throwable $e) {
            fwrite(STDERR, 'purge failed: ' . $e->getMessage() . "\n");
        }
    }
    $stray = ob_get_clean();
    if ($stray !== '' && $stray !== false) {
        fwrite(STDERR, $stray);
    }
    fwrite(STDOUT, $answer . "\n");
    fflush(STDOUT);
}
exit(0);
