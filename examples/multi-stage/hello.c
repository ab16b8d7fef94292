/* A tiny program linked against SQLite: runs one query in an in-memory database. */
#include <stdio.h>
#include <sqlite3.h>

static int row(void *unused, int n, char **vals, char **cols) {
    (void)unused;
    for (int i = 0; i < n; i++)
        printf("%s=%s%s", cols[i], vals[i] ? vals[i] : "NULL", i + 1 < n ? " " : "\n");
    return 0;
}

int main(void) {
    sqlite3 *db;
    char *err = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        fprintf(stderr, "open: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    printf("hello from a multi-stage build, sqlite %s\n", sqlite3_libversion());
    const char *sql =
        "CREATE TABLE t(step TEXT, pos INT);"
        "INSERT INTO t VALUES ('update', 1), ('install', 2), ('cleanup', 3);"
        "SELECT step, pos FROM t ORDER BY pos;";
    if (sqlite3_exec(db, sql, row, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "exec: %s\n", err);
        sqlite3_free(err);
        sqlite3_close(db);
        return 1;
    }
    sqlite3_close(db);
    return 0;
}
