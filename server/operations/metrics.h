#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

#include <array>

// A protocol error the server sent, as the /status page lists it.
struct RecentError
{
    qint64 atMs; // wall clock
    QString code;
    QString message;
    QString client; // the nick, or the connection before hello
};

// What GET /metrics reports, in the Prometheus text format (0.0.4).
//
// Counters are counted where things happen, on the one server thread, into
// one process-wide set: the transports count bytes, the chat service
// messages, commits and closed connections, the listeners refusals. Gauges
// (connections, users, rooms, queues) are read from the chat service when
// scraped, so they cannot drift.
class ServerMetrics
{
public:
    // Why a connection was turned away before it could say hello.
    enum class Refusal { ServerFull, TlsHandshake, Banned, ProxyHeader, Count };

    struct Gauges
    {
        QMap<QString, qint64> connectionsByTransport; // "tcp", "tls", "ws", "wss"
        qint64 identifiedUsers = 0;
        qint64 rooms = 0;
        qint64 sendQueueBytes = 0;
    };

    quint64 messagesStored = 0;
    quint64 messagesDelivered = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    quint64 failedCommits = 0;
    // Connections a trusted proxy opened and closed without a word (a
    // health check): not refusals, and not logged.
    quint64 healthChecks = 0;

    void refused(Refusal why) { ++m_refused[size_t(why)]; }
    // Every connection that ended, by a short reason derived from the close
    // reason the log line gives ("quit", "ping_timeout", …).
    void closed(const QString &closeReason);
    void observeCommit(double seconds);

    QByteArray render(const Gauges &gauges) const;

    // A bounded label for a free-text close reason.
    static QString closeLabel(const QString &closeReason);

private:
    static constexpr std::array<double, 11> CommitBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1.0};
    std::array<quint64, size_t(Refusal::Count)> m_refused{};
    QMap<QString, quint64> m_closed;
    std::array<quint64, CommitBuckets.size()> m_commitBuckets{};
    quint64 m_commitCount = 0;
    double m_commitSum = 0;
};

// The process's one set of counters.
ServerMetrics &serverMetrics();
