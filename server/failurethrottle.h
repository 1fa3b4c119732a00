#pragma once

#include <QHash>
#include <QList>
#include <QString>

// Counts events per key — wrong passwords and failed logins per address or
// account, registrations per address — within a sliding window. Once a key
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

    // Forgets keys whose failures have all left the window, so that memory
    // follows recent failures, not every address ever seen.
    void forgetExpired(qint64 nowMs)
    {
        for (auto it = m_failures.begin(); it != m_failures.end();) {
            prune(it.value(), nowMs);
            it = it->isEmpty() ? m_failures.erase(it) : std::next(it);
        }
    }

    qsizetype trackedKeys() const { return m_failures.size(); }

private:
    void prune(QList<qint64> &times, qint64 nowMs) const
    {
        qsizetype expired = 0;
        while (expired < times.size() && times.at(expired) + m_windowMs <= nowMs)
            ++expired;
        if (expired > 0)
            times.remove(0, expired);
    }

    int m_maxFailures;
    qint64 m_windowMs;
    QHash<QString, QList<qint64>> m_failures;
};
