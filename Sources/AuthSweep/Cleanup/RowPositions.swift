import Postgres

/// Rows a cleanup pass leaves alone: those another transaction holds, by
/// position (ctid). Usually none.
struct RowPositions {
    /// Whether a transaction still in progress holds the row: its `xmax` is
    /// one of the snapshot's running transactions (it locked the row, or is
    /// updating or deleting it). A DELETE would wait for it. Read without
    /// locking anything; the few holders it cannot see (a subtransaction, or
    /// several lockers sharing a multixact) are still waited for, up to
    /// `lock_timeout`, and then found row by row.
    static let heldByOthers: SQLQuery = """
        (NOT xmax = '0'::xid AND xmax = ANY(ARRAY(
            SELECT (running::text::bigint % 4294967296)::text::xid FROM pg_catalog.pg_snapshot_xip(pg_catalog.pg_current_snapshot()) AS running)))
        """

    private(set) var positions: [String] = []

    var isEmpty: Bool { positions.isEmpty }

    mutating func insert(_ position: String) {
        positions.append(position)
    }

    /// `AND ctid <> ALL(...)`, or nothing when there are none.
    var filter: SQLQuery {
        guard !positions.isEmpty else { return "" }
        // ctid text is "(page,item)": digits, a comma and parentheses only.
        let array = "{" + positions.map { "\"\($0)\"" }.joined(separator: ",") + "}"
        return "AND ctid <> ALL(\(array)::tid[])"
    }
}
