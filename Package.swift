// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "authsweep",
    // Linux only (epoll, accept4: see Sources/CLinux), so no Apple platform
    // is listed.
    products: [
        .executable(name: "authsweep", targets: ["authsweep"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        // C libraries, reached only through the wrapper modules below.
        .systemLibrary(
            name: "CFastCGI",
            pkgConfig: "fcgi",
            providers: [.apt(["libfcgi-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // epoll and accept4, for the responders' event loop.
        .systemLibrary(name: "CLinux"),
        // A pthread mutex around a value: ThreadSanitizer sees it, where it
        // does not see Synchronization.Mutex's futexes.
        .target(name: "Locking"),
        .target(name: "FastCGI", dependencies: ["CFastCGI", "CLinux", "Locking"]),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        // libcurl for the monitoring pings (healthchecks.io and the like),
        // loaded on first use: its headers at build time
        // (libcurl4-openssl-dev), libcurl.so.4 only once a ping is sent.
        .target(name: "CCurl"),
        .target(name: "Curl", dependencies: ["CCurl"]),
        // The domain: configuration, the database, the cleanups,
        // administration, the doctor, metrics. Knows nothing of HTTP.
        .target(
            name: "AuthSweep",
            dependencies: [
                "Postgres",
                "Locking",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            plugins: ["BuildVersion"]
        ),
        // Writes the version from `git describe` before every build.
        .plugin(name: "BuildVersion", capability: .buildTool()),
        // The dead-man's-switch pings of every cleanup run, from the
        // command line as from the workers: the domain and libcurl, no HTTP
        // serving.
        .target(
            name: "Pings",
            dependencies: [
                "AuthSweep",
                "Curl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP contract on top of FastCGI: routes, the Bearer check,
        // outcomes to responses, the request handler, request metrics.
        .target(
            name: "CronAPI",
            dependencies: [
                "AuthSweep",
                "FastCGI",
                "Locking",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "authsweep",
            dependencies: [
                "AuthSweep",
                "CronAPI",
                "FastCGI",
                "Pings",
                "Postgres",
                "Locking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every test may share without a socket, a server or the
        // binary; the unit tests use nothing else.
        .target(name: "Fixtures", path: "Tests/Fixtures"),
        // Servers, clients and databases for the integration and
        // end-to-end tests, on top of Fixtures.
        .target(
            name: "TestSupport",
            dependencies: ["AuthSweep", "Postgres", "Fixtures"],
            path: "Tests/TestSupport"
        ),
        // One test target per module, then the ones that need PostgreSQL,
        // nginx or the built binary.
        .testTarget(
            name: "FastCGITests",
            dependencies: ["FastCGI", "Fixtures"]
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres"]
        ),
        .testTarget(
            name: "AuthSweepTests",
            dependencies: ["AuthSweep", "Postgres", "Locking", "Fixtures"]
        ),
        .testTarget(
            name: "CronAPITests",
            dependencies: [
                "CronAPI", "AuthSweep", "FastCGI", "Postgres", "Locking",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        // The documents and scripts a newcomer meets.
        .testTarget(name: "RepositoryTests", dependencies: ["TestSupport"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "AuthSweep", "Postgres", "TestSupport", "Locking",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["AuthSweep", "Postgres", "TestSupport", "Locking"]
        ),
        // Each framework's own code as the oracle: Django, Laravel and
        // Rails run here (their drivers in Frameworks/); the npm ones are
        // their upstream DDL and rule (Upstream/, with provenance).
        .testTarget(
            name: "FrameworkTests",
            dependencies: ["AuthSweep", "Postgres", "TestSupport"],
            exclude: ["Frameworks", "Upstream"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Imports say what a target shows of its dependencies (`public import`
// only where its own API uses their types), every existential is written
// `any`, and a member is visible only from a module the file imports.
for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("InternalImportsByDefault"),
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
        ]
}
