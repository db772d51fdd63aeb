import AuthSweep
import Foundation

/// The man pages in mdoc: each command's page finished from the generator's,
/// and authsweep.conf(5).
enum ManualPage {
    /// "December 6, 2026" for "2026-12-06", as `.Dd` takes it.
    static func mdocDate(_ date: String) -> String? {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ]
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]), parts[0] >= 1970 else { return nil }
        return "\(months[parts[1] - 1]) \(parts[2]), \(parts[0])"
    }

    /// `text` as one roff text line: backslashes escaped, `code` in bold, a
    /// leading dot or quote kept from being read as a request.
    static func text(_ text: String) -> String {
        var result = ""
        var bold = false
        for character in text {
            switch character {
            case "\\": result += "\\e"
            case "`":
                result += bold ? "\\fR" : "\\fB"
                bold.toggle()
            default: result.append(character)
            }
        }
        if bold { result += "\\fR" }
        return result.first == "." || result.first == "'" ? "\\&" + result : result
    }

    /// The statuses of an "Exit status: 0 done; 64 bad usage." sentence, as
    /// `ExitStatus.help` writes it.
    static func exitStatuses(in sentence: String) -> [(code: String, meaning: String)] {
        var items: [(code: String, meaning: String)] = []
        var body = Substring(sentence)
        if body.hasSuffix(".") { body = body.dropLast() }
        for piece in body.components(separatedBy: "; ") {
            let words = piece.split(separator: " ", maxSplits: 1)
            if let code = words.first, code.allSatisfy(\.isNumber), words.count == 2 {
                items.append((String(code), String(words[1])))
            } else if !items.isEmpty {
                items[items.count - 1].meaning += "; " + piece
            }
        }
        return items
    }

    /// The generator's page with OPTIONS as a section of its own, the
    /// "Exit status:" sentence of the description made the EXIT STATUS
    /// section, and ENVIRONMENT, FILES, EXAMPLES and SEE ALSO added.
    static func finished(_ generated: String, name: String) -> String {
        var lines = generated.components(separatedBy: "\n")
        var statuses: [(code: String, meaning: String)] = []
        if let index = lines.firstIndex(where: { $0.contains("Exit status: ") }), let range = lines[index].range(of: "Exit status: ") {
            statuses = exitStatuses(in: String(lines[index][range.upperBound...]))
            let before = lines[index][..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            if before.isEmpty { lines.remove(at: index) } else { lines[index] = before }
        }
        if let description = lines.firstIndex(of: ".Sh DESCRIPTION"),
            let list = lines[description...].firstIndex(where: { $0.hasPrefix(".Bl -tag") })
        {
            let text = lines[(description + 1)..<list].filter { !$0.hasPrefix(".") }
            lines.insert(".Sh OPTIONS", at: list)
            if text.isEmpty, let summary = lines.first(where: { $0.hasPrefix(".Nd ") }) {
                lines.insert(text: String(summary.dropFirst(4)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")), at: description + 1)
            }
        }
        let content = ManualContent.page(name)
        var added: [String] = []
        added += section("ENVIRONMENT", items: content.environment.map { (".It Ev \($0.name)", $0.meaning) }, none: "None: it reads only its standard input.")
        added += section("FILES", items: content.files.map { (".It Pa \($0.path)", $0.meaning) }, none: "None.")
        if statuses.isEmpty {
            added += [".Sh EXIT STATUS", text("Each subcommand's page lists the statuses it ends with; 64 for bad usage.")]
        } else {
            added += section("EXIT STATUS", items: statuses.map { (".It \($0.code)", $0.meaning) })
        }
        if !content.examples.isEmpty {
            added.append(".Sh EXAMPLES")
            for example in content.examples {
                added += [text(example.meaning + ":"), ".Bd -literal -offset indent", text(example.command), ".Ed"]
            }
        }
        guard let exitStatus = lines.firstIndex(of: ".Sh \"EXIT STATUS\""), lines.count > exitStatus + 1 else { return generated }
        lines.replaceSubrange(exitStatus...(exitStatus + 1), with: added)
        let seeAlso = content.seeAlso.map { ".Xr \($0.name) \($0.section)" }
        if !seeAlso.isEmpty {
            let links = seeAlso.enumerated().map { $0.offset < seeAlso.count - 1 ? $0.element + " ," : $0.element }
            if let existing = lines.firstIndex(of: ".Sh \"SEE ALSO\"") {
                var end = existing + 1
                while end < lines.count, lines[end].hasPrefix(".Xr") { end += 1 }
                lines[end - 1] += " ,"
                lines.insert(contentsOf: links, at: end)
            } else if let authors = lines.firstIndex(of: ".Sh AUTHORS") {
                lines.insert(contentsOf: [".Sh \"SEE ALSO\""] + links, at: authors)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A section of tagged paragraphs; with none, `none` says so, or the
    /// section is left out.
    static func section(_ title: String, items: [(tag: String, text: String)], none: String? = nil) -> [String] {
        guard !items.isEmpty else { return none.map { [".Sh \(title)", text($0)] } ?? [] }
        return [".Sh \(title)", ".Bl -tag -width Ds"] + items.flatMap { [$0.tag, text($0.text)] } + [".El"]
    }
}

extension Array where Element == String {
    fileprivate mutating func insert(text: String, at index: Int) {
        insert(ManualPage.text(text), at: index)
    }
}
