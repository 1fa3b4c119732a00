#include "metrics.h"

#include <QDir>
#include <QFile>

#include <unistd.h>

namespace {

void header(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(QByteArray &out, const char *name, const QByteArray &labels, double value)
{
    out += name;
    if (!labels.isEmpty())
        out += '{' + labels + '}';
    out += ' ';
    out += QByteArray::number(value, 'g', 15);
    out += '\n';
}

void single(QByteArray &out, const char *name, const char *type, const char *help, double value)
{
    header(out, name, type, help);
    sample(out, name, {}, value);
}

qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE) : 0;
}

qint64 openFiles()
{
    return qint64(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size());
}

} // namespace

ServerMetrics &serverMetrics()
{
    static ServerMetrics metrics;
    return metrics;
}

QString ServerMetrics::closeLabel(const QString &closeReason)
{
    // The reasons ChatService and the transports give, to a fixed set: a
    // label must never carry a client's words (a ban's reason, a quit
    // message) nor grow without bound.
    static const QList<QPair<QString, QString>> prefixes = {
            {QStringLiteral("quit"), QStringLiteral("quit")},
            {QStringLiteral("connection lost"), QStringLiteral("client_closed")},
            {QStringLiteral("hello timeout"), QStringLiteral("hello_timeout")},
            {QStringLiteral("ping timeout"), QStringLiteral("ping_timeout")},
            {QStringLiteral("send queue"), QStringLiteral("send_queue_full")},
            {QStringLiteral("frame too large"), QStringLiteral("frame_too_large")},
            {QStringLiteral("WebSocket protocol error"), QStringLiteral("protocol_error")},
            {QStringLiteral("bad json"), QStringLiteral("protocol_error")},
            {QStringLiteral("too many wrong passwords"), QStringLiteral("auth_failed")},
            {QStringLiteral("auth failed"), QStringLiteral("auth_failed")},
            {QStringLiteral("server shutting down"), QStringLiteral("shutdown")},
            {QStringLiteral("banned"), QStringLiteral("banned")},
    };
    for (const auto &[prefix, label] : prefixes) {
        if (closeReason.startsWith(prefix))
            return label;
    }
    return QStringLiteral("other");
}

void ServerMetrics::closed(const QString &closeReason)
{
    ++m_closed[closeLabel(closeReason)];
}

void ServerMetrics::observeCommit(double seconds)
{
    for (size_t i = 0; i < CommitBuckets.size(); ++i) {
        if (seconds <= CommitBuckets[i])
            ++m_commitBuckets[i];
    }
    ++m_commitCount;
    m_commitSum += seconds;
}

QByteArray ServerMetrics::render(const Gauges &gauges) const
{
    QByteArray out;
    out.reserve(4096);
    header(out, "confab_connections", "gauge", "Open client connections, by transport.");
    for (const char *transport : {"tcp", "tls", "ws", "wss"}) {
        sample(out, "confab_connections", QByteArray("transport=\"") + transport + '"',
               double(gauges.connectionsByTransport.value(QLatin1String(transport))));
    }
    single(out, "confab_users", "gauge", "Connections that said hello and were welcomed.",
           double(gauges.identifiedUsers));
    single(out, "confab_rooms", "gauge", "Rooms open in memory.", double(gauges.rooms));
    single(out, "confab_send_queue_bytes", "gauge", "Bytes queued for clients and not yet sent.",
           double(gauges.sendQueueBytes));
    single(out, "confab_messages_stored_total", "counter", "Room messages committed to the database.",
           double(messagesStored));
    single(out, "confab_messages_delivered_total", "counter", "Room messages sent to members (one per recipient).",
           double(messagesDelivered));
    single(out, "confab_received_bytes_total", "counter", "Bytes read from chat connections.", double(bytesIn));
    single(out, "confab_sent_bytes_total", "counter", "Bytes written to chat connections.", double(bytesOut));

    single(out, "confab_health_checks_total", "counter",
           "Connections from a --proxy-protocol proxy that ended without a word: its health checks.",
           double(healthChecks));

    header(out, "confab_connections_refused_total", "counter",
           "Connections turned away before hello, by reason.");
    sample(out, "confab_connections_refused_total", "reason=\"server_full\"",
           double(m_refused[size_t(Refusal::ServerFull)]));
    sample(out, "confab_connections_refused_total", "reason=\"tls_handshake\"",
           double(m_refused[size_t(Refusal::TlsHandshake)]));
    sample(out, "confab_connections_refused_total", "reason=\"banned\"", double(m_refused[size_t(Refusal::Banned)]));
    sample(out, "confab_connections_refused_total", "reason=\"proxy_header\"",
           double(m_refused[size_t(Refusal::ProxyHeader)]));

    header(out, "confab_connections_closed_total", "counter", "Connections that ended, by reason.");
    for (auto it = m_closed.cbegin(); it != m_closed.cend(); ++it)
        sample(out, "confab_connections_closed_total", "reason=\"" + it.key().toLatin1() + '"', double(it.value()));

    header(out, "confab_storage_commit_seconds", "histogram", "Time to commit one batch to the database.");
    for (size_t i = 0; i < CommitBuckets.size(); ++i) {
        sample(out, "confab_storage_commit_seconds_bucket",
               "le=\"" + QByteArray::number(CommitBuckets[i], 'g', 6) + '"', double(m_commitBuckets[i]));
    }
    sample(out, "confab_storage_commit_seconds_bucket", "le=\"+Inf\"", double(m_commitCount));
    sample(out, "confab_storage_commit_seconds_sum", {}, m_commitSum);
    sample(out, "confab_storage_commit_seconds_count", {}, double(m_commitCount));
    single(out, "confab_storage_failed_commits_total", "counter", "Commits that failed (a full disk, for one).",
           double(failedCommits));

    single(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", double(residentBytes()));
    single(out, "process_open_fds", "gauge", "Number of open file descriptors.", double(openFiles()));
    return out;
}
