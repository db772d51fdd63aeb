import Postgres

/// A partition of a cleaned table that lies wholly before the cleanup's
/// cutoff: the highest one of its branch whose range on the rule column
/// ends by then (a month sub-partitioned by hash goes as one).
struct WholePartition {
    let schema: SQLIdentifier
    let table: SQLIdentifier
    /// The partitioned table it is attached to.
    let parentSchema: SQLIdentifier
    let parent: SQLIdentifier
    /// Whether that parent has a default partition (which rules out
    /// detaching concurrently).
    let parentHasDefault: Bool
    /// Whether the role may drop or detach it: it must own (be a member of
    /// the owner of) the partition and its parent.
    let mayRemove: Bool
    /// A `DETACH ... CONCURRENTLY` of it was interrupted: it is finished
    /// with `FINALIZE`, not started again.
    let detachPending: Bool

    var qualified: SQLQuery { "\(schema).\(table)" }
    var qualifiedParent: SQLQuery { "\(parentSchema).\(parent)" }
    /// Detaches it without blocking the application's statements on the
    /// parent (outside a transaction), or finishes such a detach that was
    /// interrupted.
    var concurrentDetach: SQLQuery {
        let form: SQLQuery = detachPending ? "FINALIZE" : "CONCURRENTLY"
        return "ALTER TABLE \(qualifiedParent) DETACH PARTITION \(qualified) \(form)"
    }
    /// `schema.name`, quoted where needed, for log lines.
    var name: String { "\(schema.quoted).\(table.quoted)" }
}

extension CleanupStore {
    /// The partitions of `target`'s table that lie wholly before `cutoff`,
    /// read from `pg_inherits` (`pg_partition_tree` leaves out a partition
    /// whose concurrent detach was interrupted; `inhdetachpending` is read
    /// where the server has it, PostgreSQL 14 and later),
    /// proven by their bounds, never by what they hold now: a partition of
    /// a table range-partitioned on the cutoff's column alone, whose upper
    /// bound is at or before the cutoff, can only ever hold rows below it,
    /// all removable. A default partition, a bound reaching `MAXVALUE`, a
    /// range on another column or on several, a list or hash partition are
    /// never listed (though a branch below a listed range partition goes
    /// with it), nor a branch holding foreign tables. The bound is read back
    /// from the text PostgreSQL prints for it and cast to the column's type
    /// in the same statement, so the session's TimeZone and DateStyle
    /// round-trip. Empty for a table that is not partitioned.
    func wholePartitions(_ target: DeletionTarget, cutoff: DeletionTarget.PartitionCutoff) throws(JobError) -> [WholePartition] {
        let result = try run(
            """
            WITH RECURSIVE tree AS (
                SELECT i.inhrelid AS relid, i.inhparent AS parent, COALESCE((to_jsonb(i) ->> 'inhdetachpending')::boolean, false) AS pending
                FROM pg_catalog.pg_inherits i WHERE i.inhparent = to_regclass(\(target.table.quoted))
                UNION ALL
                SELECT i.inhrelid, i.inhparent, COALESCE((to_jsonb(i) ->> 'inhdetachpending')::boolean, false)
                FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.relid
            ), qualifying AS (
                SELECT node.oid AS relid, i.parent, i.pending
                FROM tree i
                JOIN pg_catalog.pg_class node ON node.oid = i.relid AND node.relispartition
                JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = i.parent
                LEFT JOIN pg_catalog.pg_attribute k ON k.attrelid = i.parent AND k.attnum = pt.partattrs[0]
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN pt.partstrat = 'r' AND pt.partnatts = 1 AND k.attname = \(cutoff.column)
                                THEN substring(pg_catalog.pg_get_expr(node.relpartbound, node.oid) FROM ' TO [(](.*)[)]$') END AS raw
                ) r
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN r.raw LIKE '''%''' THEN replace(substr(r.raw, 2, length(r.raw) - 2), '''''', '''')
                                WHEN r.raw ~ '^-?[0-9]+$' THEN r.raw END AS upper
                ) b
                WHERE b.upper IS NOT NULL AND b.upper::\(cutoff.clock.sqlType) <= \(cutoff.moment)
            )
            SELECT n.nspname, c.relname, pn.nspname, p.relname,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_inherits d JOIN pg_catalog.pg_class dc ON dc.oid = d.inhrelid
                           WHERE d.inhparent = p.oid AND pg_catalog.pg_get_expr(dc.relpartbound, dc.oid) = 'DEFAULT'),
                   pg_catalog.pg_has_role(c.relowner, 'USAGE') AND pg_catalog.pg_has_role(p.relowner, 'USAGE'),
                   q.pending
            FROM qualifying q
            JOIN pg_catalog.pg_class c ON c.oid = q.relid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_class p ON p.oid = q.parent
            JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
            WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_partition_ancestors(q.parent) a(relid) JOIN qualifying above ON above.relid = a.relid)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_partition_tree(q.relid) d JOIN pg_catalog.pg_class dc ON dc.oid = d.relid
                              WHERE dc.relkind NOT IN ('r', 'p'))
            ORDER BY n.nspname, c.relname
            """
        )
        var partitions: [WholePartition] = []
        for row in result.rows.indices {
            guard let schema = result.value(row: row, column: 0), let table = result.value(row: row, column: 1),
                let parentSchema = result.value(row: row, column: 2), let parent = result.value(row: row, column: 3)
            else { continue }
            partitions.append(
                WholePartition(
                    schema: try catalog.quote(schema), table: try catalog.quote(table),
                    parentSchema: try catalog.quote(parentSchema), parent: try catalog.quote(parent),
                    parentHasDefault: result.value(row: row, column: 4) == "t", mayRemove: result.value(row: row, column: 5) == "t",
                    detachPending: result.value(row: row, column: 6) == "t"))
        }
        return partitions
    }

    /// The rows a partition holds (with its own partitions).
    func rowCount(of partition: WholePartition) throws(JobError) -> Int {
        try TransactionRunner.integer(try run("SELECT count(*) FROM \(partition.qualified)"), column: 0)
    }

    /// The rows a partition holds, and how many of them `condition` matches.
    func rowCounts(of partition: WholePartition, matching condition: SQLQuery) throws(JobError) -> (all: Int, matching: Int) {
        let result = try run("SELECT count(*), count(*) FILTER (WHERE \(condition)) FROM \(partition.qualified)")
        return (try TransactionRunner.integer(result, column: 0), try TransactionRunner.integer(result, column: 1))
    }

    /// Whether the server can detach a partition concurrently (PostgreSQL 14).
    func detachesConcurrently() throws(JobError) -> Bool {
        (try run("SELECT current_setting('server_version_num')::int >= 140000").value()) == "t"
    }
}
