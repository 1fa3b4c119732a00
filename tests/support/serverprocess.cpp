#include "serverprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QUdpSocket>

#include <csignal>

namespace {

constexpr int StartTimeoutMs = 20'000;
constexpr int StopTimeoutMs = 20'000;

} // namespace

ServerProcess::ServerProcess()
{
    m_databasePath = m_dir.filePath(QStringLiteral("history.db"));
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&m_process, &QProcess::readyRead, [this] { m_output += QString::fromUtf8(m_process.readAll()); });
}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(StopTimeoutMs);
    }
}

QString ServerProcess::binary()
{
    return QStringLiteral(CONFAB_SERVER_BINARY);
}

bool ServerProcess::addAccount(const QString &name, const QString &password)
{
    QString output;
    if (account({QStringLiteral("add"), name}, password + u'\n', &output) != 0) {
        m_error = QStringLiteral("account add %1 failed: %2").arg(name, output);
        return false;
    }
    return true;
}

int ServerProcess::account(const QStringList &words, const QString &input, QString *output)
{
    QProcess command;
    command.setProcessChannelMode(QProcess::MergedChannels);
    command.start(binary(), QStringList{QStringLiteral("--db"), m_databasePath, QStringLiteral("account")} + words);
    command.write(input.toUtf8());
    command.closeWriteChannel();
    const bool finished = command.waitForFinished(StartTimeoutMs) && command.exitStatus() == QProcess::NormalExit;
    if (output)
        *output = QString::fromUtf8(command.readAll());
    return finished ? command.exitCode() : -1;
}

bool ServerProcess::start(const QStringList &extraArguments)
{
    const QString portFile = m_dir.filePath(QStringLiteral("ports.json"));
    QFile::remove(portFile);
    m_output.clear();
    QStringList arguments{QStringLiteral("--tcp-port"), QStringLiteral("0"),
                          QStringLiteral("--http-port"), QStringLiteral("0"),
                          QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                          QStringLiteral("--db"), m_databasePath,
                          QStringLiteral("--port-file"), portFile,
                          // Discovery listens on a fixed port unless told: tests ask for it.
                          QStringLiteral("--discovery-port"), QStringLiteral("0")};
    arguments += extraArguments;
    if (m_launcher.isEmpty())
        m_process.start(binary(), arguments);
    else
        m_process.start(m_launcher.first(), m_launcher.mid(1) + QStringList{binary()} + arguments);
    if (!m_process.waitForStarted(StartTimeoutMs)) {
        m_error = QStringLiteral("cannot start %1: %2").arg(binary(), m_process.errorString());
        return false;
    }
    // The server logs "listening" once both ports are open and the port
    // file is written; wait for that line or for the process to end.
    QSignalSpy output(&m_process, &QProcess::readyRead);
    const QDeadlineTimer deadline(StartTimeoutMs);
    while (!m_output.contains(QLatin1String("listening:"))) {
        if (m_process.state() == QProcess::NotRunning || deadline.hasExpired()) {
            m_error = QStringLiteral("the server did not start: %1").arg(m_output);
            return false;
        }
        output.wait(int(qMax<qint64>(1, deadline.remainingTime())));
    }
    QFile file(portFile);
    if (!file.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("no port file: %1").arg(m_output);
        return false;
    }
    const QJsonObject ports = QJsonDocument::fromJson(file.readAll()).object();
    m_tcpPort = quint16(ports.value(QLatin1String("tcp")).toInt());
    m_httpPort = quint16(ports.value(QLatin1String("http")).toInt());
    return m_tcpPort != 0 && m_httpPort != 0;
}

int ServerProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitCode();
    // Wait with the event loop running, so that the test's own clients see
    // the server close and close too, as real clients do.
    QSignalSpy finished(&m_process, &QProcess::finished);
    m_process.terminate();
    if (!finished.wait(StopTimeoutMs) && m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(StopTimeoutMs);
        return -1;
    }
    m_output += QString::fromUtf8(m_process.readAll());
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

quint16 ServerProcess::freeUdpPort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

bool ServerProcess::makeCertificate(const QString &certPath, const QString &keyPath, const QString &commonName)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                   QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certPath, QStringLiteral("-days"),
                   QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=") + commonName});
    return openssl.waitForFinished(30'000) && openssl.exitCode() == 0;
}

void ServerProcess::reload()
{
    ::kill(pid_t(m_process.processId()), SIGHUP);
}

bool ServerProcess::waitForOutput(const QString &text, qsizetype from, int timeoutMs)
{
    QSignalSpy output(&m_process, &QProcess::readyRead);
    const QDeadlineTimer deadline(timeoutMs);
    while (m_output.indexOf(text, from) < 0) {
        if (m_process.state() == QProcess::NotRunning || deadline.hasExpired())
            return false;
        output.wait(int(qMax<qint64>(1, deadline.remainingTime())));
    }
    return true;
}

void ServerProcess::kill()
{
    m_process.kill();
    m_process.waitForFinished(StopTimeoutMs);
}

qint64 ServerProcess::residentKiB() const
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid()));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}
