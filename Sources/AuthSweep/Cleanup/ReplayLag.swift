/// How far behind the standbys' replay is, in time: the primary's WAL
/// positions as this run saw them between its batches, against the least
/// position the standbys report replayed.
///
/// PostgreSQL's own `replay_lag` is measured only when a standby's replay
/// moves: a standby that stopped replaying keeps showing the last small
/// figure. This counts from the moment the oldest WAL not yet replayed
/// was written, which grows for as long as the standby stands still.
struct ReplayLag {
    private var samples: [(at: ContinuousClock.Instant, position: UInt64)] = []

    /// The primary's WAL ended at `position` at `instant`.
    mutating func record(_ position: UInt64, at instant: ContinuousClock.Instant) {
        if let last = samples.last, last.position >= position { return }
        samples.append((instant, position))
    }

    /// The age at `now` of the oldest WAL written since the first sample
    /// that the standbys have not replayed (zero when they have replayed
    /// it all). For WAL older than that sample, the age of the sample or
    /// `reported` (PostgreSQL's own measure), whichever is larger.
    mutating func lag(replayed: UInt64, reported: Duration?, now: ContinuousClock.Instant) -> Duration {
        guard let first = samples.first else { return reported ?? .zero }
        guard let next = samples.firstIndex(where: { $0.position > replayed }) else {
            samples.removeFirst(samples.count - 1)
            return .zero
        }
        if next == 0 { return max(first.at.duration(to: now), reported ?? .zero) }
        // Samples replayed are no longer needed, but the latest of them.
        samples.removeFirst(next - 1)
        return samples[1].at.duration(to: now)
    }
}
