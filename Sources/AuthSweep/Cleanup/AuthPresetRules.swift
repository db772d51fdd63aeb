import Postgres

/// One table of an auth preset and its framework's own rule for it.
struct PresetTableRule {
    let preset: AuthPreset
    /// As the framework names it (`auth.refresh_tokens`: schema and table).
    let table: String
    /// A table that only some versions of the framework have: left out
    /// where it does not exist. A preset needs at least one of its tables.
    let optional: Bool
    /// What its framework's command does, in words, for `check` and the log.
    let summary: String
    /// What the rule needs on other tables besides SELECT and DELETE on its
    /// own: UPDATE where it clears a reference, DELETE where rows go with
    /// it, SELECT where it reads them.
    let otherGrants: [(table: String, privileges: [String])]
    let target: (SchemaCatalog, _ wallClockZone: String) throws(JobError) -> DeletionTarget

    var name: CleanupTarget { .preset(preset, table: table) }
}

/// Builds one rule's condition twice: with "now" computed once per
/// statement (to delete), and visible to the planner (for `EXPLAIN`).
struct RuleTerms {
    let catalog: SchemaCatalog
    let table: String
    let wallClockZone: String
    let planning: Bool

    /// The column, quoted.
    func column(_ name: String) throws(JobError) -> SQLIdentifier {
        try catalog.quote(name)
    }

    /// The moment `seconds` before now, comparable with `column` (its clock
    /// read from its type: a zone-less column holds the wall time of
    /// `wallClockZone`).
    func ago(_ seconds: Int, on column: String) throws(JobError) -> SQLQuery {
        let clock = try catalog.clock(table: table, column: column, wallClockZone: wallClockZone)
        return planning ? clock.secondsAgoForPlanning(seconds) : clock.secondsAgo(seconds)
    }

    /// `column` before (`<`, or `<=` when `orAt`) the moment `seconds` ago.
    func before(_ column: String, secondsAgo seconds: Int, orAt: Bool = false) throws(JobError) -> SQLQuery {
        let quoted = try self.column(column)
        let moment = try ago(seconds, on: column)
        return orAt ? "\(quoted) <= \(moment)" : "\(quoted) < \(moment)"
    }
}

extension DeletionTarget {
    /// A preset's rule on `table`: `condition` built by `RuleTerms`.
    /// Where the whole rule is `cutoff.column` before a moment, partitions
    /// lying wholly before it may go whole.
    static func presetRule(
        table: String, catalog: SchemaCatalog, wallClockZone: String, cutoff: (column: String, secondsAgo: Int)? = nil,
        dependents: [Dependent] = [], _ condition: (RuleTerms) throws(JobError) -> SQLQuery
    ) throws(JobError) -> DeletionTarget {
        guard try catalog.tableExists(table) else { throw .schema("table \"\(table)\" does not exist") }
        func terms(planning: Bool) -> RuleTerms {
            RuleTerms(catalog: catalog, table: table, wallClockZone: wallClockZone, planning: planning)
        }
        var partitionCutoff: PartitionCutoff?
        if let cutoff {
            let clock = try catalog.clock(table: table, column: cutoff.column, wallClockZone: wallClockZone)
            partitionCutoff = PartitionCutoff(column: cutoff.column, clock: clock, moment: clock.secondsAgo(cutoff.secondsAgo))
        }
        return DeletionTarget(
            table: try catalog.quote(table),
            condition: try condition(terms(planning: false)),
            planningCondition: try condition(terms(planning: true)),
            partitionCutoff: partitionCutoff, dependents: dependents)
    }
}

extension DeletionTarget.Dependent {
    /// The rows of `table` whose `column` holds a deleted row's `referenced`.
    static func referring(
        to referenced: String, from table: String, _ column: String, _ action: Action, _ catalog: SchemaCatalog
    ) throws(JobError) -> Self {
        Self(table: try catalog.quote(table), column: try catalog.quote(column), referenced: try catalog.quote(referenced), action: action)
    }
}

extension AuthPreset {
    /// The preset's tables in the order they are cleaned (a row before the
    /// rows it refers to, where the framework's cleanup frees them), each
    /// with its framework's rule at `settings`.
    func tableRules(_ settings: AuthPresetSettings) -> [PresetTableRule] {
        switch self {
        case .djangoOAuthToolkit: Self.oauthToolkitRules(settings)
        case .simplejwt: Self.simplejwtRules
        case .doorkeeper: Self.doorkeeperRules(settings)
        case .laravelPasswordResets: Self.laravelRules(settings)
        case .djangoAxes: Self.axesRules(settings)
        case .supabase: Self.supabaseRules(settings)
        }
    }

}
