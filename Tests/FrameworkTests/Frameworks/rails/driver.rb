# frozen_string_literal: true
#
# Rails (activerecord-session_store) oracle driver for authsweep's framework
# tests.
#
# Uses Debian's ruby-activerecord (6.1) and ruby-pg. The activerecord-session_store
# gem is not packaged, so its pieces are reproduced here verbatim (see
# ../README.md for the upstream paths and commits):
#   - the table: the gem's migration template
#     lib/generators/active_record/templates/migration.rb, as generated for
#     table "sessions" and ActiveRecord::Migration.current_version;
#   - the cleanup: the body of the gem's `db:sessions:trim` task
#     (lib/tasks/database.rake), released (v2.3.0) or main-branch variant.
# Sessions are written through an ActiveRecord model of that table.
#
# Protocol: see ../README.md. One command per stdin line, one answer line per
# command on stdout ("ok ..." or "error <message>"), flushed; exit 0 on EOF.
# Every command opens its own database connection and closes it before
# answering.
#
# Environment:
#   PGHOST PGPORT PGUSER PGDATABASE  connection (no password)
#   APP_TIME_ZONE             ENV['TZ'] of this process (default UTC); decides
#                             the wall time written with RAILS_DEFAULT_TIMEZONE=local
#   RAILS_DEFAULT_TIMEZONE    ActiveRecord::Base.default_timezone: utc (default) / local
#   SESSION_LIFETIME_MINUTES  trim threshold in minutes (default: the gem's
#                             SESSION_DAYS_TRIM_THRESHOLD || 30 days = 43200 minutes)
#   RAILS_TRIM                released (default: gem v2.3.0, updated_at only) /
#                             main (gem main branch: updated_at OR created_at, in batches)

ENV['TZ'] = (ENV['APP_TIME_ZONE'].nil? || ENV['APP_TIME_ZONE'].empty?) ? 'UTC' : ENV['APP_TIME_ZONE']

require 'base64'
require 'active_record'
require 'active_support/time'

real_stdout = $stdout.dup
# Anything the libraries print goes to stderr; stdout carries answers only.
$stdout = $stderr

DEFAULT_TZ = (ENV['RAILS_DEFAULT_TIMEZONE'] || 'utc').strip.downcase
unless %w[utc local].include?(DEFAULT_TZ)
  warn 'RAILS_DEFAULT_TIMEZONE must be utc or local'
  exit 2
end
TRIM_VARIANT = (ENV['RAILS_TRIM'] || 'released').strip.downcase
unless %w[released main].include?(TRIM_VARIANT)
  warn 'RAILS_TRIM must be released or main'
  exit 2
end
LIFETIME_MINUTES = ENV['SESSION_LIFETIME_MINUTES']
if LIFETIME_MINUTES && !LIFETIME_MINUTES.empty? && LIFETIME_MINUTES !~ /\A[0-9]+\z/
  warn 'SESSION_LIFETIME_MINUTES must be a non-negative integer'
  exit 2
end

# What a Rails application with default configuration sets up:
# config.time_zone = "UTC" (Time.zone_default), time-zone-aware attributes,
# and config.active_record.default_timezone (:utc unless configured :local).
Time.zone_default = Time.find_zone!('UTC')
ActiveRecord::Base.time_zone_aware_attributes = true
ActiveRecord::Base.default_timezone = DEFAULT_TZ.to_sym
ActiveRecord::Base.logger = nil
ActiveRecord::Migration.verbose = false

db_config = { adapter: 'postgresql', database: ENV['PGDATABASE'], username: ENV['PGUSER'] }
db_config[:host] = ENV['PGHOST'] if ENV['PGHOST'] && !ENV['PGHOST'].empty?
db_config[:port] = Integer(ENV['PGPORT']) if ENV['PGPORT'] && !ENV['PGPORT'].empty?
ActiveRecord::Base.establish_connection(db_config)

# The gem's lib/generators/active_record/templates/migration.rb rendered with
# migration_class_name = AddSessionsTable (the generator's default name
# "add_sessions_table"), migration_version = [ActiveRecord::Migration.current_version]
# and session_table_name = sessions.
class AddSessionsTable < ActiveRecord::Migration[ActiveRecord::Migration.current_version]
  def change
    create_table :sessions do |t|
      t.string :session_id, :null => false
      t.text :data
      t.timestamps
    end

    add_index :sessions, :session_id, :unique => true
    add_index :sessions, :updated_at
  end
end

# An ActiveRecord model of the gem's table (the gem's own model is
# ActiveRecord::SessionStore::Session, table "sessions").
class SessionRecord < ActiveRecord::Base
  self.table_name = 'sessions'

  # The gem's default serializer: MarshalSerializer (Base64 of Marshal).
  def self.serialize(value)
    ::Base64.encode64(Marshal.dump(value))
  end

  def self.deserialize(value)
    value && Marshal.load(::Base64.decode64(value))
  end

  # ActiveRecord::SessionStore::Session.find_by_session_id
  def self.find_by_session_id(session_id)
    where(session_id: session_id).take
  end
end

class DriverError < StandardError; end

def parse_epoch(text)
  raise DriverError, "bad epoch #{text}" unless text =~ /\A-?[0-9]+(\.[0-9]+)?\z/

  Time.at(Rational(text)).in_time_zone
end

def cmd_migrate(args)
  raise DriverError, 'usage: migrate' unless args.empty?

  # The Migrator runs a migration inside a DDL transaction on PostgreSQL.
  ActiveRecord::Base.transaction { AddSessionsTable.new.migrate(:up) }
  'ok'
end

def cmd_write(args)
  raise DriverError, 'usage: write KEY EPOCH [CREATED_EPOCH]' unless [2, 3].include?(args.size)

  updated = parse_epoch(args[1])
  created = args.size == 3 ? parse_epoch(args[2]) : updated
  SessionRecord.create!(
    session_id: args[0],
    data: SessionRecord.serialize({ 'n' => 1 }),
    created_at: created,
    updated_at: updated
  )
  'ok'
end

def cmd_refresh(args)
  raise DriverError, 'usage: refresh KEY EPOCH' unless args.size == 2

  at = parse_epoch(args[1])
  record = SessionRecord.find_by_session_id(args[0])
  raise DriverError, "session #{args[0]} not found (the store would start a new session under a new id)" unless record

  data = SessionRecord.deserialize(record.data)
  n = data.is_a?(Hash) ? data['n'].to_i : 0
  record.data = SessionRecord.serialize({ 'n' => n + 1 })
  record.updated_at = at
  record.save!
  'ok'
end

def cmd_cleanup(args)
  raise DriverError, 'usage: cleanup' unless args.empty?

  cutoff_period =
    if LIFETIME_MINUTES && !LIFETIME_MINUTES.empty?
      LIFETIME_MINUTES.to_i.minutes.ago
    else
      # Verbatim from the gem's db:sessions:trim.
      (ENV['SESSION_DAYS_TRIM_THRESHOLD'] || 30).to_i.days.ago
    end
  deleted =
    if TRIM_VARIANT == 'main'
      # lib/tasks/database.rake on main (a764bbef): both clauses, in batches.
      SessionRecord.
        where("updated_at < ?", cutoff_period).or(
          SessionRecord.where("created_at < ?", cutoff_period)
        ).in_batches.delete_all
    else
      # lib/tasks/database.rake in v2.3.0 (74011f13) and every 2.x release.
      SessionRecord.
        where("updated_at < ?", cutoff_period).
        delete_all
    end
  "ok #{deleted}"
end

def cmd_read(args)
  raise DriverError, 'usage: read KEY [KEY...]' if args.empty?

  live = args.select do |key|
    # ActiveRecordStore#get_session_with_fallback -> find_by_session_id; the
    # store itself applies no time limit.
    record = SessionRecord.find_by_session_id(key)
    data = record && (SessionRecord.deserialize(record.data) rescue nil)
    data.is_a?(Hash) && !data.empty?
  end
  (['ok'] + live).join(' ')
end

def cmd_now(args)
  raise DriverError, 'usage: now' unless args.empty?

  t = Time.current
  format('ok %d.%06d', t.to_i, t.usec)
end

COMMANDS = {
  'migrate' => method(:cmd_migrate),
  'write' => method(:cmd_write),
  'refresh' => method(:cmd_refresh),
  'cleanup' => method(:cmd_cleanup),
  'read' => method(:cmd_read),
  'now' => method(:cmd_now)
}.freeze

def one_line(text)
  s = text.to_s.split.join(' ')
  s.empty? ? 'unknown error' : s
end

$stdin.each_line do |line|
  parts = line.split
  answer =
    begin
      raise DriverError, 'empty command' if parts.empty?

      fn = COMMANDS[parts[0]]
      raise DriverError, "unknown command #{parts[0]}" unless fn

      fn.call(parts[1..])
    rescue StandardError, ScriptError => e
      'error ' + one_line(e.is_a?(DriverError) ? e.message : "#{e.class}: #{e.message}")
    ensure
      begin
        ActiveRecord::Base.connection_handler.clear_all_connections!
      rescue StandardError => e
        warn "disconnect failed: #{e.message}"
      end
    end
  real_stdout.write(answer + "\n")
  real_stdout.flush
end
exit 0
