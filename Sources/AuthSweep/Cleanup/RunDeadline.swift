/// When a run's time budget (`--time-budget`, `cleanup.time_budget_ms`) is
/// spent. A run without a budget has no deadline: it never passes.
struct RunDeadline: Sendable {
    private let instant: ContinuousClock.Instant?

    init(budget: Duration?) {
        instant = budget.map { ContinuousClock.now + $0 }
    }

    var hasPassed: Bool {
        guard let instant else { return false }
        return ContinuousClock.now >= instant
    }

    /// `duration`, shortened to what is left of the budget.
    func capped(_ duration: Duration) -> Duration {
        guard let instant else { return duration }
        return min(duration, ContinuousClock.now.duration(to: instant))
    }
}
