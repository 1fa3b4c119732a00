#pragma once

#include <QProcess>
#include <QSqlDatabase>
#include <QString>
#include <QTemporaryDir>

#include <memory>

// Debian's PostgreSQL and Redis, started by a test in a temporary directory
// on a free loopback port and stopped (and removed) when it ends, for the
// cluster tests. Nothing else on the machine is touched.

// PostgreSQL 15: initdb, then postgres in the foreground. It refuses to run
// as root, so when the tests run as root the cluster belongs to the postgres
// user.
class PostgresProcess
{
public:
    PostgresProcess();
    ~PostgresProcess();

    // initdb, start, and a database "confab" for the user "confab".
    bool start();
    // A fast shutdown: clients are cut off; start() again brings it back
    // on the same port with the same data.
    bool stop();
    QString url() const;
    // The URL of another database of this server's (for the user "confab").
    QString urlOf(const QString &database) const;
    // CREATE DATABASE `name` (a plain identifier); false with error() if not.
    bool createDatabase(const QString &name);
    // A PostgreSQL program of the same version (pg_dump, pg_restore, …).
    QString program(const QString &name) const { return m_bin + u'/' + name; }
    QString error() const { return m_error; }
    quint16 port() const { return m_port; }
    // A connection of the test's own to the database, under `name` (not
    // yet open).
    QSqlDatabase connection(const QString &name) const;

private:
    bool run(const QString &program, const QStringList &arguments, int timeoutMs = 60'000);
    void prepare(QProcess &process) const;

    QTemporaryDir m_dir;
    QString m_bin;
    quint16 m_port = 0;
    bool m_initialised = false;
    std::unique_ptr<QProcess> m_server;
    QString m_error;
};

// redis-server 7, without persistence (a restart forgets everything, as a
// lost cache would).
class RedisProcess
{
public:
    RedisProcess();
    ~RedisProcess();

    bool start();
    // SIGKILL, like a crash; start() again on the same port.
    void kill();
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    quint16 port() const { return m_port; }
    QString error() const { return m_error; }
    // One command through redis-cli; its answer, trimmed (null if it failed).
    QString command(const QStringList &arguments);

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

// A TCP port nobody listens on right now, on 127.0.0.1.
quint16 freeTcpPort();
