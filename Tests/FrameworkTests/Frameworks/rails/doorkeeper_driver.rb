# frozen_string_literal: true
#
# Doorkeeper as the oracle of authsweep's doorkeeper preset: Debian's
# ruby-doorkeeper (5.5.0) with ruby-railties and ruby-activerecord (6.1),
# on PostgreSQL through ruby-pg, without a Rails application:
#   - the tables: the gem's own migration template
#     (lib/generators/doorkeeper/templates/migration.rb.erb), rendered for
#     ActiveRecord::Migration.current_version and run;
#   - the rows: through Doorkeeper's own models (Doorkeeper::AccessToken,
#     Doorkeeper::AccessGrant), which set created_at and revoked_at;
#   - the cleanup: the gem's own rake task doorkeeper:db:cleanup
#     (lib/doorkeeper/rake/db.rake), invoked as a Rails application would;
#   - what it accepts: the models' own accessible?.
#
# Protocol: as driver.rb's (../README.md), one command per stdin line, one
# answer line per command ("ok ..." or "error <message>").
#   now          ok <Unix seconds>
#   migrate      the gem's migration
#   write T0     tokens and grants at offsets (OFFSETS) from Unix second T0,
#                each named by its token
#   cleanup      rake doorkeeper:db:cleanup
#   accepted     ok <names>: the tokens and grants accessible? now
#
# Environment: PGHOST PGPORT PGUSER PGDATABASE; APP_TIME_ZONE (ENV['TZ'],
# default UTC) with RAILS_DEFAULT_TIMEZONE utc (default) or local, as in
# driver.rb.

ENV['TZ'] = (ENV['APP_TIME_ZONE'].nil? || ENV['APP_TIME_ZONE'].empty?) ? 'UTC' : ENV['APP_TIME_ZONE']

require 'erb'
require 'rails'
require 'active_record'
require 'doorkeeper'
require 'rake'
require 'active_support/time'

real_stdout = $stdout.dup
$stdout = $stderr

class DriverError < StandardError; end

Time.zone_default = Time.find_zone!('UTC')
ActiveRecord::Base.time_zone_aware_attributes = true
ActiveRecord::Base.default_timezone = (ENV['RAILS_DEFAULT_TIMEZONE'] || 'utc').strip.downcase.to_sym
ActiveRecord::Base.logger = nil
ActiveRecord::Migration.verbose = false

db_config = { adapter: 'postgresql', database: ENV['PGDATABASE'], username: ENV['PGUSER'] }
db_config[:host] = ENV['PGHOST'] if ENV['PGHOST'] && !ENV['PGHOST'].empty?
db_config[:port] = Integer(ENV['PGPORT']) if ENV['PGPORT'] && !ENV['PGPORT'].empty?
ActiveRecord::Base.establish_connection(db_config)

# Doorkeeper's defaults: access_token_expires_in 2 hours, authorization_code_expires_in 10 minutes.
Doorkeeper.configure { orm :active_record }
# What a Rails application's boot does: the ORM hook defines the models.
ActiveSupport.run_load_hooks(:active_record, ActiveRecord::Base)
Rake.application.rake_require('doorkeeper/rake/setup')
Rake.application.rake_require('doorkeeper/rake/db')
Rake::Task.define_task(:environment)

TEMPLATE = File.join(Gem.loaded_specs['doorkeeper']&.full_gem_path || '/usr/share/rubygems-integration/all/gems/doorkeeper-5.5.0',
                     'lib/generators/doorkeeper/templates/migration.rb.erb')
OFFSETS = [-86_400, -3_600, -60, -3, -2, -1, 0, 1, 2, 3, 60, 3_600, 86_400].freeze
TOKEN_TTL = 7_200
GRANT_TTL = 600

def label_of(prefix, offset)
  "#{prefix}_#{offset.negative? ? 'm' : 'p'}#{offset.abs}"
end

def cmd_migrate(_args)
  migration_version = "[#{ActiveRecord::Migration.current_version}]"
  eval(ERB.new(File.read(TEMPLATE)).result(binding), TOPLEVEL_BINDING, TEMPLATE) # rubocop:disable Security/Eval
  ActiveRecord::Base.transaction { CreateDoorkeeperTables.new.migrate(:up) }
  'ok'
end

def cmd_write(args)
  raise DriverError, 'usage: write T0' unless args.size == 1 && args[0] =~ /\A[0-9]+\z/

  t0 = args[0].to_i
  app = Doorkeeper::Application.create!(name: 'app', redirect_uri: 'https://app.example/callback')
  at = ->(offset) { Time.at(t0 + offset).utc }
  OFFSETS.each do |offset|
    # The model makes its own token; the name replaces it afterwards.
    token = lambda do |label, **fields|
      Doorkeeper::AccessToken.create!(application_id: app.id, resource_owner_id: 1, **fields).tap do |record|
        record.update_columns(token: label_of(label, offset))
      end
    end
    # Revoked at the offset (revoke sets revoked_at through the model).
    token.call('revoked', created_at: at.call(offset - 60), expires_in: TOKEN_TTL).update_attribute(:revoked_at, at.call(offset))
    # Created a lifetime before the offset: without a refresh token it goes
    # then, whatever its own expires_in (none, or a day); with one it stays.
    token.call('aged', created_at: at.call(offset - TOKEN_TTL), expires_in: TOKEN_TTL)
    token.call('aged_forever', created_at: at.call(offset - TOKEN_TTL), expires_in: nil)
    token.call('aged_refreshable', created_at: at.call(offset - TOKEN_TTL), expires_in: TOKEN_TTL, refresh_token: label_of('refresh', offset))
    grant = lambda do |label, **fields|
      Doorkeeper::AccessGrant.create!(application_id: app.id, resource_owner_id: 1, expires_in: GRANT_TTL,
                                      redirect_uri: 'https://app.example/callback', **fields).tap do |record|
        record.update_columns(token: label_of(label, offset))
      end
    end
    grant.call('grant_revoked', created_at: at.call(offset - 60)).update_attribute(:revoked_at, at.call(offset))
    grant.call('grant_aged', created_at: at.call(offset - GRANT_TTL))
  end
  'ok'
end

def cmd_cleanup(_args)
  Rake::Task.tasks.each(&:reenable)
  Rake::Task['doorkeeper:db:cleanup'].invoke
  'ok'
end

def cmd_accepted(_args)
  names = Doorkeeper::AccessToken.all.select(&:accessible?).map(&:token) + Doorkeeper::AccessGrant.all.select(&:accessible?).map(&:token)
  (['ok'] + names.sort).join(' ')
end

def cmd_now(_args)
  "ok #{Time.now.to_i}"
end

COMMANDS = {
  'migrate' => method(:cmd_migrate), 'write' => method(:cmd_write), 'cleanup' => method(:cmd_cleanup),
  'accepted' => method(:cmd_accepted), 'now' => method(:cmd_now)
}.freeze

$stdin.each_line do |line|
  parts = line.split
  answer =
    begin
      fn = COMMANDS[parts[0]]
      raise DriverError, "unknown command #{parts[0]}" unless fn

      fn.call(parts[1..])
    rescue StandardError, ScriptError => e
      'error ' + (e.is_a?(DriverError) ? e.message : "#{e.class}: #{e.message}").split.join(' ')
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
