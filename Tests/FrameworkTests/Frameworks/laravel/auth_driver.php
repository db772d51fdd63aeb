<?php
/*
 * Laravel's password reset tokens as the oracle of authsweep's
 * laravel-password-resets preset: Debian's php-laravel-framework (8.83),
 * Illuminate\Auth\Passwords\DatabaseTokenRepository (what
 * `php artisan auth:clear-resets` calls) through Capsule on PostgreSQL.
 * Both tables: `password_resets` as Laravel 8's skeleton migration makes it,
 * `password_reset_tokens` as Laravel 10's (email the primary key); the
 * repository's code is the same for both (and unchanged through 12).
 *
 * Protocol: as driver.php's (../README.md), one command per stdin line, one
 * answer line per command ("ok ..." or "error <message>").
 *   now          ok <Unix seconds>
 *   migrate      both tables, through the Schema builder
 *   write T0     in each table, one token per offset (OFFSETS), created so
 *                that it expires at T0 + offset, written by the repository's
 *                own payload (hashed token, Carbon's now); its email and its
 *                plain token are its name
 *   cleanup      deleteExpired() on both tables
 *   accepted     ok <names>: the tokens exists() accepts now
 *
 * Environment: PGHOST PGPORT PGUSER PGDATABASE; APP_TIME_ZONE (default UTC),
 * as config app.timezone; RESET_EXPIRE_MINUTES (default 60), as config
 * auth.passwords.users.expire.
 */

error_reporting(E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);
ini_set('display_errors', 'stderr');
ini_set('log_errors', '0');

if (stream_resolve_include_path('Illuminate/autoload.php')) {
    require_once 'Illuminate/autoload.php';
} else {
    require_once '/usr/share/php/Illuminate/autoload.php';
}

use Carbon\Carbon;
use Illuminate\Auth\Passwords\DatabaseTokenRepository;
use Illuminate\Contracts\Auth\CanResetPassword;
use Illuminate\Database\Capsule\Manager as Capsule;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Hashing\BcryptHasher;

class DriverError extends Exception
{
}

date_default_timezone_set(getenv('APP_TIME_ZONE') ?: 'UTC');
$EXPIRE_MINUTES = (int) (getenv('RESET_EXPIRE_MINUTES') ?: 60);
const OFFSETS = [-86400, -3600, -60, -3, -2, -1, 0, 1, 2, 3, 60, 3600, 86400];
const TABLES = ['password_resets', 'password_reset_tokens'];

$capsule = new Capsule();
$config = [
    'driver' => 'pgsql', 'database' => getenv('PGDATABASE') ?: '', 'username' => getenv('PGUSER') ?: '', 'password' => '',
    'charset' => 'utf8', 'prefix' => '', 'prefix_indexes' => true, 'schema' => 'public', 'sslmode' => 'prefer',
];
if (getenv('PGHOST')) {
    $config['host'] = getenv('PGHOST');
}
if (getenv('PGPORT')) {
    $config['port'] = getenv('PGPORT');
}
$capsule->addConnection($config);
$capsule->setAsGlobal();

class Person implements CanResetPassword
{
    public function __construct(private string $email)
    {
    }
    public function getEmailForPasswordReset()
    {
        return $this->email;
    }
    public function sendPasswordResetNotification($token)
    {
    }
}

/** The repository, with a way to write a token of the test's choosing through its own payload. */
class Repository extends DatabaseTokenRepository
{
    public function writeKnown(string $email, string $token): void
    {
        $this->getTable()->insert($this->getPayload($email, $token));
    }
}

function repository(string $table): Repository
{
    global $capsule, $EXPIRE_MINUTES;
    // As PasswordBrokerManager::createTokenRepository: connection, hasher,
    // table, key, expire (minutes), throttle (seconds). Cost 4 keeps it quick.
    return new Repository($capsule->getConnection(), new BcryptHasher(['rounds' => 4]), $table, 'base64:not-a-secret', $EXPIRE_MINUTES, 60);
}

function reset_name(string $table, int $offset): string
{
    return ($table === 'password_resets' ? 'reset' : 'reset_token') . '_' . ($offset < 0 ? 'm' : 'p') . abs($offset);
}

function cmd_migrate(array $args): string
{
    $schema = Capsule::schema();
    // laravel/laravel v8.6.12 2014_10_12_100000_create_password_resets_table.php
    $schema->create('password_resets', function (Blueprint $table) {
        $table->string('email')->index();
        $table->string('token');
        $table->timestamp('created_at')->nullable();
    });
    // laravel/laravel v10.3.3 2014_10_12_100000_create_password_reset_tokens_table.php
    $schema->create('password_reset_tokens', function (Blueprint $table) {
        $table->string('email')->primary();
        $table->string('token');
        $table->timestamp('created_at')->nullable();
    });
    return 'ok';
}

function cmd_write(array $args): string
{
    global $EXPIRE_MINUTES;
    if (count($args) !== 1 || !preg_match('/^[0-9]+$/', $args[0])) {
        throw new DriverError('usage: write T0');
    }
    $t0 = (int) $args[0];
    try {
        foreach (TABLES as $table) {
            $repository = repository($table);
            foreach (OFFSETS as $offset) {
                $name = reset_name($table, $offset);
                Carbon::setTestNow(Carbon::createFromTimestamp($t0 + $offset - $EXPIRE_MINUTES * 60));
                $repository->writeKnown("$name@example.com", $name);
            }
            // A row without created_at never expires (Carbon::parse(null) is now).
            Carbon::setTestNow();
            Capsule::table($table)->insert(['email' => reset_name($table, 0) . '_null@example.com', 'token' => 'x', 'created_at' => null]);
        }
    } finally {
        Carbon::setTestNow();
    }
    return 'ok';
}

function cmd_cleanup(array $args): string
{
    Carbon::setTestNow();
    foreach (TABLES as $table) {
        repository($table)->deleteExpired();
    }
    return 'ok';
}

function cmd_accepted(array $args): string
{
    Carbon::setTestNow();
    $names = [];
    foreach (TABLES as $table) {
        $repository = repository($table);
        foreach (OFFSETS as $offset) {
            $name = reset_name($table, $offset);
            if ($repository->exists(new Person("$name@example.com"), $name)) {
                $names[] = $name;
            }
        }
    }
    return trim('ok ' . implode(' ', $names));
}

function cmd_now(array $args): string
{
    Carbon::setTestNow();
    return 'ok ' . Carbon::now()->getTimestamp();
}

$commands = ['migrate' => 'cmd_migrate', 'write' => 'cmd_write', 'cleanup' => 'cmd_cleanup', 'accepted' => 'cmd_accepted', 'now' => 'cmd_now'];

while (($line = fgets(STDIN)) !== false) {
    $parts = preg_split('/\s+/', trim($line), -1, PREG_SPLIT_NO_EMPTY);
    ob_start();
    try {
        $name = $parts ? array_shift($parts) : '';
        if (!isset($commands[$name])) {
            throw new DriverError("unknown command '$name'");
        }
        $answer = $commands[$name]($parts);
    } catch (Throwable $e) {
        $answer = 'error ' . trim(preg_replace('/\s+/', ' ', ($e instanceof DriverError ? '' : get_class($e) . ': ') . $e->getMessage()));
    } finally {
        $capsule->getDatabaseManager()->purge();
    }
    $stray = ob_get_clean();
    if ($stray !== '' && $stray !== false) {
        fwrite(STDERR, $stray);
    }
    fwrite(STDOUT, $answer . "\n");
    fflush(STDOUT);
}
exit(0);
