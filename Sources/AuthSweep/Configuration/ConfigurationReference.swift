/// The configuration reference, made from the key table the code parses
/// (`ConfigurationKeys.all`): each key, its environment variable, its
/// default (what `authsweep config` prints with nothing set) and its
/// meaning. `authsweep config --reference` prints it; docs/configuration.md
/// holds it, and a test fails when the two differ.
public enum ConfigurationReference {
    public struct Entry: Sendable, Equatable {
        public let key: String
        public let environmentName: String
        /// Empty for none.
        public let defaultValue: String
        public let meaning: String
    }

    public static var entries: [Entry] {
        let defaults = Configuration()
        return ConfigurationKeys.all.map { setting in
            Entry(
                key: setting.key, environmentName: setting.environmentName, defaultValue: setting.current(defaults),
                meaning: meanings[setting.key] ?? "")
        }
    }

    /// Keys with no meaning written, and meanings of no key: both empty.
    public static var unexplained: (keys: [String], meanings: [String]) {
        let keys = Set(ConfigurationKeys.all.map(\.key))
        return (keys.filter { meanings[$0]?.isEmpty != false }.sorted(), meanings.keys.filter { !keys.contains($0) }.sorted())
    }

    /// The reference as a Markdown table.
    public static var markdown: String {
        var lines = ["| key | environment | default | meaning |", "|---|---|---|---|"]
        for entry in entries {
            let value = entry.defaultValue.isEmpty ? "(none)" : "`\(entry.defaultValue)`"
            lines.append("| `\(entry.key)` | `\(entry.environmentName)` | \(value) | \(entry.meaning.replacingPipes) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// A `|` would end a Markdown table's cell.
    fileprivate var replacingPipes: String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
