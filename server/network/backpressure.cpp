#include "backpressure.h"

#include "connection.h"
#include "logging.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace {

constexpr int CheckIntervalMs = 100;

struct Holder
{
    Connection *connection;
    qint64 sinceMs;
    qint64 lastProgressMs;
};

struct State
{
    QList<Holder> holders;
    // Congested, but no longer holding input (stalled or held too long),
    // until relieved.
    QSet<Connection *> passedOver;
    QList<QPointer<Connection>> waiting;
    QElapsedTimer clock;
    QPointer<QTimer> timer;
};

State &state()
{
    static State s;
    if (!s.clock.isValid())
        s.clock.start();
    return s;
}

qsizetype holderIndex(const Connection *connection)
{
    const QList<Holder> &holders = state().holders;
    for (qsizetype i = 0; i < holders.size(); ++i) {
        if (holders.at(i).connection == connection)
            return i;
    }
    return -1;
}

void resumeWaiting()
{
    const QList<QPointer<Connection>> waiting = std::exchange(state().waiting, {});
    for (const QPointer<Connection> &connection : waiting) {
        if (connection)
            connection->resumeInput();
    }
}

void check()
{
    State &s = state();
    const qint64 now = s.clock.elapsed();
    for (qsizetype i = s.holders.size() - 1; i >= 0; --i) {
        const Holder &holder = s.holders.at(i);
        const bool stalled = now - holder.lastProgressMs >= Backpressure::StallMs;
        const bool tooLong = now - holder.sinceMs >= Backpressure::MaxHoldMs;
        if (!stalled && !tooLong)
            continue;
        qCDebug(lcNet).noquote() << holder.connection->describe()
                                 << (stalled ? "stopped reading" : "reads too slowly to keep up")
                                 << "- no longer holds input";
        s.passedOver.insert(holder.connection);
        s.holders.removeAt(i);
    }
    if (s.holders.isEmpty()) {
        s.timer->stop();
        resumeWaiting();
    }
}

} // namespace

void Backpressure::congested(Connection *connection)
{
    State &s = state();
    if (holderIndex(connection) >= 0 || s.passedOver.contains(connection))
        return;
    const qint64 now = s.clock.elapsed();
    s.holders.append(Holder{connection, now, now});
    if (!s.timer) {
        s.timer = new QTimer(QCoreApplication::instance());
        s.timer->setInterval(CheckIntervalMs);
        QObject::connect(s.timer, &QTimer::timeout, [] { check(); });
    }
    if (!s.timer->isActive())
        s.timer->start();
}

void Backpressure::relieved(Connection *connection)
{
    State &s = state();
    s.passedOver.remove(connection);
    const qsizetype index = holderIndex(connection);
    if (index >= 0)
        s.holders.removeAt(index);
    if (s.holders.isEmpty())
        resumeWaiting();
}

void Backpressure::progressed(Connection *connection)
{
    const qsizetype index = holderIndex(connection);
    if (index >= 0)
        state().holders[index].lastProgressMs = state().clock.elapsed();
}

void Backpressure::forget(Connection *connection)
{
    State &s = state();
    s.passedOver.remove(connection);
    const qsizetype index = holderIndex(connection);
    if (index < 0)
        return;
    s.holders.removeAt(index);
    if (s.holders.isEmpty()) {
        // Not from inside a destructor: resuming reads input.
        QTimer::singleShot(0, QCoreApplication::instance(), [] {
            if (state().holders.isEmpty())
                resumeWaiting();
        });
    }
}

bool Backpressure::holdsInput()
{
    return !state().holders.isEmpty();
}

void Backpressure::waitForInput(Connection *connection)
{
    State &s = state();
    for (const QPointer<Connection> &waiting : std::as_const(s.waiting)) {
        if (waiting == connection)
            return;
    }
    s.waiting.append(connection);
}

int Backpressure::holders()
{
    return int(state().holders.size());
}
