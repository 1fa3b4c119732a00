#include "backingservices.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

quint16 freeTcpPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

namespace {

bool isRoot()
{
    return ::geteuid() == 0;
}

QString postgresBinaries()
{
    // Debian keeps the server programs out of PATH, by major version.
    const QDir lib(QStringLiteral("/usr/lib/postgresql"));
    const QStringList versions = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QString &version : versions) {
        const QString bin = lib.filePath(version + QStringLiteral("/bin"));
        if (QFileInfo::exists(bin + QStringLiteral("/pg_ctl")))
            return bin;
    }
    return QString();
}

// Waits until something accepts connections on the port.
bool waitForPort(quint16 port, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (socket.waitForConnected(500))
            return true;
        // Not a synchronisation between test steps: a poll for an outside
        // process, which has no signal to wait on.
        QThread::msleep(50);
    }
    return false;
}

} // namespace

PostgresProcess::PostgresProcess()
    : m_bin(postgresBinaries())
{
}

PostgresProcess::~PostgresProcess()
{
    stop();
}

void PostgresProcess::prepare(QProcess &process) const
{
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dir.path());
    // PostgreSQL refuses root: as root, the child becomes the postgres user
    // before it runs anything. Either way it dies with the test, even one
    // that crashes, instead of running on.
    const bool root = isRoot();
    const passwd *owner = root ? ::getpwnam("postgres") : nullptr;
    const uid_t uid = owner ? owner->pw_uid : 0;
    const gid_t gid = owner ? owner->pw_gid : 0;
    process.setChildProcessModifier([root, uid, gid] {
        if (root && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0))
            ::_exit(127);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
}

bool PostgresProcess::run(const QString &program, const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    prepare(process);
    process.start(m_bin + u'/' + program, arguments);
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        m_error = QStringLiteral("%1 failed: %2 %3")
                          .arg(program, process.errorString(), QString::fromUtf8(process.readAll()));
        return false;
    }
    return true;
}

bool PostgresProcess::start()
{
    if (m_bin.isEmpty()) {
        m_error = QStringLiteral("PostgreSQL is not installed (Debian: postgresql)");
        return false;
    }
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    const QString data = m_dir.filePath(QStringLiteral("data"));
    if (!m_initialised) {
        if (isRoot()) {
            const passwd *owner = ::getpwnam("postgres");
            // initdb checks every directory above its own is reachable.
            if (!owner || ::chown(QFile::encodeName(m_dir.path()).constData(), owner->pw_uid, owner->pw_gid) != 0) {
                m_error = QStringLiteral("cannot give %1 to the postgres user").arg(m_dir.path());
                return false;
            }
        }
        if (!run(QStringLiteral("initdb"), {QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("confab"),
                                            QStringLiteral("--auth=trust"), QStringLiteral("--no-sync"),
                                            QStringLiteral("-E"), QStringLiteral("UTF8"),
                                            QStringLiteral("--locale=C")}))
            return false;
        m_port = freeTcpPort();
        m_initialised = true;
    }
    // In the foreground, as the test's child. fsync off: a test's database
    // need not survive a power cut, and the suite must stay quick on a slow
    // disk.
    m_server = std::make_unique<QProcess>();
    prepare(*m_server);
    m_server->start(m_bin + QStringLiteral("/postgres"),
                    {QStringLiteral("-D"), data, QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                     QString::number(m_port), QStringLiteral("-k"), m_dir.path(), QStringLiteral("-F"),
                     QStringLiteral("-c"), QStringLiteral("max_connections=50")});
    if (!m_server->waitForStarted(10'000)) {
        m_error = QStringLiteral("cannot start postgres: %1").arg(m_server->errorString());
        return false;
    }
    if (!waitForPort(m_port, 30'000)) {
        m_error = QStringLiteral("PostgreSQL did not open port %1: %2")
                          .arg(m_port)
                          .arg(QString::fromUtf8(m_server->readAll()));
        return false;
    }
    // The port opens before a restarted server has finished its recovery
    // ("the database system is starting up"): asked until it answers.
    QByteArray exists;
    const QDeadlineTimer ready(30'000);
    for (bool answered = false; !answered && !ready.hasExpired();) {
        QProcess check;
        check.start(m_bin + QStringLiteral("/psql"),
                    {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                     QStringLiteral("-U"), QStringLiteral("confab"), QStringLiteral("-d"), QStringLiteral("postgres"),
                     QStringLiteral("-tAc"), QStringLiteral("SELECT 1 FROM pg_database WHERE datname = 'confab'")});
        answered = check.waitForFinished(30'000) && check.exitStatus() == QProcess::NormalExit
                   && check.exitCode() == 0;
        exists = check.readAllStandardOutput().trimmed();
    }
    if (exists != "1") {
        QProcess create;
        create.setProcessChannelMode(QProcess::MergedChannels);
        create.start(m_bin + QStringLiteral("/createdb"),
                     {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                      QStringLiteral("-U"), QStringLiteral("confab"), QStringLiteral("confab")});
        if (!create.waitForFinished(30'000) || create.exitCode() != 0) {
            m_error = QStringLiteral("createdb failed: %1").arg(QString::fromUtf8(create.readAll()));
            return false;
        }
    }
    return true;
}

bool PostgresProcess::stop()
{
    if (!m_server || m_server->state() == QProcess::NotRunning)
        return true;
    // SIGINT: PostgreSQL's fast shutdown (clients are cut off).
    ::kill(pid_t(m_server->processId()), SIGINT);
    const bool stopped = m_server->waitForFinished(30'000);
    if (!stopped) {
        m_server->kill();
        m_server->waitForFinished(10'000);
        m_error = QStringLiteral("PostgreSQL did not stop");
    }
    m_server.reset();
    return stopped;
}

QSqlDatabase PostgresProcess::connection(const QString &name) const
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(QStringLiteral("127.0.0.1"));
    db.setPort(m_port);
    db.setUserName(QStringLiteral("confab"));
    db.setDatabaseName(QStringLiteral("confab"));
    return db;
}

QString PostgresProcess::url() const
{
    return urlOf(QStringLiteral("confab"));
}

QString PostgresProcess::urlOf(const QString &database) const
{
    return QStringLiteral("postgresql://confab@127.0.0.1:%1/%2").arg(m_port).arg(database);
}

bool PostgresProcess::createDatabase(const QString &name)
{
    return run(QStringLiteral("createdb"), {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                            QString::number(m_port), QStringLiteral("-U"), QStringLiteral("confab"), name});
}

RedisProcess::RedisProcess()
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

RedisProcess::~RedisProcess()
{
    kill();
}

bool RedisProcess::start()
{
    if (m_port == 0)
        m_port = freeTcpPort();
    m_process.start(QStringLiteral("redis-server"),
                    {QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                     QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"),
                     QStringLiteral("no"), QStringLiteral("--dir"), m_dir.path(), QStringLiteral("--loglevel"),
                     QStringLiteral("warning")});
    if (!m_process.waitForStarted(10'000)) {
        m_error = QStringLiteral("cannot start redis-server (Debian: redis-server): %1").arg(m_process.errorString());
        return false;
    }
    if (!waitForPort(m_port, 20'000)) {
        m_error = QStringLiteral("redis-server did not open port %1: %2")
                          .arg(m_port)
                          .arg(QString::fromUtf8(m_process.readAll()));
        return false;
    }
    return true;
}

QString RedisProcess::command(const QStringList &arguments)
{
    QProcess cli;
    cli.start(QStringLiteral("redis-cli"),
              QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                          QString::number(m_port)}
                      + arguments);
    if (!cli.waitForFinished(10'000) || cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0) {
        m_error = QStringLiteral("redis-cli %1 failed: %2")
                          .arg(arguments.join(QLatin1Char(' ')), QString::fromUtf8(cli.readAllStandardError()));
        return QString();
    }
    return QString::fromUtf8(cli.readAllStandardOutput()).trimmed();
}

void RedisProcess::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished(10'000);
}
