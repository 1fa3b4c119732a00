#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <random>
#include <unordered_map>

class Connection;

// What --fault-* asks the server to do wrong, for a lesson on what the
// protocol does about failures. All zero: no faults (the default).
struct FaultSettings
{
    int delayMs = 0;           // every delivery waits this long
    int jitterMs = 0;          // and up to this much more (order is kept)
    int dropEveryMs = 0;       // one user's connection is cut this often
    int dropAfterMessages = 0; // a connection is cut after this many messages
    int stallMs = 0;           // one user's output is held this long...
    int stallEveryMs = 0;      // ...this often
    quint32 seed = 1;          // the same seed picks the same users in turn

    bool operator==(const FaultSettings &o) const
    {
        return delayMs == o.delayMs && jitterMs == o.jitterMs && dropEveryMs == o.dropEveryMs
               && dropAfterMessages == o.dropAfterMessages && stallMs == o.stallMs && stallEveryMs == o.stallEveryMs
               && seed == o.seed;
    }
    bool operator!=(const FaultSettings &o) const { return !(*this == o); }
    bool any() const { return delayMs || jitterMs || dropEveryMs || dropAfterMessages || stallMs; }
    // "deliveries delayed 300 ms (+0-100 ms); ...", for the start-up warning.
    QString describe() const;
};

// Stands between the chat service and its connections when faults are on:
// holds deliveries back, cuts connections and stalls output as the settings
// say. Choices are made by pseudo-random generators seeded from the settings
// (one for timing, one for picking users), so a class that connects the same
// users sees the same users picked in the same order on every run.
//
// Held output counts against the send-queue limit like any other: a client
// held past it is dropped as a slow reader would be.
class FaultInjector final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FaultInjector)

public:
    // The connections of identified users, in a stable order (by nick).
    using Candidates = std::function<QList<QPair<QString, Connection *>>()>;

    FaultInjector(const FaultSettings &settings, qint64 sendQueueLimit, Candidates candidates,
                  QObject *parent = nullptr);

    void send(Connection *connection, const QByteArray &frame);
    // The server is about to close the connection: what is held for it
    // goes out now (a delay never outlives the connection).
    void release(Connection *connection);
    // The connection is gone: drop what is held for it.
    void forget(Connection *connection);

private:
    struct Held
    {
        qint64 dueMs;
        QByteArray frame;
    };
    struct State
    {
        QList<Held> held;
        qint64 heldBytes = 0;
        qint64 lastDueMs = 0;
        qint64 stalledUntilMs = 0;
        int messages = 0;
        bool cut = false;
    };

    qint64 nowMs() const { return m_clock.elapsed(); }
    void deliver(Connection *connection, State &state, const QByteArray &frame);
    void releaseDue();
    void scheduleRelease();
    void dropOne();
    void stallOne();
    Connection *pick(QString *nick);
    void cut(Connection *connection, State &state, const QString &why);

    const FaultSettings m_settings;
    const qint64 m_sendQueueLimit;
    Candidates m_candidates;
    std::mt19937 m_timing;
    std::mt19937 m_picking;
    QElapsedTimer m_clock;
    std::unordered_map<Connection *, State> m_states;
    QTimer m_releaseTimer;
    QTimer m_dropTimer;
    QTimer m_stallTimer;
};
