/*
 * The "C limit" of bench/run: the least a libfcgi responder can do for the
 * benchmark's scenarios. FCGX_Accept_r on N threads, one libpq connection
 * per thread; checks "Authorization: Bearer <CRON_SECRET>" and answers the
 * contract's 401 body, or runs the obvious stats query.
 *   responder SOCKET_PATH THREADS   (CRON_SECRET and DATABASE_URL from the environment)
 */
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_socket;
static const char *secret;
static const char *database_url;

static const char unauthorized[] =
    "Status: 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\n"
    "Cache-Control: no-store\r\nWWW-Authenticate: Bearer\r\n\r\n{\"error\":\"Unauthorized\"}";

static const char stats_sql[] =
    "SELECT count(*) FILTER (WHERE expires > (SELECT now() AT TIME ZONE 'UTC')), "
    "count(*) FILTER (WHERE expires <= (SELECT now() AT TIME ZONE 'UTC')) FROM \"Session\"";

static int authorized(const char *header) {
    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0) return 0;
    return strcmp(header + 7, secret) == 0;
}

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_socket, 0);
    PGconn *connection = NULL;
    while (FCGX_Accept_r(&request) >= 0) {
        char buffer[4096];
        while (FCGX_GetStr(buffer, sizeof buffer, request.in) > 0) {}
        if (!authorized(FCGX_GetParam("HTTP_AUTHORIZATION", request.envp))) {
            FCGX_PutStr(unauthorized, sizeof unauthorized - 1, request.out);
            FCGX_Finish_r(&request);
            continue;
        }
        if (connection == NULL || PQstatus(connection) != CONNECTION_OK) {
            if (connection) PQfinish(connection);
            connection = PQconnectdb(database_url);
        }
        PGresult *result = PQexec(connection, stats_sql);
        if (PQresultStatus(result) == PGRES_TUPLES_OK) {
            long active = atol(PQgetvalue(result, 0, 0)), expired = atol(PQgetvalue(result, 0, 1));
            FCGX_FPrintF(request.out,
                "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n\r\n"
                "{\"success\":true,\"stats\":{\"total\":%ld,\"active\":%ld,\"expired\":%ld,\"timestamp\":\"1970-01-01T00:00:00.000Z\"}}",
                active + expired, active, expired);
        } else {
            FCGX_FPrintF(request.out, "Status: 500 Internal Server Error\r\n\r\n{\"success\":false,\"error\":\"Internal Server Error\"}");
        }
        PQclear(result);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: responder SOCKET_PATH THREADS\n"); return 64; }
    secret = getenv("CRON_SECRET");
    database_url = getenv("DATABASE_URL");
    if (!secret || !database_url) { fprintf(stderr, "CRON_SECRET and DATABASE_URL are required\n"); return 64; }
    FCGX_Init();
    /* libfcgi's SIGTERM handler only marks a shutdown that its accept never
     * sees (it restarts): put back the default, so bench/run stops it at once. */
    signal(SIGTERM, SIG_DFL);
    unlink(argv[1]);
    listen_socket = FCGX_OpenSocket(argv[1], 1024);
    if (listen_socket < 0) { perror("FCGX_OpenSocket"); return 1; }
    chmod(argv[1], 0666);
    int threads = atoi(argv[2]);
    pthread_t ids[64];
    for (int i = 0; i < threads && i < 64; i++) pthread_create(&ids[i], NULL, serve, NULL);
    for (int i = 0; i < threads && i < 64; i++) pthread_join(ids[i], NULL);
    return 0;
}
