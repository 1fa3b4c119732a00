#include "faultinjector.h"

#include "connection.h"
#include "logging.h"

#include <limits>

namespace {

QString secondsText(int ms)
{
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0);
}

bool isChatMessage(const QByteArray &frame)
{
    // The encoder writes "type" first.
    return frame.startsWith(R"({"type":"message")");
}

} // namespace

QString FaultSettings::describe() const
{
    QStringList parts;
    if (jitterMs)
        parts << QStringLiteral("every delivery delayed %1 ms (+0-%2 ms)").arg(delayMs).arg(jitterMs);
    else if (delayMs)
        parts << QStringLiteral("every delivery delayed %1 ms").arg(delayMs);
    if (dropEveryMs)
        parts << QStringLiteral("one user's connection cut every %1").arg(secondsText(dropEveryMs));
    if (dropAfterMessages)
        parts << QStringLiteral("every connection cut after %1 messages").arg(dropAfterMessages);
    if (stallMs)
        parts << QStringLiteral("one user's output stalled for %1 every %2")
                         .arg(secondsText(stallMs), secondsText(stallEveryMs));
    parts << QStringLiteral("seed %1").arg(seed);
    return parts.join(QStringLiteral("; "));
}

FaultInjector::FaultInjector(const FaultSettings &settings, qint64 sendQueueLimit, Candidates candidates,
                             QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_sendQueueLimit(sendQueueLimit)
    , m_candidates(std::move(candidates))
    , m_timing(settings.seed)
    , m_picking(settings.seed ^ 0x9e3779b9u)
{
    m_clock.start();
    m_releaseTimer.setSingleShot(true);
    m_releaseTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_releaseTimer, &QTimer::timeout, this, &FaultInjector::releaseDue);
    if (m_settings.dropEveryMs > 0) {
        connect(&m_dropTimer, &QTimer::timeout, this, &FaultInjector::dropOne);
        m_dropTimer.start(m_settings.dropEveryMs);
    }
    if (m_settings.stallMs > 0 && m_settings.stallEveryMs > 0) {
        connect(&m_stallTimer, &QTimer::timeout, this, &FaultInjector::stallOne);
        m_stallTimer.start(m_settings.stallEveryMs);
    }
}

void FaultInjector::send(Connection *connection, const QByteArray &frame)
{
    State &state = m_states[connection];
    if (state.cut)
        return;
    const qint64 now = nowMs();
    qint64 due = now + m_settings.delayMs;
    if (m_settings.jitterMs > 0)
        due += qint64(m_timing() % quint32(m_settings.jitterMs + 1));
    // Never out of order: a frame waits at least for the one before it.
    due = qMax(due, state.lastDueMs);
    state.lastDueMs = due;
    if (due <= now && state.held.isEmpty() && state.stalledUntilMs <= now) {
        deliver(connection, state, frame);
        return;
    }
    state.held.append({due, frame});
    state.heldBytes += frame.size();
    if (state.heldBytes + connection->unsentBytes() > m_sendQueueLimit) {
        cut(connection, state, QStringLiteral("send queue exceeded"));
        return;
    }
    scheduleRelease();
}

void FaultInjector::forget(Connection *connection)
{
    m_states.erase(connection);
}

void FaultInjector::deliver(Connection *connection, State &state, const QByteArray &frame)
{
    connection->send(frame);
    if (m_settings.dropAfterMessages > 0 && isChatMessage(frame)
        && ++state.messages >= m_settings.dropAfterMessages) {
        qCWarning(lcFault).noquote() << "fault: cutting" << connection->describe() << "after"
                                     << state.messages << "messages";
        // What was sent goes out first; then the server hangs up without a
        // `closing` event, as a broken network would look to the client.
        state.cut = true;
        state.held.clear();
        connection->close(QStringLiteral("fault injection: cut after %1 messages").arg(state.messages));
    }
}

void FaultInjector::release(Connection *connection)
{
    const auto it = m_states.find(connection);
    if (it == m_states.end())
        return;
    State &state = it->second;
    while (!state.held.isEmpty() && !state.cut)
        deliver(connection, state, state.held.takeFirst().frame);
    state.heldBytes = 0;
}

void FaultInjector::releaseDue()
{
    const qint64 now = nowMs();
    for (auto &[connection, state] : m_states) {
        if (state.stalledUntilMs > now)
            continue;
        while (!state.held.isEmpty() && state.held.first().dueMs <= now && !state.cut) {
            const QByteArray frame = state.held.takeFirst().frame;
            state.heldBytes -= frame.size();
            deliver(connection, state, frame);
        }
    }
    Connection::flushAll();
    scheduleRelease();
}

void FaultInjector::scheduleRelease()
{
    qint64 next = std::numeric_limits<qint64>::max();
    for (const auto &[connection, state] : m_states) {
        if (state.held.isEmpty() || state.cut)
            continue;
        next = qMin(next, qMax(state.held.first().dueMs, state.stalledUntilMs));
    }
    if (next == std::numeric_limits<qint64>::max()) {
        m_releaseTimer.stop();
        return;
    }
    const int wait = int(qBound<qint64>(0, next - nowMs(), qint64(24) * 3600 * 1000));
    if (!m_releaseTimer.isActive() || m_releaseTimer.remainingTime() > wait)
        m_releaseTimer.start(wait);
}

Connection *FaultInjector::pick(QString *nick)
{
    const QList<QPair<QString, Connection *>> candidates = m_candidates();
    if (candidates.isEmpty())
        return nullptr;
    const auto &chosen = candidates.at(qsizetype(m_picking() % quint32(candidates.size())));
    *nick = chosen.first;
    return chosen.second;
}

void FaultInjector::dropOne()
{
    QString nick;
    Connection *victim = pick(&nick);
    if (!victim)
        return;
    qCWarning(lcFault).noquote() << "fault: cutting" << victim->describe() << nick << "(one every"
                                 << secondsText(m_settings.dropEveryMs) + QStringLiteral(")");
    cut(victim, m_states[victim], QStringLiteral("fault injection: cut"));
}

void FaultInjector::stallOne()
{
    QString nick;
    Connection *victim = pick(&nick);
    if (!victim)
        return;
    qCWarning(lcFault).noquote() << "fault: stalling output to" << victim->describe() << nick << "for"
                                 << secondsText(m_settings.stallMs);
    State &state = m_states[victim];
    state.stalledUntilMs = nowMs() + m_settings.stallMs;
}

void FaultInjector::cut(Connection *connection, State &state, const QString &why)
{
    state.cut = true;
    state.held.clear();
    state.heldBytes = 0;
    connection->abort(why);
}
