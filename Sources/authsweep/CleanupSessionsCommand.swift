import ArgumentParser
import AuthSweep

struct CleanupSessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CleanupKind.cleanupSessions.rawValue,
        abstract:
            "Delete expired sessions (by session.preset's rule: expires <= now, or the last activity older than session.lifetime_minutes) and expired verification tokens, and record the run.",
        discussion: ExitStatus.helpText
    )

    @OptionGroup var cleanup: CleanupRunOptions

    @Flag(name: .long, help: "Print the session counts before and after.")
    var stats = false

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "With --dry-run: audit each rule instead: the rule in words, the rows it matches, the oldest expired row's age, rows it can never match (a NULL) and rows implausibly far in the future (a unit mistake). With --json, as JSON."
        ))
    var explain = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if explain && !cleanup.dryRun {
            throw ValidationError("--explain audits the rules without deleting anything: give --dry-run with it")
        }
        if explain && stats { throw ValidationError("--explain already counts the rows: leave out --stats") }
    }

    func run() throws {
        if explain {
            try runJob(common) { jobs, database, configuration in
                try withJSONFailure(json: cleanup.json) { () throws(JobError) in
                    let audits = try jobs.explainSessionRules(on: database)
                    if cleanup.json {
                        print(RuleAuditReport(preset: configuration.sessionPreset, audits: audits).json.serialized)
                    } else {
                        print(RuleAuditReport(preset: configuration.sessionPreset, audits: audits).text, terminator: "")
                    }
                }
            }
            return
        }
        try runJob(common) { jobs, database, configuration in
            let human = !cleanup.json
            try withJSONFailure(json: cleanup.json) { () throws(JobError) in
                if stats && human {
                    // Not counted is no failure of its own: the run below meets the same
                    // fault, fails with it and sends its /fail ping.
                    do throws(JobError) {
                        print("Before: " + describe(try jobs.sessionStats(on: database)))
                    } catch {
                        print("Before: not counted (\(error.operatorDescription))")
                    }
                }
                if cleanup.verbose && human {
                    print("Deleting expired sessions in batches of \(configuration.batchSize)\(cleanup.dryRun ? " (dry run)" : "")")
                }
                let outcome = try jobs.cleanupSessions(on: database, options: cleanup.cleanupOptions(configuration))
                if cleanup.json {
                    print(outcome.json.serialized)
                    return
                }
                guard cleanup.reportsSuccess || stats else { return }
                print(
                    outcome.dryRun
                        ? "Dry run: \(outcome.deletedCount) expired session(s) would be deleted"
                        : "Successfully deleted \(outcome.deletedCount) expired session(s)")
                if let tokens = outcome.verificationTokensDeleted {
                    print(
                        outcome.dryRun ? "Dry run: \(tokens) expired verification token(s) would be deleted" : "Deleted \(tokens) expired verification token(s)"
                    )
                }
                if outcome.hasMore { print("Stopped at the time budget; run again to finish.") }
                // One pass over the table: right after a large delete the
                // expiry index still holds the deleted rows' entries.
                // The run is done and reported; a count that fails now does not undo it.
                if stats {
                    do throws(JobError) {
                        print("After: " + describe(try jobs.sessionStats(on: database, query: .onePass)))
                    } catch {
                        print("After: not counted (\(error.operatorDescription))")
                    }
                }
            }
        }
    }
}

/// The `--explain` report, as text for a person or as JSON.
struct RuleAuditReport {
    let preset: SessionPreset
    let audits: [RuleAudit]

    var json: JSONValue {
        .object([
            ("success", .bool(true)),
            ("dryRun", .bool(true)),
            ("preset", .string(preset.rawValue)),
            (
                "rules",
                .array(
                    audits.map { audit in
                        .object([
                            ("name", .string(audit.name)),
                            ("table", .string(audit.table)),
                            ("rule", .string(audit.rule)),
                            ("matchingRows", .integer(audit.matching)),
                            ("expiredRows", .integer(audit.expired)),
                            ("oldestExpiredAgeSeconds", audit.oldestExpiredAgeSeconds.map { .integer(Int($0.rounded(.down))) } ?? .null),
                            ("nullRows", .integer(audit.nullRows)),
                            ("farFutureRows", .integer(audit.farFuture)),
                            ("farFutureAfterSeconds", .integer(audit.farFutureSeconds)),
                        ])
                    })
            ),
        ])
    }

    var text: String {
        var lines = ["Preset \(preset.rawValue) (\(preset.framework)); nothing is deleted."]
        for audit in audits {
            lines.append("")
            lines.append("\(audit.name): deleted when \(audit.rule)")
            lines.append("  rows the cleanup would delete now: \(audit.matching)")
            if audit.expired != audit.matching { lines.append("  expired, kept for the retention: \(audit.expired - audit.matching)") }
            lines.append(
                "  the longest expired: "
                    + (audit.oldestExpiredAgeSeconds.map { "for \(Self.age(seconds: $0))" } ?? "none is expired"))
            lines.append("  rows the rule can never match (NULL): \(audit.nullRows)")
            lines.append(
                "  rows more than \(Self.age(seconds: Double(audit.farFutureSeconds))) in the future (a unit mistake?): \(audit.farFuture)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "3 days 4 hours", "12 minutes", "40 seconds".
    static func age(seconds: Double) -> String {
        let whole = max(0, Int(seconds.rounded(.down)))
        let units = [(86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")]
        var parts: [String] = []
        var rest = whole
        for (size, unit) in units where rest >= size && parts.count < 2 {
            let count = rest / size
            parts.append("\(count) \(unit)\(count == 1 ? "" : "s")")
            rest -= count * size
        }
        return parts.isEmpty ? "0 seconds" : parts.joined(separator: " ")
    }
}
