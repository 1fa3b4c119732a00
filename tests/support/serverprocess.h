#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

// A real confab-server process on ephemeral loopback ports, for integration
// tests. The database lives in a temporary directory unless a path is given,
// so a test can restart the server on the same file.
class ServerProcess
{
public:
    ServerProcess();
    ~ServerProcess();

    // Starts the server with `extraArguments` (limits, TLS, ...). Returns
    // false, with the server's output in error(), if it did not come up.
    bool start(const QStringList &extraArguments = {});
    // `confab-server account add NAME` on this server's database (an
    // operator's account, say), with `password` on standard input. False,
    // with the command's output in error(), if it failed.
    bool addAccount(const QString &name, const QString &password);
    // `confab-server account WORDS…` on this server's database, with
    // `input` on standard input; the exit code (-1: did not finish), and
    // what it printed in *output.
    int account(const QStringList &words, const QString &input = QString(), QString *output = nullptr);
    // Stops with SIGTERM and waits; returns the exit code (-1: crashed or hung).
    int stop();
    // SIGKILL, no chance to clean up.
    void kill();
    // SIGHUP: re-read the configuration.
    void reload();
    // Waits until the output after `from` (a size of output()) contains
    // `text`; false on timeout or exit.
    bool waitForOutput(const QString &text, qsizetype from = 0, int timeoutMs = 20'000);

    // Runs the server through a launcher, e.g. {"prlimit", "--nofile=128:128", "--"}.
    void setLauncher(const QStringList &launcher) { m_launcher = launcher; }
    QString databasePath() const { return m_databasePath; }
    void setDatabasePath(const QString &path) { m_databasePath = path; }
    quint16 tcpPort() const { return m_tcpPort; }
    quint16 httpPort() const { return m_httpPort; }
    qint64 pid() const { return m_process.processId(); }
    QString output() const { return m_output; }
    QString error() const { return m_error; }
    QString directory() const { return m_dir.path(); }
    // Resident memory of the server, in KiB (from /proc).
    qint64 residentKiB() const;

    static QString binary();
    // A UDP port free on 127.0.0.1 right now (for --discovery-port).
    static quint16 freeUdpPort();
    // A self-signed EC certificate and key made with openssl, for TLS tests.
    static bool makeCertificate(const QString &certPath, const QString &keyPath, const QString &commonName);

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_databasePath;
    QStringList m_launcher;
    QString m_output;
    QString m_error;
    quint16 m_tcpPort = 0;
    quint16 m_httpPort = 0;
};
