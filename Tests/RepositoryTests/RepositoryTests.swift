import Foundation
import TestSupport
import Testing

/// The repository as a newcomer meets it: the documents' examples are the
/// files in deploy/, their links lead somewhere in the clone, and the
/// scripts the demo and the tests share keep their promises.
@Suite("documents and scripts")
struct RepositoryTests {
    static let root = PackagePaths.root

    static func read(_ relativePath: String) throws -> String {
        try String(contentsOfFile: root + "/" + relativePath, encoding: .utf8)
    }

    /// README.md and every page under docs/, its subdirectories included.
    static func documents() throws -> [String] {
        let docs = FileManager.default.subpaths(atPath: root + "/docs") ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// A fenced block, with the `<!-- file: PATH -->` marker just above it if any.
    struct FencedBlock {
        var document: String
        var line: Int
        var claimedFile: String?
        var text: String
    }

    static func fencedBlocks(in document: String) throws -> [FencedBlock] {
        let lines = try read(document).components(separatedBy: "\n")
        var blocks: [FencedBlock] = []
        var index = 0
        var marker: String?
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("<!-- file: "), line.hasSuffix(" -->") {
                marker = String(line.dropFirst("<!-- file: ".count).dropLast(" -->".count))
            } else if line.hasPrefix("```") {
                let start = index
                index += 1
                var body: [String] = []
                while index < lines.count, !lines[index].hasPrefix("```") {
                    body.append(lines[index])
                    index += 1
                }
                blocks.append(FencedBlock(document: document, line: start + 1, claimedFile: marker, text: body.joined(separator: "\n")))
                marker = nil
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                marker = nil
            }
            index += 1
        }
        return blocks
    }

    @Test("every example marked as a file of deploy/ is that file, byte for byte")
    func examplesAreTheFiles() throws {
        var marked = 0
        for document in try Self.documents() {
            for block in try Self.fencedBlocks(in: document) {
                guard let path = block.claimedFile else { continue }
                marked += 1
                #expect(path.hasPrefix("deploy/"), "\(document):\(block.line) names \(path), outside deploy/")
                let file = try Self.read(path)
                #expect(block.text + "\n" == file, "\(document):\(block.line) differs from \(path): copy the file into the block again")
            }
        }
        #expect(marked >= 3, "the documents show the crontab, the timer and the workflow from deploy/")
    }

    @Test("every systemd unit or crontab entry shown in the documents is marked with its file")
    func unitsAndCrontabsAreMarked() throws {
        let unitSection = /^\[(Unit|Service|Timer|Socket|Install)\]$/
        // Five schedule fields, then a command: a crontab entry.
        let crontabEntry = /^(@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)\s|([0-9*\/,-]+\s+){5}\S)/
        for document in try Self.documents() {
            for block in try Self.fencedBlocks(in: document) where block.claimedFile == nil {
                let lines = block.text.components(separatedBy: "\n")
                let looksLikeAFile = lines.contains { $0.wholeMatch(of: unitSection) != nil || $0.prefixMatch(of: crontabEntry) != nil }
                #expect(!looksLikeAFile, "\(document):\(block.line) shows a unit or crontab without <!-- file: deploy/... --> above it")
            }
        }
    }

    @Test("the README is a way in of at most 250 lines that links every page of docs/")
    func readmeLeadsEverywhere() throws {
        let readme = try Self.read("README.md")
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(lines <= 250, "README.md has \(lines) lines: move the detail to a page of docs/")
        for page in try Self.documents() where page.hasPrefix("docs/") {
            #expect(readme.contains("](\(page))") || readme.contains("](\(page)#"), "README.md does not link \(page)")
        }
    }

    @Test("the documents point nowhere outside the repository, and every link leads to a file in it")
    func linksStayInside() throws {
        let link = /\]\(([^)\s]+)\)/
        for document in try Self.documents() {
            let text = try Self.read(document)
            #expect(!text.contains("../shared"), "\(document) points to ../shared, which a clone does not have")
            let directory = (document as NSString).deletingLastPathComponent
            for match in text.matches(of: link) {
                let target = String(match.1)
                if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("#") || target.hasPrefix("mailto:") { continue }
                let path = String(target.split(separator: "#", maxSplits: 1)[0])
                let resolved = ((Self.root + "/" + directory + "/" + path) as NSString).standardizingPath
                #expect(resolved.hasPrefix(Self.root + "/"), "\(document) links outside the repository: \(target)")
                #expect(FileManager.default.fileExists(atPath: resolved), "\(document) links to \(target), which does not exist")
            }
        }
    }
}

@Suite("deploy/render-nginx-site")
struct RenderNginxSiteTests {
    static let script = RepositoryTests.root + "/deploy/render-nginx-site"

    /// nginx.conf.example with one text changed, in a file in `directory`.
    static func example(replacing original: String, with replacement: String, in directory: ScratchDirectory) throws -> String {
        let site = try RepositoryTests.read("nginx.conf.example")
        #expect(site.contains(original), "the example no longer contains \(original)")
        let path = directory.path + "/site.conf"
        try site.replacingOccurrences(of: original, with: replacement).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(
        "HTTP/2 in the form the nginx wants: --http2 directive says http2 on; once per HTTPS server, listen keeps listen ... ssl http2;, auto follows the nginx here, and an example in either form renders the same"
    )
    func http2Forms() throws {
        let directive = try ChildProcess.run(Self.script, ["--http2", "directive"])
        #expect(directive.status == 0, "\(directive.stderr)")
        #expect(!directive.stdout.contains("ssl http2;"))
        #expect(directive.stdout.components(separatedBy: "http2 on;").count == 2, "once")
        #expect(directive.stdout.contains("    listen 443 ssl;\n    http2 on;\n    listen [::]:443 ssl;\n"))
        let listen = try ChildProcess.run(Self.script, ["--http2", "listen"])
        #expect(listen.stdout.contains("    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n") && !listen.stdout.contains("http2 on;"))
        let scratch = try ScratchDirectory("render-http2")
        let example = try Self.example(
            replacing: "listen 443 ssl http2;\n    listen [::]:443 ssl http2;", with: "listen 443 ssl;\n    http2 on;\n    listen [::]:443 ssl;", in: scratch)
        for form in ["listen", "directive"] {
            let fromDirectiveForm = try ChildProcess.run(Self.script, ["--example", example, "--http2", form])
            #expect(fromDirectiveForm.stdout == (form == "listen" ? listen.stdout : directive.stdout), "\(form)")
        }
        // nginx 1.25.1 and later take the directive; Debian 12's 1.22 only the listen form.
        let nginx = try ChildProcess.run("/usr/sbin/nginx", ["-v"]).stderr
        let parts = (nginx.split(separator: "/").last ?? "").split(separator: ".").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(parts.count == 3, "\(nginx)")
        let wantsDirective = parts[0] > 1 || (parts[0] == 1 && (parts[1] > 25 || (parts[1] == 25 && parts[2] >= 1)))
        #expect(try ChildProcess.run(Self.script, []).stdout == (wantsDirective ? directive.stdout : listen.stdout), "\(nginx)")
        #expect(try ChildProcess.run(Self.script, ["--http2", "sideways"]).status == 64)
    }

    @Test(
        "a text the renderer substitutes that is gone from the example stops it, naming that text",
        arguments: [
            ("listen 443 ssl http2;", "listen 8443 ssl;", ["--https-listen", "127.0.0.1:1"]),
            ("unix:/run/authsweep/", "unix:/srv/authsweep/", ["--socket-dir", "/tmp/x"]),
            ("ssl_ciphers", "# ssl_ciphers", ["--plain-http", "127.0.0.1:1"]),
            ("server unix:/run/authsweep/authsweep-3.sock;", "", ["--workers", "2"]),
            ("rate=2r/s", "rate=5r/s", ["--rate", "100r/s"]),
        ])
    func missingTextIsAnError(original: String, replacement: String, options: [String]) throws {
        let scratch = try ScratchDirectory("render")
        let example = try Self.example(replacing: original, with: replacement, in: scratch)
        let result = try ChildProcess.run(Self.script, ["--example", example] + options)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        let named = original == "ssl_ciphers" ? "ssl_ciphers" : original.components(separatedBy: "\n")[0]
        #expect(result.stderr.contains(named), "\(result.stderr)")
    }

    @Test("the demo's plain-HTTP site keeps everything but TLS and the redirect")
    func plainHTTP() throws {
        let result = try ChildProcess.run(Self.script, ["--plain-http", "127.0.0.1:8080", "--workers", "2", "--socket-dir", "/tmp/demo"])
        #expect(result.status == 0, "\(result.stderr)")
        let site = result.stdout
        #expect(!site.contains("ssl") && !site.contains("443") && !site.contains("listen 80;") && !site.contains("return 301"))
        #expect(!site.contains("Strict-Transport-Security"))
        #expect(site.contains("listen 127.0.0.1:8080;"))
        #expect(site.contains("server unix:/tmp/demo/authsweep-1.sock;\n    server unix:/tmp/demo/authsweep-2.sock;\n}"))
        #expect(!site.contains("unix:/run/authsweep/"))
        for kept in [
            "limit_req zone=authsweep_cron burst=20 nodelay;", "fastcgi_next_upstream error;", "client_max_body_size 16k;",
            "fastcgi_pass unix:/tmp/demo/authsweep-$worker.sock;", "location = /.authsweep-error/503",
        ] {
            #expect(site.contains(kept), "\(kept)")
        }
    }

    @Test("the HTTP-only site has the ACME challenge and no TLS server, and nginx accepts it before any certificate exists")
    func httpOnly() throws {
        let scratch = try ScratchDirectory("http-only")
        let result = try ChildProcess.run(
            Self.script, ["--http-only", "--server-name", "cron.test.org", "--acme-webroot", scratch.path + "/acme", "--access-log", "off"])
        #expect(result.status == 0, "\(result.stderr)")
        let site = result.stdout
        #expect(!site.contains("listen 443") && !site.contains("ssl_certificate") && !site.contains("fastcgi_pass"))
        #expect(site.contains("location ^~ /.well-known/acme-challenge/ {\n        root \(scratch.path)/acme;"))
        #expect(site.contains("return 403 '{\"error\":\"HTTPS Required\"}';") && site.contains("return 301 https://cron.test.org$request_uri;"))
        try site.write(toFile: scratch.path + "/site.conf", atomically: true, encoding: .utf8)
        try
            "\(TestUser.isRoot ? "user www-data;" : "")\npid \(scratch.path)/nginx.pid;\nerror_log \(scratch.path)/error.log;\nevents {}\nhttp { include \(scratch.path)/site.conf; }\n"
            .write(toFile: scratch.path + "/nginx.conf", atomically: true, encoding: .utf8)
        let check = try ChildProcess.run(
            "/usr/sbin/nginx", ["-t", "-q", "-c", scratch.path + "/nginx.conf", "-p", scratch.path, "-e", scratch.path + "/error.log"])
        #expect(check.status == 0, "\(check.stderr)")
        let both = try ChildProcess.run(Self.script, ["--http-only", "--certificate", "/etc/ssl/x.pem"])
        #expect(both.status == 64 && both.stderr.contains("--http-only leaves the HTTPS server out"))
    }

    @Test("options that make no sense together, or paths nginx would misread, are refused")
    func badOptions() throws {
        for options in [
            ["--plain-http", "127.0.0.1:1", "--certificate", "/c.pem"], ["--socket-dir", "/tmp/a b"],
            ["--workers", "0"], ["--server-name", "a;b"], ["--socket-dir"], ["--bogus"],
        ] {
            let result = try ChildProcess.run(Self.script, options)
            #expect(result.status == 64, "\(options)")
            #expect(result.stdout.isEmpty && !result.stderr.isEmpty, "\(options)")
        }
    }
}

@Suite("scripts/services.sh")
struct ServicesScriptTests {
    /// Runs `body` in bash with scripts/services.sh sourced and the policy
    /// file at `policy`.
    static func bash(_ body: String, policy: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess.run("/bin/bash", ["-c", sourced + body], environment: ["AUTHSWEEP_POLICY_RC_D": policy])
    }

    static let sourced = "source '\(RepositoryTests.root)/scripts/services.sh'\n"

    @Test("the policy-rc.d that holds services back is there while packages install and gone after a failure")
    func policyGoneAfterFailure() throws {
        let scratch = try ScratchDirectory("policy")
        let policy = scratch.path + "/policy-rc.d"
        // The command sees the policy (exit 101 refuses every start), then fails like apt-get would.
        let failing = try Self.bash(
            """
            set -e
            without_service_starts sh -c '"$AUTHSWEEP_POLICY_RC_D" start; [ $? -eq 101 ] && exit 7'
            echo not reached
            """, policy: policy)
        #expect(failing.status == 7)
        #expect(!failing.stdout.contains("not reached"))
        #expect(!FileManager.default.fileExists(atPath: policy))

        let succeeding = try Self.bash("without_service_starts true && echo done", policy: policy)
        #expect(succeeding.stdout == "done\n")
        #expect(!FileManager.default.fileExists(atPath: policy))
    }

    @Test("an interrupted install still removes the policy-rc.d", arguments: [SIGINT, SIGTERM, SIGHUP])
    func policyGoneAfterSignal(signal: Int32) throws {
        let scratch = try ScratchDirectory("policy")
        let policy = scratch.path + "/policy-rc.d"
        let install = try ChildProcess(
            "/bin/bash", ["-c", Self.sourced + "without_service_starts sleep 30"], environment: ["AUTHSWEEP_POLICY_RC_D": policy],
            ownProcessGroup: true)
        let appeared = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: policy), Date() < appeared { usleep(20_000) }
        #expect(FileManager.default.fileExists(atPath: policy), "the policy file was never written")
        let signalled = Date()
        install.signalGroup(signal)
        install.waitUntilExit()
        // The shell may go first; the subshell that owns the file follows.
        while kill(-install.processIdentifier, 0) == 0, Date().timeIntervalSince(signalled) < 20 { usleep(20_000) }
        #expect(Date().timeIntervalSince(signalled) < 20, "the signal did not stop the install")
        #expect(!FileManager.default.fileExists(atPath: policy))
    }

    @Test("an existing policy-rc.d is the administrator's: used and left in place")
    func existingPolicyKept() throws {
        let scratch = try ScratchDirectory("policy")
        let policy = scratch.path + "/policy-rc.d"
        try "#!/bin/sh\nexit 0\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let result = try Self.bash("without_service_starts false; echo $?", policy: policy)
        #expect(result.stdout == "1\n")
        #expect(try String(contentsOfFile: policy, encoding: .utf8) == "#!/bin/sh\nexit 0\n")
    }

    @Test("stop_pid stops a process that ignores SIGTERM, and wait_until gives up with a message")
    func boundedWaits() throws {
        let result = try Self.bash(
            """
            (trap '' TERM; exec sleep 60) & pid=$!
            sleep 0.3
            stop_pid "$pid" 1
            kill -0 "$pid" 2>/dev/null && echo still running || echo stopped
            wait_until 1 "a file that never comes" test -e /nonexistent/file || echo gave up
            """, policy: "/nonexistent/policy")
        #expect(result.stdout == "stopped\ngave up\n", "\(result.stderr)")
        #expect(result.stderr.contains("sending SIGKILL"))
        #expect(result.stderr.contains("gave up after 1s waiting for a file that never comes"))
    }
}

@Suite("the tests' child processes")
struct ChildProcessTests {
    @Test("a child inherits no descriptor of the test runner but stdin, stdout and stderr")
    func onlyStandardDescriptors() throws {
        var ends: [Int32] = [-1, -1]
        // Not close-on-exec, as a socket another test opens may not be.
        #expect(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        let result = try ChildProcess.run("/bin/sh", ["-c", "ls /proc/$$/fd"])
        let inherited = Set(result.stdout.split(separator: "\n").compactMap { Int32($0) })
        #expect(inherited.isSuperset(of: [0, 1, 2]))
        #expect(inherited.isDisjoint(with: ends), "\(inherited.sorted()) holds \(ends)")
    }
}
