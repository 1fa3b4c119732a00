#pragma once

#include <QtGlobal>

#include <utility>

// How many log lines one connection may cause: a few at once, then one a
// second. What is held back is counted and reported in the next line that is
// written, so a client sending garbage cannot fill the disk with the log,
// yet the log still says how much garbage there was.
class LogBudget final
{
public:
    static constexpr int Burst = 5;
    static constexpr qint64 RefillMs = 1000;

    // Whether a line may be written now. If so, *suppressed receives how
    // many were held back since the last one written.
    bool take(qint64 nowMs, qint64 *suppressed)
    {
        if (!m_started) {
            m_started = true;
            m_lastRefillMs = nowMs;
        }
        const qint64 refills = (nowMs - m_lastRefillMs) / RefillMs;
        if (refills > 0) {
            m_tokens = int(qMin<qint64>(Burst, m_tokens + refills));
            m_lastRefillMs += refills * RefillMs;
        }
        if (m_tokens == 0) {
            ++m_suppressed;
            return false;
        }
        --m_tokens;
        *suppressed = std::exchange(m_suppressed, 0);
        return true;
    }

    qint64 suppressed() const { return m_suppressed; }
    // Whether a line was ever asked for: a budget not used is as new.
    bool isUsed() const { return m_started; }

private:
    bool m_started = false;
    int m_tokens = Burst;
    qint64 m_lastRefillMs = 0;
    qint64 m_suppressed = 0;
};
