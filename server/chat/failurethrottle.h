#pragma once

#include <QHash>
#include <QList>
#include <QString>

// Counts events per key — wrong passwords and failed logins per address or
// account, registrations per address — within a sliding window. An attempt
// counts from when it is accepted (begin()), before its outcome is known. Once a key
// has `maxFailures` in the window it is blocked until the oldest of them
// leaves the window. Only what is recorded counts: a refused attempt while
// blocked does not extend the block.
class FailureThrottle final
{
public:
    FailureThrottle(int maxFailures, qint64 windowMs)
        : m_maxFailures(maxFailures)
        , m_windowMs(windowMs)
    {
    }

    bool isBlocked(const QString &key, qint64 nowMs)
    {
        return retryAfterMs(key, nowMs) > 0;
    }

    // How long until `key` may try again; 0 when it may now.
    qint64 retryAfterMs(const QString &key, qint64 nowMs)
    {
        const auto it = m_failures.find(key);
        if (it == m_failures.end())
            return 0;
        prune(it.value(), nowMs);
        if (it->isEmpty()) {
            m_failures.erase(it);
            return 0;
        }
        if (it->size() < m_maxFailures)
            return 0;
        return it->at(it->size() - m_maxFailures) + m_windowMs - nowMs;
    }

    void record(const QString &key, qint64 nowMs)
    {
        QList<qint64> &times = m_failures[key];
        prune(times, nowMs);
        times.append(nowMs);
        // Only the newest maxFailures matter for the block.
        if (times.size() > m_maxFailures)
            times.remove(0, times.size() - m_maxFailures);
    }

    // An attempt accepted whose outcome is not known yet (its password is
    // being hashed) counts like a failure until finish(): attempts sent all
    // at once cannot each pass a check that only counts them later. One
    // that is never finished (its session went) stops counting after
    // InFlightMs.
    static constexpr qint64 InFlightMs = 60'000;
    void begin(const QString &key, qint64 nowMs) { m_inFlight[key].append(nowMs); }
    // `failed`: the attempt is recorded as a failure.
    void finish(const QString &key, qint64 begunMs, bool failed, qint64 nowMs)
    {
        const auto it = m_inFlight.find(key);
        if (it != m_inFlight.end()) {
            const qsizetype at = it->indexOf(begunMs);
            if (at >= 0)
                it->remove(at);
            if (it->isEmpty())
                m_inFlight.erase(it);
        }
        if (failed)
            record(key, nowMs);
    }

    // Failures and attempts under way for `key`.
    qsizetype count(const QString &key, qint64 nowMs)
    {
        qsizetype total = 0;
        if (const auto it = m_failures.find(key); it != m_failures.end()) {
            prune(it.value(), nowMs);
            total += it->size();
        }
        if (const auto it = m_inFlight.find(key); it != m_inFlight.end()) {
            pruneInFlight(it.value(), nowMs);
            total += it->size();
        }
        return total;
    }

    // Whether a new attempt must wait for those under way: failures and
    // attempts under way together reach the limit.
    bool isCrowded(const QString &key, qint64 nowMs) { return count(key, nowMs) >= m_maxFailures; }

    // Forgets keys whose failures have all left the window, so that memory
    // follows recent failures, not every address ever seen.
    void forgetExpired(qint64 nowMs)
    {
        for (auto it = m_failures.begin(); it != m_failures.end();) {
            prune(it.value(), nowMs);
            it = it->isEmpty() ? m_failures.erase(it) : std::next(it);
        }
        for (auto it = m_inFlight.begin(); it != m_inFlight.end();) {
            pruneInFlight(it.value(), nowMs);
            it = it->isEmpty() ? m_inFlight.erase(it) : std::next(it);
        }
    }

    qsizetype trackedKeys() const { return m_failures.size() + m_inFlight.size(); }

private:
    void prune(QList<qint64> &times, qint64 nowMs) const
    {
        qsizetype expired = 0;
        while (expired < times.size() && times.at(expired) + m_windowMs <= nowMs)
            ++expired;
        if (expired > 0)
            times.remove(0, expired);
    }

    static void pruneInFlight(QList<qint64> &begun, qint64 nowMs)
    {
        begun.removeIf([nowMs](qint64 at) { return at + InFlightMs <= nowMs; });
    }

    int m_maxFailures;
    qint64 m_windowMs;
    QHash<QString, QList<qint64>> m_failures;
    QHash<QString, QList<qint64>> m_inFlight; // when each began
};
